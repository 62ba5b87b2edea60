"""Review findings on profiles: a picked manager's email never shows once they are out of
sight, and a waitlisted applicant's profile is readable by the admins deciding on them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people import services as people_services
from tandem.programs.models import EnrolmentStatus, Role
from tests.people.factories import ProfileFactory, UserFactory
from tests.programs.factories import EnrolmentFactory, ProgramFactory, admin_of, enrol
from tests.web.untouched import untouched

pytestmark = pytest.mark.django_db


def _person(program, first, email, role=Role.MENTEE):
    profile = ProfileFactory(user=UserFactory(first_name=first, last_name="Example", email=email))
    return profile, enrol(profile.user, program, role=role)


def test_a_picked_manager_out_of_sight_stays_linked_without_their_email(client):
    program = ProgramFactory()
    alice, _ = _person(program, "Alice", "alice@example.org")
    bob, bob_enrolment = _person(program, "Bob", "bob.secret@example.org", Role.MENTOR)
    people_services.profile_update(profile=alice, actor=alice.user, manager=bob.user.pk)
    bob_enrolment.status = EnrolmentStatus.REMOVED
    bob_enrolment.save()
    client.force_login(alice.user)
    page = client.get(reverse("profile_edit")).content.decode()
    assert "bob.secret@example.org" not in page
    assert "no longer in a program with you" in page
    data, _ = untouched(page, has_field="manager_name")
    assert client.post(reverse("profile_edit"), data).status_code == 302  # saved untouched
    alice.refresh_from_db()
    assert alice.manager_id == bob.user.pk and alice.manager_email == ""


def test_the_admins_read_a_waitlisted_applicants_profile(client):
    program = ProgramFactory(mentee_limit=1)
    admin = admin_of(program)
    EnrolmentFactory(program=program, status=EnrolmentStatus.ACTIVE)
    waiting = ProfileFactory(user=UserFactory(first_name="Wendy"))
    EnrolmentFactory(program=program, person=waiting.user, status=EnrolmentStatus.WAITLISTED)
    client.force_login(admin)
    assert client.get(reverse("profile_detail", args=[waiting.user.pk])).status_code == 200
    client.force_login(admin_of(ProgramFactory()))
    assert client.get(reverse("profile_detail", args=[waiting.user.pk])).status_code == 404


def test_an_api_client_changes_or_clears_the_manager_email_without_knowing_the_name():
    program = ProgramFactory()
    alice, _ = _person(program, "Alice", "alice3@example.org")
    people_services.profile_update(
        profile=alice, actor=alice.user, manager_name="Old Boss", manager_email="old@corp.example"
    )
    people_services.profile_update(
        profile=alice, actor=alice.user, manager_email="new@corp.example"
    )
    alice.refresh_from_db()
    assert (alice.manager_name, alice.manager_email) == ("", "new@corp.example")
    people_services.profile_update(profile=alice, actor=alice.user, manager_email="")
    alice.refresh_from_db()
    assert (alice.manager_name, alice.manager_email, alice.manager_id) == ("", "", None)
