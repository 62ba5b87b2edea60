"""After an early end: the mentee says how it went (once, then may edit), for the program's
admins outside the pair only (the mentor never reads it), and may ask for a new mentor.

The admins are told that an answer came and whether the mentee would like a new mentor, never
what the answer says: the text stays on the mentorship's page."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.core.text import clean_text
from tandem.mentorships.models import FEEDBACK_TEXT_LIMIT, EarlyEndFeedback, Mentorship
from tandem.mentorships.selectors import access_mentorship_for_feedback
from tandem.mentorships.selectors.outside_admins import admins_outside_pair
from tandem.mentorships.services.common import mentorship_url
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, notify_send_each
from tandem.people.models import User

FEEDBACK_EMPTY = "Answer at least one question, or say that you would like a new mentor."
FEEDBACK_TOO_LONG = f"Keep this under {FEEDBACK_TEXT_LIMIT} characters."
FEEDBACK_NEEDS_ATTENTION = "Some answers need attention."


def early_end_feedback_url(mentorship: Mentorship | int) -> str:
    pk = mentorship if isinstance(mentorship, int) else mentorship.pk
    return reverse("early_end_feedback", args=[pk])


def early_end_feedback_ask(*, mentorship: Mentorship, ended_by: User) -> None:
    """Ask the mentee how it went, whoever ended it (they, the mentor or an admin)."""
    mentor = mentorship.mentor.display_name
    by_pair = mentorship.is_participant(ended_by)
    if ended_by.pk == mentorship.mentee_id:
        ended = "You ended"
    elif by_pair:
        ended = f"{mentor} ended"
    else:
        ended = f"The admins of {mentorship.program.name} ended"
    how = "It ended under the no-fault exit clause." if by_pair else "The program ended it."
    program = mentorship.program
    ask = ", and whether you would like a new mentor" if program.admins_match else ""
    choose = " You can choose a new mentor yourself too." if program.takes_direct_requests else ""
    notify_send(
        recipient=mentorship.mentee,
        kind=Kind.MENTORSHIP,
        title=f"{ended} your mentorship with {mentor}: how did it go?",
        body=f"{how} Tell the program's admins what worked and what did not{ask}. "
        f"{mentor} will not see it.{choose}",
        url=early_end_feedback_url(mentorship),
    )


def _clean(what_worked: str, what_did_not: str) -> dict[str, str]:
    answers = {
        "what_worked": clean_text(what_worked),
        "what_did_not": clean_text(what_did_not),
    }
    errors = {
        name: FEEDBACK_TOO_LONG
        for name, value in answers.items()
        if len(value) > FEEDBACK_TEXT_LIMIT
    }
    if errors:
        raise ApplicationError(FEEDBACK_NEEDS_ATTENTION, fields=errors)
    return answers


def _says_the_same(feedback: EarlyEndFeedback, answers: dict[str, str], wants: bool) -> bool:
    return (
        feedback.what_worked == answers["what_worked"]
        and feedback.what_did_not == answers["what_did_not"]
        and feedback.wants_new_mentor == wants
    )


def early_end_feedback_save(
    *, user: User, mentorship_id: int, what_worked: str, what_did_not: str, wants_new_mentor: bool
) -> tuple[EarlyEndFeedback, bool]:
    """The mentee's answer, written or replaced, as ``(answer, created)``. Only the mentee of a
    mentorship that ended early may answer (anyone else: 404). The admins outside the pair are
    told when the first answer comes and when the mentee starts wishing for a new mentor."""
    answers = _clean(what_worked, what_did_not)
    if not (answers["what_worked"] or answers["what_did_not"] or wants_new_mentor):
        raise ApplicationError(FEEDBACK_EMPTY, fields={"what_worked": FEEDBACK_EMPTY})
    with transaction.atomic():
        mentorship = access_mentorship_for_feedback(
            user=user, mentorship_id=mentorship_id, for_update=True
        )
        feedback = EarlyEndFeedback.objects.filter(mentorship=mentorship).first()
        if feedback is not None and _says_the_same(feedback, answers, wants_new_mentor):
            return feedback, False  # saved untouched: nothing changes, nobody is told
        created = feedback is None
        newly_wishing = wants_new_mentor and (feedback is None or not feedback.wants_new_mentor)
        feedback = feedback or EarlyEndFeedback(mentorship=mentorship)
        feedback.what_worked = answers["what_worked"]
        feedback.what_did_not = answers["what_did_not"]
        feedback.wants_new_mentor = wants_new_mentor
        feedback.save()
        if created or newly_wishing:
            _tell_admins(mentorship=mentorship, wants_new_mentor=wants_new_mentor)
    return feedback, created


def _tell_admins(*, mentorship: Mentorship, wants_new_mentor: bool) -> None:
    """Who and where, never the answers; not ``program_admins_notify``: that tells every
    admin, and the mentor may be one."""
    mentee = mentorship.mentee.display_name
    program = mentorship.program
    wish = f"{mentee} would like a new mentor" if wants_new_mentor else f"{mentee} answered"
    notify_send_each(
        recipients=admins_outside_pair(mentorship=mentorship),
        kind=Kind.ENDED_EARLY,
        title=f"{wish} after an early end in {program.name}",
        body=f"About the mentorship with {mentorship.mentor.display_name}, which ended early. "
        "Read the answer on the mentorship's page.",
        url=mentorship_url(mentorship) + "#early-end-feedback",
    )
