"""After an early end: the mentee may ask the program's admins for a new mentor (in a program
where the admins match people) and is offered the way to one. How it went is asked once, by the
closing survey (``feedback``), whose answers the insights read; this page used to ask it a
second time ("What worked?", "What did not work?"), for the admins outside the pair.

The admins are told that a mentee would like a new mentor, never anything else: answers stay
on the mentorship's page."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from tandem.mentorships.models import EarlyEndFeedback, Mentorship
from tandem.mentorships.selectors import access_mentorship_for_feedback
from tandem.mentorships.selectors.outside_admins import admins_outside_pair
from tandem.mentorships.services.common import mentorship_url
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, notify_send_each
from tandem.people.models import User


def early_end_feedback_url(mentorship: Mentorship | int) -> str:
    pk = mentorship if isinstance(mentorship, int) else mentorship.pk
    return reverse("early_end_feedback", args=[pk])


def early_end_feedback_ask(*, mentorship: Mentorship, ended_by: User) -> None:
    """Tell the mentee, whoever ended it (they, the mentor or an admin), that a closing survey
    asks how it went, and offer a new mentor."""
    mentor = mentorship.mentor.display_name
    by_pair = mentorship.is_participant(ended_by)
    if ended_by.pk == mentorship.mentee_id:
        ended = f"You ended your mentorship with {mentor}"
    elif by_pair:
        ended = f"{mentor} ended your mentorship"  # naming them twice read "… with {mentor}"
    else:
        ended = f"The admins of {mentorship.program.name} ended your mentorship with {mentor}"
    how = "It ended under the no-fault exit clause." if by_pair else "The program ended it."
    program = mentorship.program
    wish = (
        f" Tell the program's admins if you would like a new mentor; {mentor} will not see it."
        if program.admins_match
        else ""
    )
    choose = " You can choose a new mentor yourself." if program.takes_direct_requests else ""
    notify_send(
        recipient=mentorship.mentee,
        kind=Kind.MENTORSHIP,
        title=f"{ended}: a new mentor?",
        body=f"{how} A closing survey will ask how it went.{wish}{choose}",
        url=early_end_feedback_url(mentorship),
    )


def early_end_feedback_save(
    *, user: User, mentorship_id: int, wants_new_mentor: bool
) -> tuple[EarlyEndFeedback | None, bool]:
    """Whether the mentee would like a new mentor, as ``(answer, created)``; ``(None, False)``
    for a "no" never said otherwise, which has nothing to record. Only the mentee of a
    mentorship that ended early may answer (anyone else: 404). The admins outside the pair
    are told when the mentee starts wishing for a new mentor. What an answer from before the
    closing survey asked how it went says (``what_worked``, ``what_did_not``) is kept."""
    with transaction.atomic():
        mentorship = access_mentorship_for_feedback(
            user=user, mentorship_id=mentorship_id, for_update=True
        )
        feedback = EarlyEndFeedback.objects.filter(mentorship=mentorship).first()
        if feedback is None and not wants_new_mentor:
            return None, False
        if feedback is not None and feedback.wants_new_mentor == wants_new_mentor:
            return feedback, False  # saved untouched: nothing changes, nobody is told
        created = feedback is None
        feedback = feedback or EarlyEndFeedback(mentorship=mentorship)
        feedback.wants_new_mentor = wants_new_mentor
        feedback.save()
        if wants_new_mentor:
            _tell_admins(mentorship=mentorship)
    return feedback, created


def _tell_admins(*, mentorship: Mentorship) -> None:
    """Who and where; not ``program_admins_notify``: that tells every admin, and the mentor
    may be one."""
    mentee = mentorship.mentee.display_name
    program = mentorship.program
    notify_send_each(
        recipients=admins_outside_pair(mentorship=mentorship),
        kind=Kind.ENDED_EARLY,
        title=f"{mentee} would like a new mentor after an early end in {program.name}",
        body=f"About the mentorship with {mentorship.mentor.display_name}, which ended early. "
        "Its page says so too.",
        url=mentorship_url(mentorship) + "#early-end-feedback",
    )
