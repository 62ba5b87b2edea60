"""UX reviews: a site staff user in no program, then someone who signed up before any
invitation, had Mentorships, Messages and Check-ins in the navigation, three pages with nothing
on them for someone who never joined a program."""

import pytest
from django.urls import reverse

from tests.programs.factories import EnrolmentFactory, ProfileFactory

pytestmark = pytest.mark.django_db

PARTICIPANT_LINKS = ("mentorship_list", "checkin_list")


def nav(client, user):
    client.force_login(user)
    html = client.get(reverse("dashboard")).content.decode()
    return html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]


def test_someone_in_no_program_is_not_sent_to_empty_pages(client):
    staff = ProfileFactory().user
    staff.is_staff = True
    staff.save()
    found = nav(client, staff)
    assert all(f'href="{reverse(name)}"' not in found for name in PARTICIPANT_LINKS)
    assert ">Messages<" not in found and "Site admin" in found and "Programs" in found


def test_someone_signed_up_in_no_program_is_offered_their_profile_and_the_programs(client):
    person = ProfileFactory().user
    found = nav(client, person)
    assert all(f'href="{reverse(name)}"' not in found for name in PARTICIPANT_LINKS)
    assert ">Messages<" not in found and "Site admin" not in found
    assert f'href="{reverse("profile_edit")}"' in found
    assert f'href="{reverse("program_list")}"' in found


def test_a_participant_keeps_them(client):
    person = EnrolmentFactory().person
    found = nav(client, person)
    assert all(f'href="{reverse(name)}"' in found for name in PARTICIPANT_LINKS)


def test_staff_in_a_program_keep_them(client):
    person = EnrolmentFactory().person
    person.is_staff = True
    person.save()
    found = nav(client, person)
    assert all(f'href="{reverse(name)}"' in found for name in PARTICIPANT_LINKS)
