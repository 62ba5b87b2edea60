"""The mentorship state machine; signing the agreement (``agreement.py``) activates it.

    proposed ──(both sign the agreement)──> active ──(end date reached)──> completed
        │                                      │
        └────(either side or an admin ends)────┴──> ended_early

Every transition goes through ``transition``, which refuses anything not in ``TRANSITIONS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from tandem.core.exceptions import ApplicationError
from tandem.mentorships.models import (
    OPEN_STATES,
    AgreementVersion,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Mentorship,
    MentorshipRequest,
    MentorshipState,
)
from tandem.mentorships.selectors import access_mentorship
from tandem.mentorships.services.agreement_content import agreement_defaults, agreement_prefill
from tandem.mentorships.services.common import (
    MENTORSHIP_CLOSED,
    capacity_of,
    event_add,
    event_add_and_notify_other,
    lock_mentor_enrolment,
    mentorship_url,
    notify_both,
)
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, reminder_claim
from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, ProgramType, Role

TRANSITIONS: dict[str, set[str]] = {
    MentorshipState.PROPOSED: {MentorshipState.ACTIVE, MentorshipState.ENDED_EARLY},
    MentorshipState.ACTIVE: {MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY},
    MentorshipState.COMPLETED: set(),
    MentorshipState.ENDED_EARLY: set(),
}

INVALID_TRANSITION = "A mentorship that is {current} cannot become {target}."
PAIR_EXISTS = "{mentor} and {mentee} already have a mentorship in this program."
MATCH_NOT_MEMBER = "{person} is not an active {role} in this program."
MATCH_AT_CAPACITY = "{mentor} has no room for another mentee in this program."
MATCH_SAME_PERSON = "A person cannot mentor themselves."
MATCH_UNKNOWN_PERSON = "A matched person no longer has an account."
REFLECTION_REQUIRED = "Write a short closing reflection: what did you take from it?"
TOO_EARLY_TO_COMPLETE = (
    "This mentorship runs until {ends_on}; you can complete it from then. "
    "To stop sooner, end it early instead."
)
NOT_ACTIVE_YET = "This mentorship is not active yet: sign the agreement first."
MIDPOINT_NOT_DUE = (
    "The mid-point review opens on {midpoint_on}, halfway through your agreed dates; "
    "confirm the agreement from then."
)
TEXT_TOO_LONG = "Keep this under {limit} characters."


def transition(mentorship: Mentorship, target: str) -> None:
    if target not in TRANSITIONS[mentorship.state]:
        raise ApplicationError(
            INVALID_TRANSITION.format(
                current=mentorship.get_state_display().lower(),
                target=MentorshipState(target).label.lower(),
            ),
            status=409,
        )
    mentorship.state = target


def check_open(mentorship: Mentorship) -> None:
    if mentorship.state not in OPEN_STATES:
        raise ApplicationError(MENTORSHIP_CLOSED, status=409)


def mentorship_open(
    *,
    program: Program,
    mentor: User,
    mentee: User,
    actor: User | None = None,
    origin_request: MentorshipRequest | None = None,
    match_run_ref: str = "",
) -> Mentorship:
    """A new mentorship in the proposed state with a first agreement draft from the
    program's defaults. Callers hold the locks and have checked the rules."""
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                origin_request=origin_request,
                match_run_ref=match_run_ref,
            )
    except IntegrityError:
        raise ApplicationError(
            PAIR_EXISTS.format(mentor=mentor.display_name, mentee=mentee.display_name), status=409
        ) from None
    goals = Profile.objects.filter(user=mentee).values_list("goals", flat=True).first()
    AgreementVersion.objects.create(
        mentorship=mentorship,
        number=1,
        proposed_by=None,
        content=agreement_prefill(
            agreement_defaults(program=program, today=timezone.localdate()),
            goals=goals or "",
            # The mentee's own words only: in reverse mentoring the mentor sends the request.
            request_message=origin_request.message
            if origin_request and origin_request.sender_id == mentee.pk
            else "",
        ),
    )
    origin = "a request" if origin_request else "a program match"
    event_add(
        mentorship=mentorship,
        actor=actor,
        kind="created",
        summary=f"Mentorship proposed from {origin}.",
    )
    return mentorship


def _has_role(program: Program, person_id: int, role: str) -> bool:
    qs = Enrolment.objects.filter(
        program=program, person_id=person_id, status=EnrolmentStatus.ACTIVE
    )
    if program.program_type == ProgramType.PEER:
        return qs.exclude(role=Role.ADMIN).exists()
    return qs.filter(role=role).exists()


def mentorship_create_from_match(
    *, program: Program, pairs: Sequence[tuple[User | int, User | int]], match_run_ref: int | str
) -> list[Mentorship]:
    """Create one proposed mentorship per ``(mentor, mentee)`` pair (users or user ids) of a
    published match run, all or nothing: any pair that breaks a rule (not an active member in
    that role, mentor at capacity, pair already together) rolls the whole batch back."""
    ids = {getattr(p, "pk", p) for pair in pairs for p in pair}
    people = User.objects.in_bulk(ids)
    created = []
    with transaction.atomic():
        for raw_mentor, raw_mentee in pairs:
            mentor = people.get(getattr(raw_mentor, "pk", raw_mentor))
            mentee = people.get(getattr(raw_mentee, "pk", raw_mentee))
            if mentor is None or mentee is None:
                raise ApplicationError(MATCH_UNKNOWN_PERSON, status=409)
            if mentor.pk == mentee.pk:
                raise ApplicationError(MATCH_SAME_PERSON, status=409)
            if not _has_role(program, mentor.pk, Role.MENTOR):
                raise ApplicationError(
                    MATCH_NOT_MEMBER.format(person=mentor.display_name, role="mentor"), status=409
                )
            if not _has_role(program, mentee.pk, Role.MENTEE):
                raise ApplicationError(
                    MATCH_NOT_MEMBER.format(person=mentee.display_name, role="mentee"), status=409
                )
            enrolment = lock_mentor_enrolment(program=program, mentor_id=mentor.pk)
            taken = Mentorship.objects.filter(
                program=program, mentor=mentor, state__in=OPEN_STATES
            ).count()
            if enrolment is None or taken >= capacity_of(program=program, enrolment=enrolment):
                raise ApplicationError(
                    MATCH_AT_CAPACITY.format(mentor=mentor.display_name), status=409
                )
            if Mentorship.objects.filter(
                Q(mentor=mentee, mentee=mentor), program=program, state__in=OPEN_STATES
            ).exists():
                raise ApplicationError(
                    PAIR_EXISTS.format(mentor=mentor.display_name, mentee=mentee.display_name),
                    status=409,
                )
            mentorship = mentorship_open(
                program=program, mentor=mentor, mentee=mentee, match_run_ref=str(match_run_ref)
            )
            notify_both(
                mentorship=mentorship,
                kind=Kind.MENTORSHIP,
                title=f"You have been matched in {program.name}",
                body=f"{mentor.display_name} (mentor) and {mentee.display_name} "
                "(mentee): agree how you will work together and sign.",
            )
            created.append(mentorship)
    return created


def mentorship_confirm_midpoint(*, user: User, mentorship_id: int) -> Mentorship:
    """Either of the pair keeps the agreement at the mid-point: once it is due (the page shows
    the button from then; the review prompt relies on it staying unconfirmed until then), and
    once: a second confirmation changes nothing and tells no one."""
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        if mentorship.state != MentorshipState.ACTIVE:
            raise ApplicationError(NOT_ACTIVE_YET, status=409)
        if mentorship.midpoint_confirmed_at is not None:
            return mentorship  # the pair has one mid-point, and it is confirmed already
        if not mentorship.midpoint_reached(timezone.localdate()):
            midpoint_on = mentorship.midpoint_on
            when = date_format(midpoint_on, "j F Y") if midpoint_on else "the agreed mid-point"
            raise ApplicationError(MIDPOINT_NOT_DUE.format(midpoint_on=when), status=409)
        mentorship.midpoint_confirmed_at = timezone.now()
        mentorship.save(update_fields=["midpoint_confirmed_at"])
        event_add_and_notify_other(
            mentorship=mentorship,
            actor=user,
            event="midpoint_confirmed",
            summary=f"{user.display_name} confirmed the agreement at the mid-point.",
            kind=Kind.MENTORSHIP,
            title=f"{user.display_name} confirmed your agreement at the mid-point",
        )
    return mentorship


def _cancel_future_meetings(mentorship: Mentorship) -> None:
    now = timezone.now()
    for meeting in Meeting.objects.select_for_update().filter(
        mentorship=mentorship, status=MeetingStatus.SCHEDULED, starts_at__gt=now
    ):
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence", "updated_at"])
    for series in MeetingSeries.objects.select_for_update().filter(
        mentorship=mentorship, cancelled_at__isnull=True
    ):
        series.cancelled_at = now
        series.sequence += 1
        series.save(update_fields=["cancelled_at", "sequence"])


def end_transition(*, user: User, mentorship: Mentorship, target: str) -> None:
    """Into ``target`` (completed or ended early) now, by ``user``; the meetings to come are
    cancelled. The caller saves the mentorship."""
    transition(mentorship, target)
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = user
    _cancel_future_meetings(mentorship)


def mentorship_complete(*, user: User, mentorship_id: int, reflection: str) -> Mentorship:
    reflection = (reflection or "").strip()
    if not reflection:
        raise ApplicationError(REFLECTION_REQUIRED, fields={"reflection": REFLECTION_REQUIRED})
    if len(reflection) > 4000:
        message = TEXT_TOO_LONG.format(limit=4000)
        raise ApplicationError(message, fields={"reflection": message})
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        if mentorship.state == MentorshipState.PROPOSED:
            raise ApplicationError(NOT_ACTIVE_YET, status=409)
        if (
            mentorship.state == MentorshipState.ACTIVE
            and mentorship.ends_on
            and timezone.localdate() < mentorship.ends_on
        ):
            raise ApplicationError(
                TOO_EARLY_TO_COMPLETE.format(ends_on=mentorship.ends_on), status=409
            )
        end_transition(user=user, mentorship=mentorship, target=MentorshipState.COMPLETED)
        mentorship.closing_reflection = reflection
        mentorship.save(update_fields=["state", "ended_at", "ended_by", "closing_reflection"])
        event_add_and_notify_other(
            mentorship=mentorship,
            actor=user,
            event="completed",
            summary=f"{user.display_name} marked the mentorship complete.",
            kind=Kind.MENTORSHIP,
            title="Your mentorship is complete",
            body=f"{user.display_name} closed it with a reflection. Well done, both.",
        )
    return mentorship


def mentorships_midpoint_review(*, now: datetime) -> int:
    """Prompt both sides once, at the middle of the agreed duration, to confirm or amend."""
    sent = 0
    today = now.date()
    for mentorship in Mentorship.objects.filter(
        state=MentorshipState.ACTIVE,
        starts_on__isnull=False,
        ends_on__isnull=False,
        midpoint_confirmed_at__isnull=True,
    ).select_related("mentor", "mentee"):
        midpoint_on = mentorship.midpoint_on
        assert midpoint_on is not None  # the query keeps dated ones
        if midpoint_on > today:
            continue
        slot = f"{mentorship.starts_on}/{mentorship.ends_on}"
        for person in (mentorship.mentor, mentorship.mentee):
            with transaction.atomic():
                if not reminder_claim(
                    kind="midpoint_review", object_id=mentorship.pk, recipient=person, slot=slot
                ):
                    continue
                notify_send(
                    recipient=person,
                    kind=Kind.MENTORSHIP,
                    title="Halfway there: is your agreement still right?",
                    body="Take five minutes together: confirm the agreement as it is, "
                    "or propose an amendment.",
                    url=mentorship_url(mentorship),
                )
                sent += 1
    return sent
