"""The leave page of a program admin who also takes part: leaving ends only the mentee or
mentor role, and the page says so, with where the admin role is given up (ux review: an admin
and mentor read only "You are no longer a mentor", as if they stopped running it too)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.programs.models import EnrolmentStatus, Role
from tandem.programs.views.leaving import STAY_ADMIN
from tests.mentorships.factories import ProgramFactory, member
from tests.programs.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_an_admin_who_takes_part_reads_that_they_stay_an_admin(client):
    program = ProgramFactory()
    member(program, Role.ADMIN)  # another admin: leaving is not about the last one
    person = member(program, Role.MENTOR)
    EnrolmentFactory(program=program, person=person, role=Role.ADMIN)
    client.force_login(person)
    url = reverse("program_leave", args=[program.slug])
    page = client.get(url).content.decode()
    assert STAY_ADMIN.format(program=program.name) in page
    client.post(url, {"confirm": "yes"})
    roles = {e.role: e.status for e in person.enrolments.filter(program=program)}
    assert roles == {Role.MENTOR: EnrolmentStatus.LEFT, Role.ADMIN: EnrolmentStatus.ACTIVE}
    admin_pages = client.get(reverse("program_participants", args=[program.slug]))
    assert admin_pages.status_code == 200  # what the page said: they still run it


def test_a_participant_who_is_no_admin_reads_nothing_about_admins(client):
    program = ProgramFactory()
    person = member(program, Role.MENTEE)
    client.force_login(person)
    page = client.get(reverse("program_leave", args=[program.slug])).content.decode()
    assert "You stay an admin" not in page
    assert "You are no longer a mentee" in page
