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

from tandem.core.exceptions import ApplicationError
from tandem.demo.history import seed_history_program
from tandem.demo.people import DEMO_DOMAIN
from tandem.demo.program import (
    DEMO_ADMIN_EMAIL,
    DEMO_PROGRAM_SLUG,
    SELF_SERVE_SLUG,
    DemoLogin,
    load_demo_program,
)
from tandem.feedback.selectors.health import active_mentorships
from tandem.feedback.services import health as health_services
from tandem.mentorships import services as mentorship_services
from tandem.mentorships.models import Mentorship
from tandem.messaging import services as messaging_services
from tandem.people.models import User
from tandem.people.services.vectors import profile_vectors_fill_later
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
    "mentor_expectations": "Candid feedback, examples from real reviews, replies within 2 days.",
    "mentee_expectations": "Come with one concrete artefact to discuss; say early when stuck.",
    "focus_areas": "data storytelling, dashboard design, stakeholder communication",
    "desired_outcomes": "Confidence to lead the quarterly data review on my own.",
}


def seed_demo(*, people: int, seed: int, history: bool = True) -> list[DemoLogin]:
    """The demo programs and their logins. ``history`` adds the program with six quarters of
    past (``tandem.demo.history``), three times the size of ``people``."""
    logins = load_demo_program(people=people, seed=seed)
    emails = {login.role: login.email for login in logins}
    if "mentor" in emails and "mentee" in emails:
        mentor = User.objects.get(email=emails["mentor"])
        mentee = User.objects.get(email=emails["mentee"])
        seed_self_serve_program(first_mentee=mentee)
        seed_mentorship_under_way(mentor=mentor, mentee=mentee)
        seed_health_variety(mentor=mentor, mentee=mentee)
    if history:
        seed_history_program(people=3 * people, mentorships=3 * people // 2, seed=seed)
        with transaction.atomic():  # the history's people were written in bulk too
            profile_vectors_fill_later()
    return logins


def seed_self_serve_program(*, first_mentee: User) -> Program:
    """A self-serve program with half of the demo people, so mentees can browse mentors. Found
    by its slug, which stays when an admin renames it."""
    existing = Program.objects.filter(slug=SELF_SERVE_SLUG).first()
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
        if program.slug != SELF_SERVE_SLUG:  # another program already had the name
            program.slug = SELF_SERVE_SLUG
            program.save(update_fields=["slug"])
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


def signed_mentorship(*, program: Program, mentor: User, mentee: User, message: str) -> Mentorship:
    """The mentee asks, the mentor accepts, both sign the demo agreement: active."""
    request = mentorship_services.request_create(
        sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message=message
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
    return mentorship


def seed_mentorship_under_way(*, mentor: User, mentee: User) -> Mentorship | None:
    """The demo mentor and mentee already work together in the cohort program. Left out when
    the program refuses the request, as it would refuse theirs: one of them left it or was
    paused or removed by an admin, or the mentor has no place (a demo login deleted and made
    again on this start has no mentorship yet)."""
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    if Mentorship.objects.filter(program=program, mentor=mentor, mentee=mentee).exists():
        return None
    try:
        return _mentorship_under_way(program=program, mentor=mentor, mentee=mentee)
    except ApplicationError:
        return None


@transaction.atomic
def _mentorship_under_way(*, program: Program, mentor: User, mentee: User) -> Mentorship:
    mentorship = signed_mentorship(
        program=program,
        mentor=mentor,
        mentee=mentee,
        message="I'd love help turning my analyses into stories that executives act on.",
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


# Two more demo pairs whose story began weeks ago, so the health pages have something to show:
# (mentor number, mentee number, days since the agreement was signed, still writing?).
HEALTH_PAIRS = ((2, 2, 70, False), (3, 3, 46, True))


def seed_health_variety(*, mentor: User, mentee: User) -> list[Mentorship]:
    """A stalled pair (signed ten weeks ago, never met nor written) and an at-risk one (over
    six weeks without a meeting, still writing), then every demo mentorship's health."""
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    created = []
    for mentor_n, mentee_n, days, writing in HEALTH_PAIRS:
        pair_mentor = _demo_person(program, _numbered(_demo_id(program, mentor), mentor_n))
        pair_mentee = _demo_person(program, _numbered(_demo_id(program, mentee), mentee_n))
        if pair_mentor is None or pair_mentee is None:
            continue
        if Mentorship.objects.filter(
            program=program, mentor=pair_mentor, mentee=pair_mentee
        ).exists():
            continue
        try:
            mentorship = _pair_with_a_past(
                program=program, mentor=pair_mentor, mentee=pair_mentee, days=days, writing=writing
            )
        except ApplicationError:  # refused, as for the mentorship under way
            continue
        created.append(mentorship)
    health_services.health_refresh(
        mentorships=list(active_mentorships().filter(program=program)), now=timezone.now()
    )
    return created


@transaction.atomic
def _pair_with_a_past(
    *, program: Program, mentor: User, mentee: User, days: int, writing: bool
) -> Mentorship:
    mentorship = signed_mentorship(
        program=program,
        mentor=mentor,
        mentee=mentee,
        message="Could you help me grow as an analyst?",
    )
    # The demo's one shortcut: the pair signed ``days`` ago.
    Mentorship.objects.filter(pk=mentorship.pk).update(
        activated_at=timezone.now() - timedelta(days=days)
    )
    if writing:
        for person, body in (
            (mentee, "Sorry, a busy month. Could we find a time next week?"),
            (mentor, "Of course. I will send a few options."),
        ):
            conversation = messaging_services.conversation_for_mentorship(
                user=person, mentorship_id=mentorship.pk
            )
            messaging_services.message_send(
                user=person, conversation_id=conversation.pk, body=body, client_id="demo"
            )
    return mentorship


def _demo_id(program: Program, person: User) -> str:
    """The person's demo id in the program (``mentor001``), or their address's name part."""
    held = (
        Enrolment.objects.filter(program=program, person=person)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
        .first()
    )
    return held or person.email.partition("@")[0]


def _demo_person(program: Program, demo_id: str) -> User | None:
    """Who holds the demo id in the program (their address may have changed since), else the
    account with its demo address."""
    enrolment = (
        Enrolment.objects.filter(program=program, external_id=demo_id)
        .select_related("person")
        .first()
    )
    if enrolment is not None:
        return enrolment.person
    return User.objects.filter(email=f"{demo_id}@{DEMO_DOMAIN}").first()


def _numbered(demo_id: str, number: int) -> str:
    """``mentor001`` becomes ``mentor002`` for ``number`` 2."""
    digits = len(demo_id) - len(demo_id.rstrip("0123456789"))
    if not digits:
        return demo_id
    return f"{demo_id[:-digits]}{number:0{digits}d}"


def next_weekday_at(person: User, *, weekday: int, hour: int) -> datetime:
    """The next ``weekday`` (Monday = 0) at ``hour`` in the person's own time zone, in UTC."""
    zone = ZoneInfo(getattr(getattr(person, "profile", None), "timezone", None) or "UTC")
    today = timezone.now().astimezone(zone).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(ZoneInfo("UTC"))
