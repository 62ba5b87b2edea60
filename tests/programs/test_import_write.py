"""Issue 8 item 11: a large import's write is short (on SQLite it holds the one write lock).

It inserts its new rows in bulk without model instances (``imports.bulk``), its queries do not
grow with the number of rows, and its invitation emails go out from background tasks of
``EMAILS_PER_TASK`` queued after commit, not from the import's own task.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.matching.records.availability import to_utc_intervals
from tandem.people.models import Profile, User
from tandem.programs.imports import bulk, emails, execution, services
from tandem.programs.imports.emails import import_invitations_send_task
from tandem.programs.models import Enrolment, ImportStatus, ParticipantInvitation
from tests.programs.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db

HEADER = "email,name,role,skills,languages,timezone,availability,capacity\n"


def people_csv(count: int, start: int = 0) -> bytes:
    lines = [
        f"p{n}@example.org,Person {n},{'mentor' if n % 5 == 0 else 'mentee'},SQL;Python;dbt,"
        f"en;pt,Europe/Berlin,Mon 09:00-12:00; Thu 18:00-20:00,{2 if n % 5 == 0 else ''}\n"
        for n in range(start, start + count)
    ]
    return (HEADER + "".join(lines)).encode()


def checked(program, admin, content: bytes):
    """A previewed batch, confirmed (status applying), its tasks not run."""
    with mock.patch.object(services, "_enqueue"):
        batch = services.import_preview(
            user=admin, program_id=program.pk, filename="people.csv", content=content
        )
        execution.import_batch_check(batch_id=batch.pk)
        services.import_confirm(user=admin, program_id=program.pk, batch_id=batch.pk)
    return batch


def write_queries(program, admin, content: bytes) -> int:
    batch = checked(program, admin, content)
    with CaptureQueriesContext(connection) as queries:
        done = execution.import_batch_apply(batch_id=batch.pk)
    assert done.status == ImportStatus.APPLIED, done.report
    return len(queries)


def test_write_queries_do_not_grow_with_rows(program, admin):
    """600 new people (1,200 availability windows, 1,800 skill links) take the same queries as
    5: the old write sent a batch per 500 objects, building a model instance for each."""
    write_queries(program, admin, people_csv(1))  # creates the skills: 2 queries more
    few = write_queries(program, admin, people_csv(5, start=1))
    many = write_queries(program, admin, people_csv(600, start=6))
    assert many == few
    assert ParticipantInvitation.objects.filter(program=program).count() == 606
    assert Profile.objects.get(user__email="p605@example.org").windows.count() == 2


def test_invitation_emails_are_sent_by_tasks_queued_after_commit(
    program, admin, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """The import's own task sends no email: it queues one task per EMAILS_PER_TASK."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    member = member_of(program)
    outsider = UserFactory(email="out@example.org")
    content = people_csv(5) + f"{member.email},,mentee\n{outsider.email},,mentor\n".encode()
    batch = checked(program, admin, content)
    with (
        mock.patch.object(emails, "EMAILS_PER_TASK", 2),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert execution.import_batch_apply(batch_id=batch.pk).status == ImportStatus.APPLIED
    assert mailoutbox == []
    queued = [r for r in default_task_backend.results if r.task == import_invitations_send_task]
    assert [len(r.kwargs["invitation_ids"]) for r in queued] == [2, 2, 2]
    assert all(r.task.priority < 0 for r in queued)  # behind the checks and writes queued later
    invited = ParticipantInvitation.objects.filter(program=program)
    assert sorted(i for r in queued for i in r.kwargs["invitation_ids"]) == sorted(
        invited.values_list("pk", flat=True)
    )
    for result in queued:
        import_invitations_send_task.call(**result.kwargs)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(invited.values_list("email", flat=True))
    by_address = {m.to[0]: m.body for m in mailoutbox}
    for invitation in invited:
        assert f"/invited/{invitation.token}/" in by_address[invitation.email]
    assert "Set a password" in by_address["p1@example.org"]  # an account the import made
    assert "Set a password" not in by_address["out@example.org"]  # an existing account


def test_an_invitation_answered_before_its_task_runs_is_not_emailed(program, admin, mailoutbox):
    batch = checked(program, admin, people_csv(2))
    execution.import_batch_apply(batch_id=batch.pk)
    first, second = ParticipantInvitation.objects.order_by("email")
    first.declined_at = timezone.now()
    first.save()
    sent = emails.invitation_emails_send(invitation_ids=[first.pk, second.pk], set_password_ids=[])
    assert sent == 1
    assert [m.to[0] for m in mailoutbox] == [second.email]


class TestBulkInsert:
    def test_columns_not_given_get_their_defaults_and_json_is_stored_as_json(self):
        user = UserFactory()
        before = timezone.now() - timedelta(seconds=1)
        bulk.bulk_insert(
            Profile,
            fields=("user_id", "languages", "availability_utc", "seniority"),
            rows=[(user.pk, ["en", "pt"], [[480, 660]], None)],
        )
        profile = Profile.objects.get(user=user)
        assert profile.languages == ["en", "pt"]
        assert profile.availability_utc == [[480, 660]]
        assert profile.working_style == {}
        assert (profile.timezone, profile.meeting_format, profile.goals) == ("UTC", "any", "")
        assert profile.seniority is None and profile.manager_id is None
        assert profile.updated_at >= before

    def test_a_per_row_default_must_be_given(self):
        with pytest.raises(ValueError, match="date_joined"):
            bulk.bulk_insert(User, fields=("email", "username"), rows=[("a@b.c", "a")])
        assert not User.objects.filter(email="a@b.c").exists()

    def test_ids_are_those_of_the_rows_inserted(self):
        UserFactory(email="before@example.org")
        now = timezone.now()
        rows = [(f"n{n}@example.org", f"n{n}@example.org", now) for n in range(3)]
        ids = bulk.bulk_insert_ids(
            User, fields=("email", "username", "date_joined"), rows=rows, key="email"
        )
        assert ids == dict(User.objects.filter(email__startswith="n").values_list("email", "pk"))

    def test_ids_outside_the_expected_range_are_still_found(self):
        """Should a sequence hand out ids below the last one seen, they are looked up by key."""
        now = timezone.now()
        rows = [(f"m{n}@example.org", f"m{n}@example.org", now) for n in range(3)]
        with mock.patch.object(bulk, "_last_pk", return_value=10**12):
            ids = bulk.bulk_insert_ids(
                User, fields=("email", "username", "date_joined"), rows=rows, key="email"
            )
        assert ids == dict(User.objects.filter(email__startswith="m").values_list("email", "pk"))


def test_availability_is_converted_in_the_time_zone_the_profile_ends_with(program, admin):
    """``import_prepare`` converts availability before the transaction: in the file's time
    zone, else the member's stored one, else UTC, as the write itself would."""
    member = member_of(program)
    Profile.objects.update_or_create(user=member, defaults={"timezone": "Asia/Tokyo"})
    content = (
        "email,role,timezone,availability\n"
        f"{member.email},mentee,,Mon 09:00-12:00\n"
        "new@example.org,mentee,Europe/Berlin,Mon 09:00-12:00\n"
        "utc@example.org,mentee,,Mon 09:00-12:00\n"
    ).encode()
    batch = checked(program, admin, content)
    assert execution.import_batch_apply(batch_id=batch.pk).status == ImportStatus.APPLIED
    today = timezone.now().date()
    for email, tz in (
        (member.email, "Asia/Tokyo"),
        ("new@example.org", "Europe/Berlin"),
        ("utc@example.org", "UTC"),
    ):
        profile = Profile.objects.get(user__email=email)
        assert profile.timezone == tz
        assert profile.availability_utc == to_utc_intervals([(0, 540, 720)], tz, today), email


def members(program, count: int, start: int) -> list[str]:
    emails = [f"m{n}@example.org" for n in range(start, start + count)]
    users = User.objects.bulk_create([User(email=e, username=e) for e in emails])
    Profile.objects.bulk_create([Profile(user=u, goals="old") for u in users])
    Enrolment.objects.bulk_create(
        [Enrolment(program=program, person=u, role="mentee", status="active") for u in users]
    )
    return emails


def test_updating_members_takes_the_same_queries_for_5_or_600(program, admin):
    """Django's bulk_update sent one CASE WHEN statement per 500 objects (17 s of Python in
    the transaction for 26,000 profiles); the import now sends one executemany."""
    header = "email,name,role,goals,availability\n"

    def update(emails):
        rows = "".join(f"{e},New Name,mentee,new goals,Tue 09:00-10:00\n" for e in emails)
        return write_queries(program, admin, (header + rows).encode())

    few = update(members(program, 5, start=0))
    many = update(members(program, 600, start=5))
    assert many == few
    profile = Profile.objects.select_related("user").get(user__email="m604@example.org")
    assert (profile.goals, profile.user.first_name, profile.user.last_name) == (
        "new goals",
        "New",
        "Name",
    )
    assert list(profile.windows.values_list("weekday", "start_minute")) == [(1, 540)]
