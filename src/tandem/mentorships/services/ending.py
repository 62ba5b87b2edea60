"""Ending a mentorship early, by one of the pair or by an admin of the program for it: the
reason (private to the admins and the person who ended it), its category (counted in the
program's insights), the timeline, the notices, and the mentee asked how it went."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.mentorships.models.mentorships import PAIR_END_CATEGORIES, EndCategory
from tandem.mentorships.selectors import access_mentorship, access_mentorship_as_admin
from tandem.mentorships.services.common import event_add, mentorship_url, notify_other
from tandem.mentorships.services.early_end import early_end_feedback_ask, early_end_feedback_url
from tandem.mentorships.services.lifecycle import TEXT_TOO_LONG, end_transition
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send
from tandem.people.models import User
from tandem.programs.notices import program_admins_notify

END_REASON_REQUIRED = "Please give a reason; only the program admins will see it."
END_REASON_LIMIT = 2000
ENDED_BY_ADMIN_BODY = (
    "An admin of the program ended it. Meetings still to come are cancelled and your "
    "conversation takes no new messages; what you wrote together stays on its page."
)


def _check_end_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(END_REASON_REQUIRED, fields={"reason": END_REASON_REQUIRED})
    if len(reason) > END_REASON_LIMIT:
        message = TEXT_TOO_LONG.format(limit=END_REASON_LIMIT)
        raise ApplicationError(message, fields={"reason": message})
    return reason


def _check_end_category(category: str, *, by_program: bool) -> str:
    """One of the categories; "the program's decision" only when the program ends it."""
    allowed = EndCategory.values if by_program else PAIR_END_CATEGORIES
    if category not in allowed:
        message = "Choose one of the reasons listed."
        raise ApplicationError(message, fields={"category": message})
    return category


def _end_early(
    *, mentorship: Mentorship, user: User, reason: str, category: str, summary: str
) -> None:
    """The early end whoever asks for it (one of the pair, an admin of the program): the
    state, the reason (for the admins), the timeline, the future meetings cancelled, the
    mentee asked how it went and offered a new mentor, the other admins told. The pair's
    conversation closes with the mentorship (``messaging`` reads its state)."""
    end_transition(user=user, mentorship=mentorship, target=MentorshipState.ENDED_EARLY)
    mentorship.end_reason = reason
    mentorship.end_category = category
    mentorship.save(update_fields=["state", "ended_at", "ended_by", "end_reason", "end_category"])
    event_add(mentorship=mentorship, actor=user, kind="ended_early", summary=summary)
    early_end_feedback_ask(mentorship=mentorship, ended_by=user)
    _tell_admins_ended_early(mentorship=mentorship, user=user)


def mentorship_end_early(
    *, user: User, mentorship_id: int, reason: str, category: str = EndCategory.OTHER
) -> Mentorship:
    """One of the pair ends it early, with a reason for the admins and a category that only
    ever appears counted (never per pair) outside the admins' pages."""
    reason = _check_end_reason(reason)
    category = _check_end_category(category, by_program=False)
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
            category=category,
            summary=f"{user.display_name} ended the mentorship early.",
        )
    return mentorship


def mentorship_end_early_as_admin(
    *, user: User, mentorship_id: int, reason: str, category: str = EndCategory.PROGRAM
) -> Mentorship:
    """An admin of the program who is not one of the pair ends it early for the program: both
    are told that the program ended it (never why: the reason is for the admins), the mentee
    is asked how it went and offered a new mentor. Anyone else gets the 404 of a missing one."""
    reason = _check_end_reason(reason)
    category = _check_end_category(category, by_program=True)
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
            category=category,
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
        body=f"{user.display_name} ended it on {day_in(ended)}. "
        "Its page shows its state and dates.",
        url=mentorship_url(mentorship),
        actor=user,
    )


ACCOUNT_CLOSED_REASON = "One of the pair deleted their Tandem account."
ACCOUNT_CLOSED_BODY = (
    "The other person deleted their Tandem account, so the mentorship ended. Meetings still to "
    "come are cancelled and your conversation takes no new messages; what you wrote together "
    "stays on its page, where they now show as a former member."
)
ACCOUNT_CLOSED_ASK = " A closing survey will ask how it went; you may ask for a new mentor."


def mentorship_end_for_closed_account(*, mentorship: Mentorship, user: User) -> None:
    """``user`` (already anonymised) is deleting their account: their open ``mentorship``,
    locked by the caller, ends early. The other side is told (and, as the mentee, asked how it
    went, linking to the question); the admins are told as for any early end. Nothing is sent
    to the closed account."""
    end_transition(user=user, mentorship=mentorship, target=MentorshipState.ENDED_EARLY)
    mentorship.end_reason = ACCOUNT_CLOSED_REASON
    mentorship.end_category = EndCategory.OTHER
    mentorship.save(update_fields=["state", "ended_at", "ended_by", "end_reason", "end_category"])
    event_add(
        mentorship=mentorship,
        actor=user,
        kind="ended_early",
        summary="The mentorship ended: a former member deleted their account.",
    )
    other = mentorship.other(user)
    asked = other.pk == mentorship.mentee_id  # a mentee is asked how it went, as on any end
    notify_send(
        recipient=other,
        kind=Kind.MENTORSHIP,
        title=f"Your mentorship in {mentorship.program.name} has ended",
        body=ACCOUNT_CLOSED_BODY + (ACCOUNT_CLOSED_ASK if asked else ""),
        url=early_end_feedback_url(mentorship) if asked else mentorship_url(mentorship),
    )
    _tell_admins_ended_early(mentorship=mentorship, user=user)
