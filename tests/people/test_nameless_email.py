"""Live privacy review: names are optional, and someone who gave none read as their email
address everywhere others saw them (their profile, the partner's dashboard and mentorship
page, the meeting and its calendar file, the API), though no page is to show another
participant's address. They read as ``NAMELESS_MEMBER`` instead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.models import NAMELESS_MEMBER
from tests.mentorships.factories import UserFactory, meeting, mentorship
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db

SECRET = "quiet.mentor@example.org"


@pytest.fixture
def pair():
    program = ProgramFactory()
    mentor = UserFactory(email=SECRET, first_name="", last_name="")
    EnrolmentFactory(program=program, person=mentor, role="mentor")
    return mentorship(program=program, mentor=mentor)


def test_a_nameless_person_reads_as_a_member_number_not_their_address(pair):
    assert pair.mentor.display_name == NAMELESS_MEMBER.format(id=pair.mentor.pk)
    assert str(pair.mentor) == pair.mentor.display_name


def test_the_partner_reads_no_address_on_any_page_or_answer(client, pair):
    held = meeting(pair)
    client.force_login(pair.mentee)
    urls = [
        reverse("dashboard"),
        reverse("mentorship_detail", args=[pair.pk]),
        reverse("meeting_detail", args=[held.pk]),
        reverse("meeting_ics", args=[held.pk]),
        reverse("profile_detail", args=[pair.mentor_id]),
        f"/api/people/{pair.mentor_id}",
        f"/api/mentorships/{pair.pk}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body, url
        assert NAMELESS_MEMBER.format(id=pair.mentor_id) in body, url
