"""Admins are told: someone asks to join, a match run finishes or fails, a mentorship ends
early, a participant reports a problem. Each event reaches exactly the program's active admins
(not a deactivated account, not a paused admin enrolment, not another program's admin, not
the person who caused it), each by their own preferences (email now, the daily digest, or the
app only), and never carries what the pair wrote."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from django.core import mail

from tandem.core.exceptions import ApplicationError
from tandem.matchruns import engine
from tandem.matchruns import services as run_services
from tandem.mentorships import services as mentorship_services
from tandem.notify.kinds import ALL_KINDS, Kind
from tandem.notify.models import Notification
from tandem.notify.services import preference_update
from tandem.notify.tasks import digests_run
from tandem.programs import services as program_services
from tandem.programs.imports import services as import_services
from tandem.programs.models import EnrolmentStatus, ParticipantInvitation, Role
from tests.matchruns.factories import mentee as run_mentee
from tests.matchruns.factories import mentor as run_mentor
from tests.mentorships.factories import UserFactory, member, mentorship
from tests.programs.factories import EnrolmentFactory, InvitationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

SECRET = "my mentor keeps cancelling and I feel unsafe"


@pytest.fixture
def cast():
    """A program with three admins who differ only by their email preference, and everyone
    who must hear nothing."""
    program = ProgramFactory(name="Northwind Mentoring")
    emailed = member(program, Role.ADMIN)
    digest = member(program, Role.ADMIN)
    quiet = member(program, Role.ADMIN)
    preference_update(user=digest, email_kinds=ALL_KINDS, daily_digest=True)
    preference_update(
        user=quiet,
        email_kinds=[
            kind
            for kind in ALL_KINDS
            if kind
            not in (Kind.JOIN_PENDING, Kind.MATCH_RUN, Kind.ENDED_EARLY, Kind.PROBLEM_REPORTED)
        ],
        daily_digest=False,
    )
    deactivated = member(program, Role.ADMIN)
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    paused = member(program, Role.ADMIN, status=EnrolmentStatus.PAUSED)
    other_admin = member(ProgramFactory(), Role.ADMIN)
    staff = UserFactory(is_staff=True, is_superuser=True)
    return {
        "program": program,
        "emailed": emailed,
        "digest": digest,
        "quiet": quiet,
        "silent": [deactivated, paused, other_admin, staff],
    }


def told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def admins(cast) -> set[int]:
    return {cast["emailed"].pk, cast["digest"].pk, cast["quiet"].pk}


def assert_delivered_by_preference(
    cast, kind: str, capture, *, words: str = ""
) -> list[Notification]:
    """Each admin once; by email now only the one who wants it; the digest one in their digest;
    the one who turned the kind off in the app only."""
    notes = list(Notification.objects.filter(kind=kind))
    assert told(kind) == admins(cast)
    assert len(notes) == 3
    watched = {cast[key].email for key in ("emailed", "digest", "quiet")}
    watched |= {person.email for person in cast["silent"]}
    now = [message for message in mail.outbox if set(message.to) & watched]
    assert [message.to for message in now] == [[cast["emailed"].email]]
    if words:
        assert words in now[0].subject
    mail.outbox.clear()
    with capture(execute=True):
        digests_run(datetime(2030, 1, 1, 8, tzinfo=UTC))
    assert [message.to for message in mail.outbox] == [[cast["digest"].email]]
    assert notes[0].title in mail.outbox[0].body
    return notes


def test_asking_to_join_tells_the_admins_with_a_link_to_the_pending_people(
    cast, django_capture_on_commit_callbacks
):
    program = cast["program"]
    invitation = InvitationFactory(program=program, role=Role.MENTOR)
    joiner = UserFactory(first_name="Quinn", last_name="Hale")
    with django_capture_on_commit_callbacks(execute=True):
        program_services.enrolment_join_by_invitation(user=joiner, token=invitation.token)
    notes = assert_delivered_by_preference(
        cast, Kind.JOIN_PENDING, django_capture_on_commit_callbacks, words="asks to join"
    )
    assert notes[0].title == f"{joiner.display_name} asks to join Northwind Mentoring as mentor"
    assert notes[0].url == f"/programs/{program.slug}/participants/?status=pending"


def test_joining_through_a_link_that_approves_at_once_tells_nobody(
    cast, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(program=cast["program"], auto_approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        program_services.enrolment_join_by_invitation(user=UserFactory(), token=invitation.token)
    assert not Notification.objects.filter(kind=Kind.JOIN_PENDING).exists()
    assert mail.outbox == []


def test_a_removed_person_returning_through_an_import_invitation_is_a_pending_approval(
    cast, django_capture_on_commit_callbacks
):
    program = cast["program"]
    person = UserFactory()
    EnrolmentFactory(program=program, person=person, role=Role.MENTEE, status="removed")
    invitation = ParticipantInvitation.objects.create(
        program=program, email=person.email, role=Role.MENTEE, token=secrets.token_urlsafe(32)
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_services.participant_invitation_answer(
            user=person, token=invitation.token, accept=True
        )
    assert told(Kind.JOIN_PENDING) == admins(cast)


def test_a_refused_join_tells_nobody(cast, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(program=cast["program"])
    joiner = UserFactory()
    joined = program_services.enrolment_join_by_invitation(user=joiner, token=invitation.token)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        # The same join again is a retry: it answers the same and tells nobody either.
        program_services.enrolment_join_by_invitation(user=joiner, token=invitation.token)
    joined.status = EnrolmentStatus.REMOVED
    joined.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        program_services.enrolment_join_by_invitation(user=joiner, token=invitation.token)
    assert not Notification.objects.exists()


@pytest.fixture
def run_cohort(cast, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    program = cast["program"]
    run_mentee(program, first_name="Ada", goals="learn SQL", wanted=["SQL"], seniority=2)
    run_mentee(program, first_name="Bea", goals="learn UX", wanted=["UX design"], seniority=2)
    run_mentor(program, first_name="Dana", capacity=1, offered=["SQL"], seniority=6)
    return program


def test_a_finished_match_run_tells_the_admins_with_a_link_to_the_run(
    cast, run_cohort, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = run_services.match_run_start(user=cast["emailed"], program=run_cohort)
    run.refresh_from_db()
    assert run.status == "done"
    # The admin who started it is told too: the run finishes long after they clicked.
    notes = assert_delivered_by_preference(
        cast, Kind.MATCH_RUN, django_capture_on_commit_callbacks, words="ready for review"
    )
    assert notes[0].url == f"/programs/{run_cohort.slug}/match-runs/{run.pk}/"
    assert "1 pair and leaves 1 person unmatched" in notes[0].body


def test_a_failed_match_run_tells_the_admins(
    cast, run_cohort, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ValueError("the solver ran out of memory")

    monkeypatch.setattr(engine, "solve", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_services.match_run_start(user=cast["emailed"], program=run_cohort)
    run.refresh_from_db()
    assert run.status == "failed"
    notes = assert_delivered_by_preference(
        cast, Kind.MATCH_RUN, django_capture_on_commit_callbacks, words="failed"
    )
    assert notes[0].url == f"/programs/{run_cohort.slug}/match-runs/{run.pk}/"


def test_a_run_discarded_while_it_failed_stays_discarded_and_tells_nobody(
    cast, run_cohort, monkeypatch, django_capture_on_commit_callbacks
):
    def discard_then_break(*args, **kwargs):
        from tandem.matchruns.models import MatchRun

        MatchRun.objects.update(status="discarded")
        raise ValueError("boom")

    monkeypatch.setattr(engine, "solve", discard_then_break)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_services.match_run_start(user=cast["emailed"], program=run_cohort)
    run.refresh_from_db()
    assert run.status == "discarded"
    assert not Notification.objects.filter(kind=Kind.MATCH_RUN).exists()


def test_an_early_end_tells_the_admins_names_and_date_never_the_reason(
    cast, django_capture_on_commit_callbacks
):
    m = mentorship(program=cast["program"])
    with django_capture_on_commit_callbacks(execute=True):
        mentorship_services.mentorship_end_early(user=m.mentee, mentorship_id=m.pk, reason=SECRET)
    notes = assert_delivered_by_preference(
        cast, Kind.ENDED_EARLY, django_capture_on_commit_callbacks, words="ended early"
    )
    note = notes[0]
    assert m.mentor.display_name in note.title and m.mentee.display_name in note.title
    assert "Northwind Mentoring" in note.title
    assert f"{m.mentee.display_name} ended it on" in note.body
    assert note.url == f"/mentorships/{m.pk}/"
    everything = " ".join(
        [n.title + n.body for n in Notification.objects.all()]
        + [message.subject + message.body for message in mail.outbox]
    )
    assert SECRET not in everything and "unsafe" not in everything


def test_an_admin_who_is_one_of_the_pair_is_not_told_what_they_did(
    cast, django_capture_on_commit_callbacks
):
    program = cast["program"]
    m = mentorship(program=program, mentor=cast["quiet"])
    with django_capture_on_commit_callbacks(execute=True):
        mentorship_services.mentorship_end_early(user=cast["quiet"], mentorship_id=m.pk, reason="x")
    assert told(Kind.ENDED_EARLY) == {cast["emailed"].pk, cast["digest"].pk}


def test_a_reported_problem_tells_the_admins_without_its_text(
    cast, django_capture_on_commit_callbacks
):
    m = mentorship(program=cast["program"])
    with django_capture_on_commit_callbacks(execute=True):
        report = mentorship_services.problem_report_create(
            user=m.mentee, mentorship_id=m.pk, text=SECRET
        )
    notes = assert_delivered_by_preference(
        cast, Kind.PROBLEM_REPORTED, django_capture_on_commit_callbacks, words="reported a problem"
    )
    assert notes[0].url == f"/mentorships/{m.pk}/#problems"
    assert not Notification.objects.filter(recipient__in=[m.mentor, m.mentee]).exists()
    everything = " ".join(
        [n.title + n.body for n in Notification.objects.all()]
        + [message.subject + message.body for message in mail.outbox]
    )
    assert SECRET not in everything and "unsafe" not in everything
    assert report.text == SECRET


def test_the_admin_kinds_are_on_the_preferences_page_under_their_own_heading(client, cast):
    client.force_login(cast["quiet"])
    page = client.get("/notifications/settings/").content.decode()
    assert "Programs you run (program admins only)" in page
    for kind in (Kind.JOIN_PENDING, Kind.MATCH_RUN, Kind.ENDED_EARLY, Kind.PROBLEM_REPORTED):
        assert f'value="{kind.value}"' in page


def test_the_migration_turns_the_admin_kinds_on_for_whoever_gets_any_email():
    from importlib import import_module

    from django.apps import apps

    from tandem.notify.kinds import ADMIN_KINDS
    from tandem.notify.models import NotificationPreference

    migration = import_module("tandem.notify.migrations.0002_email_admins_new_kinds")
    some, none = UserFactory(), UserFactory()
    NotificationPreference.objects.create(user=some, email_kinds=["meeting"])
    NotificationPreference.objects.create(user=none, email_kinds=[])
    migration.add_admin_kinds(apps, None)
    added = ["meeting", *migration.ADMIN_KINDS]
    assert NotificationPreference.objects.get(user=some).email_kinds == added
    assert NotificationPreference.objects.get(user=none).email_kinds == []
    # The kinds that existed then; a later one (admin_added) is not added to saved choices.
    assert ADMIN_KINDS[:4] == migration.ADMIN_KINDS


def test_leaving_a_program_tells_the_admins_once(cast, django_capture_on_commit_callbacks):
    """Leftovers review 2: someone left by themself and no admin heard of it."""
    from tandem.programs.services.leaving import enrolment_leave

    program = cast["program"]
    preference_update(
        user=cast["quiet"],
        email_kinds=[kind for kind in ALL_KINDS if kind != Kind.PARTICIPANT_LEFT],
        daily_digest=False,
    )
    leaver = member(program, Role.MENTEE)
    EnrolmentFactory(program=program, person=leaver, role=Role.MENTOR)
    for _ in range(2):  # a double click leaves once, and tells once
        with django_capture_on_commit_callbacks(execute=True):
            enrolment_leave(user=leaver, slug=program.slug)
    notes = assert_delivered_by_preference(
        cast, Kind.PARTICIPANT_LEFT, django_capture_on_commit_callbacks, words="left"
    )
    assert (
        notes[0].title == f"{leaver.display_name} left Northwind Mentoring (was mentee and mentor)"
    )
    assert notes[0].url == f"/programs/{program.slug}/participants/?status=left"


def test_an_admin_who_leaves_their_mentee_role_is_not_told_about_it():
    from tandem.programs.services.leaving import enrolment_leave

    program = ProgramFactory()
    admin = member(program, Role.ADMIN)
    other = member(program, Role.ADMIN)
    EnrolmentFactory(program=program, person=admin, role=Role.MENTEE)
    enrolment_leave(user=admin, slug=program.slug)
    assert told(Kind.PARTICIPANT_LEFT) == {other.pk}
