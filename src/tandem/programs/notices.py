"""Telling a program's admins: every app that has news for them (someone asks to join, a match
run ends, a mentorship ends early) calls ``program_admins_notify``, so "who hears" is the
program-admin rule, once. (A problem report goes to fewer: its readers leave out the pair it
is about, by ``mentorships.selectors.problem_report_readers``.) Call it inside the write's
transaction: the notifications are written with it and delivered (by each admin's own
preferences) only after it commits."""

from __future__ import annotations

from django.urls import reverse

from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.notify.services import notify_send, notify_send_each
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tandem.programs.selectors import program_admin_enrolments


def program_admins(*, program_id: int) -> list[User]:
    """The people who run the program now: active admin enrolments of active accounts."""
    ids = program_admin_enrolments(program_id=program_id).values("person_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def program_admins_notify(
    *,
    program: Program,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """Each admin of ``program`` but ``actor`` (whoever caused the news knows it already)."""
    return notify_send_each(
        recipients=[
            admin
            for admin in program_admins(program_id=program.pk)
            if actor is None or admin.pk != actor.pk
        ],
        kind=kind,
        title=title,
        body=body,
        url=url,
    )


def pending_people_url(program: Program) -> str:
    """The program's people page, showing those who wait for approval."""
    return reverse("program_participants", args=[program.slug]) + "?status=pending"


def enrolment_pending_notify(*, enrolment: Enrolment) -> list[Notification]:
    """Someone waits for approval: each admin hears who, in which role, and where to decide."""
    program = enrolment.program
    return program_admins_notify(
        program=program,
        kind=Kind.JOIN_PENDING,
        title=f"{enrolment.person.display_name} asks to join {program.name} as "
        f"{enrolment.get_role_display().lower()}",
        body="Their answers, if the program asks any, are on its people page: "
        "approve or remove them there.",
        url=pending_people_url(program),
    )


def waitlist_joined_notify(*, enrolment: Enrolment, position: int) -> list[Notification]:
    """Someone joined a full role: each admin hears who waits, and where the waitlist is."""
    program = enrolment.program
    return program_admins_notify(
        program=program,
        kind=Kind.JOIN_PENDING,
        title=f"{enrolment.person.display_name} is number {position} on the waitlist of "
        f"{program.name} as {enrolment.get_role_display().lower()}",
        body="All places in that role are taken. The first on the waitlist gets the next place "
        "that frees; you can also admit someone now from the people page.",
        url=reverse("program_participants", args=[program.slug]) + "?status=waitlisted",
    )


def waitlist_admitted_notify(*, enrolment: Enrolment) -> Notification | None:
    """Someone on the waitlist got a place: they hear whether they are in or await approval."""
    program = enrolment.program
    if enrolment.status == EnrolmentStatus.ACTIVE:
        body = (
            f"You are now an active {enrolment.role} of {program.name}: its pages are open to you."
        )
    else:
        body = "Your place now waits for approval by its admins; you will see it on its page."
    return notify_send(
        recipient=enrolment.person,
        kind=Kind.WAITLIST_ADMITTED,
        title=f"You have a place in {program.name} as {enrolment.get_role_display().lower()}",
        body=body,
        url=reverse("program_detail", args=[program.slug]),
    )


def program_admin_added_notify(*, admin: Enrolment, actor: User) -> list[Notification]:
    """Someone became an admin (made one, or accepted an invitation): every other active admin
    hears who and how, in the app (email only if they chose this kind); nobody's pairs."""
    program, person = admin.program, admin.person
    if actor.pk == person.pk:
        how = "They accepted an invitation to run it."
    else:
        how = f"{actor.display_name} made them an admin."
    return notify_send_each(
        recipients=[
            other
            for other in program_admins(program_id=program.pk)
            if other.pk not in (person.pk, actor.pk)
        ],
        kind=Kind.ADMIN_ADDED,
        title=f"{person.display_name} is now an admin of {program.name}",
        body=f"{how} Admins can approve people, run matching and add or remove admins; "
        "see them all on the people page.",
        url=reverse("program_participants", args=[program.slug]) + "?role=admin",
    )


def enrolment_left_notify(
    *, person: User, program: Program, roles: list[str], admitted: list[Enrolment]
) -> list[Notification]:
    """Someone left by themself: each admin hears who, as what, and who got the freed place."""
    words = " and ".join(sorted(str(Role(role).label).lower() for role in set(roles)))
    body = "Any request of theirs still open there was closed, and the other side told."
    if admitted:
        names = ", ".join(e.person.display_name for e in admitted)
        body += f" The place they held went to {names}, first on the waitlist."
    return program_admins_notify(
        program=program,
        kind=Kind.PARTICIPANT_LEFT,
        title=f"{person.display_name} left {program.name} (was {words})",
        body=body,
        url=reverse("program_participants", args=[program.slug]) + "?status=left",
        actor=person,
    )
