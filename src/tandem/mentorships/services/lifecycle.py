"""The mentorship state machine; signing the agreement (``agreement.py``) activates it.

    proposed ──(both sign the agreement)──> active ──(end date reached)──> completed
        │                                      │
        └────(either side or an admin ends)────┴──> ended_early

Every transition goes through ``transition``, which refuses anything not in ``TRANSITIONS``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.locking import lockable
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.models import (
    OPEN_STATES,
    AgreementVersion,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Mentorship,
    MentorshipEvent,
    MentorshipRequest,
    MentorshipState,
)
from tandem.mentorships.selectors import access_mentorship
from tandem.mentorships.services.agreement_content import agreement_defaults, agreement_prefill
from tandem.mentorships.services.common import (
    MENTORSHIP_CLOSED,
    event_add_and_notify_other,
    mentorship_url,
)
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, reminder_claim
from tandem.people.models import Profile, User
from tandem.programs.models import Program

TRANSITIONS: dict[str, set[str]] = {
    MentorshipState.PROPOSED: {MentorshipState.ACTIVE, MentorshipState.ENDED_EARLY},
    MentorshipState.ACTIVE: {MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY},
    MentorshipState.COMPLETED: set(),
    MentorshipState.ENDED_EARLY: set(),
}

INVALID_TRANSITION = "A mentorship that is {current} cannot become {target}."
PAIR_EXISTS = "{mentor} and {mentee} already have a mentorship in this program."
REFLECTION_REQUIRED = "Write a short closing reflection: what did you take from it?"
TOO_EARLY_TO_COMPLETE = (
    "This mentorship runs until {ends_on}; you can complete it from then. "
    "To stop sooner, end it early instead."
)
ALREADY_ENDED = "{who} already ended this mentorship{on_day}."
ALREADY_COMPLETED = "{who} already marked this mentorship complete{on_day}."
ALREADY_OVER = "This mentorship already ended{on_day}."
NOT_ACTIVE_YET = "This mentorship is not active yet: sign the agreement first."
MIDPOINT_NOT_DUE = (
    "The mid-point review opens on {midpoint_on}, halfway through your agreed dates; "
    "confirm the agreement from then."
)
TEXT_TOO_LONG = "Keep this under {limit} characters."
REFLECTION_LIMIT = 4000


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


def first_agreement(
    *,
    program: Program,
    mentorship: Mentorship,
    goals: str | None,
    today: date,
) -> AgreementVersion:
    """A new mentorship's first agreement draft (unsaved): the program's defaults and a first
    objective from the mentee's profile goals (``agreement_prefill``)."""
    return AgreementVersion(
        mentorship=mentorship,
        number=1,
        proposed_by=None,
        content=agreement_prefill(
            agreement_defaults(program=program, today=today), goals=goals or ""
        ),
    )


def proposed_event(
    *, mentorship: Mentorship, actor: User | None, origin_request: MentorshipRequest | None
) -> MentorshipEvent:
    origin = "a request" if origin_request else "a program match"
    return MentorshipEvent(
        mentorship=mentorship,
        actor=actor,
        kind="created",
        summary=f"Mentorship proposed from {origin}.",
    )


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
    first_agreement(
        program=program,
        mentorship=mentorship,
        goals=goals,
        today=timezone.localdate(),
    ).save()
    proposed_event(mentorship=mentorship, actor=actor, origin_request=origin_request).save()
    return mentorship


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
            when = day_in(midpoint_on) if midpoint_on else "the agreed mid-point"
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
    """Under the mentorship's lock: its meetings, then its series, each in pk order (the lock
    order in docs/mentorships.md, shared with cancelling a series)."""
    now = timezone.now()
    for meeting in lockable(
        Meeting.objects.filter(
            mentorship=mentorship, status=MeetingStatus.SCHEDULED, starts_at__gt=now
        ).order_by("pk"),
        for_update=True,
    ):
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence", "updated_at"])
    for series in lockable(
        MeetingSeries.objects.filter(mentorship=mentorship, cancelled_at__isnull=True).order_by(
            "pk"
        ),
        for_update=True,
    ):
        series.cancelled_at = now
        series.sequence += 1
        series.save(update_fields=["cancelled_at", "sequence"])


def mentorship_ended_notice(*, mentorship: Mentorship, viewer: User) -> str | None:
    """Who ended the mentorship and on which day (the viewer's), in words for ``viewer``;
    ``None`` while it runs."""
    if mentorship.is_open:
        return None
    on_day = ""
    if mentorship.ended_at is not None:
        on_day = f" on {day_in(timezone.localdate(mentorship.ended_at))}"
    ended_by = mentorship.ended_by
    if (
        mentorship.ended_by_id is not None
        and getattr(ended_by, "pk", None) != mentorship.ended_by_id
    ):
        # A row locked after waiting for the partner's end is read anew on PostgreSQL, but
        # the person joined to it (select_related) is the one read before the wait: nobody.
        ended_by = User.objects.filter(pk=mentorship.ended_by_id).first()
    if ended_by is None:
        return ALREADY_OVER.format(on_day=on_day)
    who = "You" if ended_by.pk == viewer.pk else ended_by.display_name
    if mentorship.state == MentorshipState.COMPLETED:
        return ALREADY_COMPLETED.format(who=who, on_day=on_day)
    return ALREADY_ENDED.format(who=who, on_day=on_day)


class AlreadyEnded(ApplicationError):
    """The mentorship ended before this request to end it arrived: the partner ended it
    meanwhile, or this is the second click. Its message is :func:`mentorship_ended_notice`;
    pages show it instead of the form."""

    def __init__(self, message: str):
        super().__init__(message, status=409)


def check_not_ended(*, mentorship: Mentorship, user: User) -> None:
    """Raise :class:`AlreadyEnded` when the mentorship has ended (read it locked to decide)."""
    notice = mentorship_ended_notice(mentorship=mentorship, viewer=user)
    if notice:
        raise AlreadyEnded(notice)


def end_transition(*, user: User, mentorship: Mentorship, target: str) -> None:
    """Into ``target`` (completed or ended early) now, by ``user``; the meetings to come are
    cancelled. The caller saves the mentorship."""
    check_not_ended(mentorship=mentorship, user=user)
    transition(mentorship, target)
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = user
    _cancel_future_meetings(mentorship)


def check_completable(*, mentorship: Mentorship) -> None:
    """Why ``mentorship`` cannot be completed yet, as the 409 to raise: the complete page says
    it before anyone writes a reflection that would be refused."""
    if mentorship.state == MentorshipState.PROPOSED:
        raise ApplicationError(NOT_ACTIVE_YET, status=409)
    if (
        mentorship.state == MentorshipState.ACTIVE
        and mentorship.ends_on
        and timezone.localdate() < mentorship.ends_on
    ):
        until = day_in(mentorship.ends_on)
        raise ApplicationError(TOO_EARLY_TO_COMPLETE.format(ends_on=until), status=409)


def mentorship_complete(*, user: User, mentorship_id: int, reflection: str) -> Mentorship:
    reflection = (reflection or "").strip()
    if not reflection:
        raise ApplicationError(REFLECTION_REQUIRED, fields={"reflection": REFLECTION_REQUIRED})
    if len(reflection) > REFLECTION_LIMIT:
        message = TEXT_TOO_LONG.format(limit=REFLECTION_LIMIT)
        raise ApplicationError(message, fields={"reflection": message})
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        check_completable(mentorship=mentorship)
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
