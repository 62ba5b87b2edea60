"""An import's write keeps the program's rules that every other way in keeps: it takes the
program's lock (so an invitation by email at the same moment waits for it instead of failing
with a duplicate row), and a new role of someone already in the program waits on the
waitlist when that role is full."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tandem.programs.imports import execution, writing
from tandem.programs.imports.invitations import participant_invitations_invite
from tandem.programs.models import (
    Enrolment,
    EnrolmentStatus,
    ImportStatus,
    ParticipantInvitation,
    Role,
)
from tandem.programs.services.waitlist import program_lock
from tests.programs.factories import ProgramFactory, admin_of, member_of
from tests.programs.test_import_write import checked

ACTIVE, WAITLISTED = EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITLISTED
HEADER = "email,name,role\n"


def as_mentors(*people) -> bytes:
    return (HEADER + "".join(f"{person.email},,mentor\n" for person in people)).encode()


@pytest.fixture
def full(db):
    """A program with one mentor place left (limit 2, one taken) and three mentees."""
    program = ProgramFactory(mentor_limit=2)
    member_of(program, role=Role.MENTOR)
    mentees = [member_of(program) for _ in range(3)]
    return program, admin_of(program), mentees


def statuses(program, people) -> list[str]:
    by_person = dict(
        Enrolment.objects.filter(program=program, role=Role.MENTOR).values_list(
            "person_id", "status"
        )
    )
    return [by_person[person.pk] for person in people]


class TestNewRolesPastTheLimit:
    def test_the_free_place_goes_to_the_first_row_and_the_others_wait(self, full):
        program, admin, mentees = full
        batch = execution.import_batch_apply(
            batch_id=checked(program, admin, as_mentors(*mentees)).pk
        )
        assert batch.status == ImportStatus.APPLIED, batch.report
        assert statuses(program, mentees) == [ACTIVE, WAITLISTED, WAITLISTED]
        waiting = Enrolment.objects.filter(program=program, status=WAITLISTED).order_by(
            "waitlisted_at", "pk"
        )
        assert [e.person for e in waiting] == mentees[1:]  # in file order
        assert all(e.waitlist_approved for e in waiting)  # the admin's import approved them
        assert batch.report["waitlisted"] == [
            {"email": person.email, "role": Role.MENTOR} for person in mentees[1:]
        ]

    def test_a_full_role_takes_nobody_in(self, full):
        program, admin, mentees = full
        program.mentor_limit = 1
        program.save()
        execution.import_batch_apply(batch_id=checked(program, admin, as_mentors(mentees[0])).pk)
        assert statuses(program, mentees[:1]) == [WAITLISTED]

    def test_no_limit_no_waitlist(self, full):
        program, admin, mentees = full
        program.mentor_limit = None
        program.save()
        batch = execution.import_batch_apply(
            batch_id=checked(program, admin, as_mentors(*mentees)).pk
        )
        assert statuses(program, mentees) == [ACTIVE] * 3
        assert batch.report["waitlisted"] == []

    def test_the_result_page_and_the_api_say_who_waits(self, full, client):
        program, admin, mentees = full
        batch = execution.import_batch_apply(
            batch_id=checked(program, admin, as_mentors(*mentees)).pk
        )
        client.force_login(admin)
        page = client.get(reverse("program_import_preview", args=[program.slug, batch.pk]))
        text = " ".join(page.content.decode().split())
        assert "<strong>2</strong> new roles wait on the" in text
        assert f"{mentees[1].email} as mentor, {mentees[2].email} as mentor." in text
        answer = client.get(f"/api/programs/{program.slug}/import/{batch.pk}").json()
        assert answer["waitlisted"] == batch.report["waitlisted"]


def test_the_write_takes_the_programs_lock(full):
    """The same lock as invite-by-email, joins and status changes (``program_lock``)."""
    program, admin, mentees = full
    batch = checked(program, admin, as_mentors(mentees[0]))
    with mock.patch.object(writing, "program_lock", wraps=program_lock) as lock:
        execution.import_batch_apply(batch_id=batch.pk)
    lock.assert_called_once_with(program_id=program.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["import", "invite"])
def test_an_import_and_an_invitation_by_email_at_once(postgres_only, first):
    """Both invite the same address: whichever holds the program's lock first commits, the
    other waits for it and then finds its invitation; no duplicate-row error on either side
    (before, the invitation by email failed with a 500, or the import needlessly failed)."""
    program = ProgramFactory()
    admin = admin_of(program)
    batch = checked(program, admin, b"email,name,role\nsam@example.org,Sam,mentee\n")
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    real_apply = execution.import_apply

    def hold():
        holding.set()
        release.wait(10)

    def apply_and_hold(**kwargs):
        created = real_apply(**kwargs)
        hold()
        return created

    def run_import():
        if first == "import":
            with mock.patch.object(execution, "import_apply", apply_and_hold):
                return execution.import_batch_apply(batch_id=batch.pk)
        return execution.import_batch_apply(batch_id=batch.pk)

    def run_invite():
        with transaction.atomic():
            participant_invitations_invite(
                user=admin, program_id=program.pk, emails="sam@example.org", role=Role.MENTEE
            )
            if first == "invite":
                hold()

    def thread(target):
        def run():
            try:
                target()
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=run)

    leader, follower = (
        (thread(run_import), thread(run_invite))
        if first == "import"
        else (thread(run_invite), thread(run_import))
    )
    leader.start()
    assert holding.wait(10)
    follower.start()
    follower.join(0.5)  # it waits on the program's lock (before: it ran into the duplicate)
    release.set()
    leader.join()
    follower.join()
    assert errors == []
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED, batch.report
    assert ParticipantInvitation.objects.filter(program=program).count() == 1
