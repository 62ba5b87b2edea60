"""The demo that `make run` loads: the generated program, plus what a newcomer should be able to
click through at once — a self-serve program with ranked mentors, and one mentorship already
under way (a signed agreement whose objectives became goals, a biweekly meeting
series and an action item).

Everything goes through the same services people use, and every step is idempotent, so a second
`make run` keeps what users changed. It lives above the apps because it spans them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from tandem.demo.program import DEMO_ADMIN_EMAIL, DEMO_PROGRAM_SLUG, DemoLogin, load_demo_program
from tandem.mentorships import services as mentorship_services
from tandem.mentorships.models import Mentorship
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, MatchingMode, Program, Role
from tandem.programs.services import program_create

SELF_SERVE_NAME = "Demo Self-Serve Circle"
SELF_SERVE_SHARE = 0.5
DEMO_AGREEMENT = {
    "objectives": [
        {
            "goal": "Tell a clear story with data to executives",
            "measure": "Present one quarterly review built around a single message",
            "target_date": "",
        },
        {
            "goal": "Get faster feedback on dashboards",
            "measure": "Two dashboards reviewed by a stakeholder before release",
            "target_date": "",
        },
    ],
    "mentor_expectations": "Come with one concrete artefact to discuss; say early when stuck.",
    "mentee_expectations": "Candid feedback, examples from real reviews, replies within 2 days.",
    "focus_areas": "data storytelling, dashboard design, stakeholder communication",
    "desired_outcomes": "Confidence to lead the quarterly data review on my own.",
}


def seed_demo(*, people: int, seed: int) -> list[DemoLogin]:
    logins = load_demo_program(people=people, seed=seed)
    emails = {login.role: login.email for login in logins}
    if "mentor" in emails and "mentee" in emails:
        mentor = User.objects.get(email=emails["mentor"])
        mentee = User.objects.get(email=emails["mentee"])
        seed_self_serve_program(first_mentee=mentee)
        seed_mentorship_under_way(mentor=mentor, mentee=mentee)
    return logins


def seed_self_serve_program(*, first_mentee: User) -> Program:
    """A self-serve program with half of the demo people, so mentees can browse mentors."""
    existing = Program.objects.filter(name=SELF_SERVE_NAME).first()
    if existing is not None:
        return existing
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    with transaction.atomic():
        program = program_create(
            user=admin,
            name=SELF_SERVE_NAME,
            matching_mode=MatchingMode.SELF_SERVE,
            description="Mentees pick a mentor from a ranked list with the reasons for each.",
        )
        source = (
            Enrolment.objects.filter(program__slug=DEMO_PROGRAM_SLUG, status=EnrolmentStatus.ACTIVE)
            .exclude(role=Role.ADMIN)
            .order_by("person__email")
        )
        chosen = [
            e
            for k, e in enumerate(source)
            if k % round(1 / SELF_SERVE_SHARE) == 0 or e.person_id == first_mentee.pk
        ]
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    program=program,
                    person_id=e.person_id,
                    role=e.role,
                    capacity=e.capacity,
                    status=EnrolmentStatus.ACTIVE,
                )
                for e in chosen
            ]
        )
    return program


def seed_mentorship_under_way(*, mentor: User, mentee: User) -> Mentorship | None:
    """The demo mentor and mentee already work together in the cohort program."""
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    if Mentorship.objects.filter(program=program, mentor=mentor, mentee=mentee).exists():
        return None
    with transaction.atomic():
        request = mentorship_services.request_create(
            sender=mentee,
            program_id=program.pk,
            recipient_id=mentor.pk,
            message="I'd love help turning my analyses into stories that executives act on.",
        )
        mentorship = mentorship_services.request_accept(user=mentor, request_id=request.pk)
        draft = mentorship.agreement_versions.latest("number").content
        version, _created = mentorship_services.agreement_propose(
            user=mentee, mentorship_id=mentorship.pk, content={**draft, **DEMO_AGREEMENT}
        )
        for person in (mentor, mentee):
            mentorship_services.agreement_sign(
                user=person, mentorship_id=mentorship.pk, number=version.number
            )
        first = next_weekday_at(mentor, weekday=1, hour=16)
        mentorship_services.meeting_schedule(
            user=mentor,
            mentorship_id=mentorship.pk,
            starts_at=first,
            ends_at=first + timedelta(minutes=45),
            format="video",
            repeat="biweekly",
            count=6,
        )
        mentorship_services.action_item_create(
            user=mentor,
            mentorship_id=mentorship.pk,
            owner_id=mentee.pk,
            description="Bring one chart you are unhappy with to our first meeting",
            due_on=first.date(),
        )
    return mentorship


def next_weekday_at(person: User, *, weekday: int, hour: int) -> datetime:
    """The next ``weekday`` (Monday = 0) at ``hour`` in the person's own time zone, in UTC."""
    zone = ZoneInfo(getattr(getattr(person, "profile", None), "timezone", None) or "UTC")
    today = timezone.now().astimezone(zone).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(ZoneInfo("UTC"))
