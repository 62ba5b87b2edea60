"""Leftovers review: a site staff user in no program saw "Your mentorships" and "Upcoming
meetings" on the dashboard and "Ask someone to mentor you" on /mentorships/; they are shown
what they can do instead (the navigation already leaves those links out, 29aeee3)."""

import pytest
from django.urls import reverse

from tandem.programs.models import EnrolmentStatus
from tests.programs.factories import EnrolmentFactory, ProfileFactory

pytestmark = pytest.mark.django_db

PARTICIPANT_CARDS = ('id="mentorships-heading"', 'id="upcoming-heading"')


def page(client, user, name):
    client.force_login(user)
    return client.get(reverse(name)).content.decode()


def staff(user):
    user.is_staff = True
    user.save()
    return user


def test_staff_in_no_program_are_shown_what_they_can_do(client):
    person = staff(ProfileFactory().user)
    dashboard = page(client, person, "dashboard")
    assert all(card not in dashboard for card in PARTICIPANT_CARDS)
    assert "without taking part in a program" in dashboard
    assert f'href="{reverse("insights_site")}"' in dashboard
    mentorships = page(client, person, "mentorship_list")
    assert "Ask someone to mentor you" not in mentorships
    assert "You are not in any program, so you have no mentorships." in mentorships
    assert f'href="{reverse("insights_site")}"' in mentorships


@pytest.mark.parametrize("status", [EnrolmentStatus.ACTIVE, EnrolmentStatus.LEFT])
def test_staff_who_were_ever_in_a_program_keep_the_cards(client, status):
    person = staff(EnrolmentFactory(status=status).person)
    dashboard = page(client, person, "dashboard")
    assert all(card in dashboard for card in PARTICIPANT_CARDS)
    assert "without taking part in a program" not in dashboard
    assert "You are not in any program" not in page(client, person, "mentorship_list")


def test_someone_signed_up_in_no_program_gets_their_profile_and_programs_only(client):
    """UX review: someone who signed up before their invitation had the same empty cards."""
    dashboard = page(client, ProfileFactory().user, "dashboard")
    assert all(card not in dashboard for card in PARTICIPANT_CARDS)
    assert 'id="profile-heading"' in dashboard and 'id="programs-heading"' in dashboard
    assert "Ask your program admin for an invitation link" in dashboard


def test_a_participant_with_no_mentorship_yet_is_still_asked_to_find_one(client):
    person = EnrolmentFactory().person
    assert all(card in page(client, person, "dashboard") for card in PARTICIPANT_CARDS)
    assert "Ask someone to mentor you" in page(client, person, "mentorship_list")
