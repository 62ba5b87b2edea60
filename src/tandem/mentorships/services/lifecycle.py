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
from tandem.mentorships.selectors import access_mentorship, access_mentorship_as_admin
from tandem.mentorships.services.agreement_content import agreement_defaults, agreement_prefill
from tandem.mentorships.services.common import (
    MENTORSHIP_CLOSED,
    capacity_of,
    event_add,
    event_add_and_notify_other,
    lock_mentor_enrolment,
    mentorship_url,
    notify_both,
    notify_other,
)
from tandem.mentorships.services.early_end import early_end_feedback_ask
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, reminder_claim
from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, ProgramType, Role
from tandem.programs.notices import program_admins_notify

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
END_REASON_REQUIRED = "Please give a reason; only the program admins will see it."
REFLECTION_REQUIRED = "Write a short closing reflection: what did you take from it?"
TOO_EARLY_TO_COMPLETE = (
    "This mentorship runs until {ends_on}; you can complete it from then. "
    "To stop sooner, end it early instead."
)
NOT_ACTIVE_YET = "This mentorship is not active yet: sign the agreement first."
ENDED_BY_ADMIN_BODY = (
    "An admin of the program ended it. Meetings still to come are cancelled and your "
    "conversation takes no new messages; what you wrote together stays on its page."
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
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        if mentorship.state != MentorshipState.ACTIVE:
            raise ApplicationError(NOT_ACTIVE_YET, status=409)
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


def _end(*, user: User, mentorship: Mentorship, target: str) -> None:
    transition(mentorship, target)
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = user
    _cancel_future_meetings(mentorship)


def _check_end_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(END_REASON_REQUIRED, fields={"reason": END_REASON_REQUIRED})
    if len(reason) > 2000:
        message = TEXT_TOO_LONG.format(limit=2000)
        raise ApplicationError(message, fields={"reason": message})
    return reason


def _end_early(*, mentorship: Mentorship, user: User, reason: str, summary: str) -> None:
    """The early end whoever asks for it (one of the pair, an admin of the program): the
    state, the reason (for the admins), the timeline, the future meetings cancelled, the
    mentee asked how it went and offered a new mentor, the other admins told. The pair's
    conversation closes with the mentorship (``messaging`` reads its state)."""
    _end(user=user, mentorship=mentorship, target=MentorshipState.ENDED_EARLY)
    mentorship.end_reason = reason
    mentorship.save(update_fields=["state", "ended_at", "ended_by", "end_reason"])
    event_add(mentorship=mentorship, actor=user, kind="ended_early", summary=summary)
    early_end_feedback_ask(mentorship=mentorship, ended_by=user)
    _tell_admins_ended_early(mentorship=mentorship, user=user)


def mentorship_end_early(*, user: User, mentorship_id: int, reason: str) -> Mentorship:
    reason = _check_end_reason(reason)
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        # The other side learns that it ended, never why; the mentee is asked how it went.
        if user.pk == mentorship.mentee_id:
            notify_other(
                mentorship=mentorship,
                actor=user,
                kind=Kind.MENTORSHIP,
                title=f"{user.display_name} ended your mentorship",
                body="It ended under the no-fault exit clause. Thank you for the time you gave it.",
            )
        _end_early(
            mentorship=mentorship,
            user=user,
            reason=reason,
            summary=f"{user.display_name} ended the mentorship early.",
        )
    return mentorship


def mentorship_end_early_as_admin(*, user: User, mentorship_id: int, reason: str) -> Mentorship:
    """An admin of the program who is not one of the pair ends it early for the program: both
    are told that the program ended it (never why: the reason is for the admins), the mentee
    is asked how it went and offered a new mentor. Anyone else gets the 404 of a missing one."""
    reason = _check_end_reason(reason)
    with transaction.atomic():
        mentorship = access_mentorship_as_admin(
            user=user, mentorship_id=mentorship_id, for_update=True
        )
        notify_send(
            recipient=mentorship.mentor,
            kind=Kind.MENTORSHIP,
            title=f"The admins of {mentorship.program.name} ended your mentorship with "
            f"{mentorship.mentee.display_name}",
            body=ENDED_BY_ADMIN_BODY,
            url=mentorship_url(mentorship),
        )
        _end_early(
            mentorship=mentorship,
            user=user,
            reason=reason,
            summary=f"Ended early by the program admin, {user.display_name}.",
        )
    return mentorship


def _tell_admins_ended_early(*, mentorship: Mentorship, user: User) -> None:
    """Names, program, state and date: never the reason, nor anything else the pair wrote."""
    program = mentorship.program
    ended = timezone.localdate(mentorship.ended_at)
    program_admins_notify(
        program=program,
        kind=Kind.ENDED_EARLY,
        title=f"A mentorship in {program.name} ended early: "
        f"{mentorship.mentor.display_name} and {mentorship.mentee.display_name}",
        body=f"{user.display_name} ended it on {ended.day} {ended:%B %Y}. "
        "Its page shows its state and dates.",
        url=mentorship_url(mentorship),
        actor=user,
    )


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
        _end(user=user, mentorship=mentorship, target=MentorshipState.COMPLETED)
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
        starts_on, ends_on = mentorship.starts_on, mentorship.ends_on
        assert starts_on is not None and ends_on is not None  # the query keeps dated ones
        midpoint = starts_on + (ends_on - starts_on) / 2
        if midpoint > today:
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
