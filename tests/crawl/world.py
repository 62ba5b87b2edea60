"""The people the crawl logs in as, on the demo data `tandem run` loads, and what it compares."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from tandem.demo.program import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_PROGRAM_SLUG
from tandem.demo.seed import seed_demo
from tandem.matchruns.execution import match_run_execute
from tandem.matchruns.models import MatchRun
from tandem.matchruns.services import match_run_start
from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, Invitation, Program, Role
from tandem.programs.services import invitation_create, program_update

PROGRAM_ADMIN_EMAIL = "program.admin@demo.tandem.test"
ROLES = ("site admin", "program admin", "mentor", "mentee")
# Columns a request may rightly touch without the person changing anything.
IGNORED_COLUMNS = frozenset({"updated_at", "modified_at", "last_login", "last_seen_at"})


def seed(*, people: int, seed_value: int = 7) -> dict[str, str]:
    """Load the demo as `tandem run` does, without the history program (its insight pages are
    the other programs' pages again, and its rows double the crawl's time); add a program admin
    who is not site staff."""
    demo = seed_demo(people=people, seed=seed_value, history=False)
    logins = {login.role: login.email for login in demo}
    ensure_program_admin()
    fill_the_blanks()
    checkins_waiting(mentor=logins["mentor"], mentee=logins["mentee"])
    return {
        "site admin": DEMO_ADMIN_EMAIL,
        "program admin": PROGRAM_ADMIN_EMAIL,
        "mentor": logins["mentor"],
        "mentee": logins["mentee"],
    }


def ensure_program_admin() -> User:
    user = User.objects.filter(email=PROGRAM_ADMIN_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=PROGRAM_ADMIN_EMAIL,
            password=DEMO_PASSWORD,
            first_name="Pat",
            last_name="Programme",
            email_verified_at=timezone.now(),
        )
        Profile.objects.update_or_create(
            user=user, defaults={"timezone": "Europe/Paris", "languages": ["en"]}
        )
    for program in Program.objects.all():
        Enrolment.objects.get_or_create(
            program=program,
            person=user,
            defaults={"role": Role.ADMIN, "status": EnrolmentStatus.ACTIVE},
        )
    return user


def checkins_waiting(*, mentor: str, mentee: str) -> None:
    """A pulse check-in waiting for each of the demo pair, so its pages are reached (from the
    mentorship page and the dashboard); the mentor's is answered with one answer shared."""
    from tandem.feedback.models import CheckIn, CheckInKind
    from tandem.feedback.questions import DEFAULT_QUESTIONS
    from tandem.feedback.services.checkins import checkin_answer
    from tandem.mentorships.models import Mentorship

    pair = Mentorship.objects.filter(mentor__email=mentor, mentee__email=mentee).first()
    if pair is None or CheckIn.objects.filter(mentorship=pair).exists():
        return
    for person in (pair.mentor, pair.mentee):
        CheckIn.objects.create(
            mentorship=pair,
            author=person,
            kind=CheckInKind.PULSE,
            sequence=1,
            questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
            due_at=timezone.now() - timedelta(hours=1),
        )
    checkin_answer(
        user=pair.mentor,
        checkin_id=CheckIn.objects.get(mentorship=pair, author=pair.mentor).pk,
        answers={"progress": 3, "meeting_useful": 4, "blocking": "Time before the release"},
        shared_keys=["progress"],
    )


def fill_the_blanks() -> None:
    """What the demo leaves empty but a page shows when set: program dates (the date inputs
    an untouched edit must keep), an invitation that expires, a finished match run."""
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    today = timezone.localdate()
    for program in Program.objects.filter(starts_on__isnull=True):
        program_update(
            user=admin,
            program_id=program.pk,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=150),
        )
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    if not Invitation.objects.filter(program=program, expires_at__isnull=False).exists():
        invitation_create(
            user=admin,
            program_id=program.pk,
            role=Role.MENTOR,
            expires_at=timezone.now() + timedelta(days=30),
            max_uses=5,
        )
    if not MatchRun.objects.filter(program=program).exists():
        run = match_run_start(user=admin, program=program)
        match_run_execute(run_id=run.pk)


def snapshot() -> dict[str, dict[object, dict[str, object]]]:
    """Every row of Tandem's own tables, by table and primary key."""
    tables = {}
    for model in apps.get_models():
        if not model.__module__.startswith("tandem.") or model._meta.proxy:
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        tables[model._meta.db_table] = {
            row["pk"]: {c: row[c] for c in columns}
            for row in model._base_manager.values("pk", *columns)
        }
    return tables
