"""Reads about mentorships that ended early: the pairs not to offer again (to requests, the
ranked mentor list and cohort match runs), and the mentee's wish for a new mentor, read
by the mentee and the program's admins outside the pair only, never by the mentor."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from tandem.core.exceptions import NotFound
from tandem.mentorships.models import (
    OPEN_STATES,
    EarlyEndFeedback,
    Mentorship,
    MentorshipState,
)
from tandem.mentorships.selectors.access import access_mentorship
from tandem.mentorships.selectors.outside_admins import in_the_pair, is_admin_outside_pair
from tandem.people.models import User
from tandem.programs.selectors import PROGRAM_NOT_FOUND, is_program_admin

FEEDBACK_NOT_FOUND = (
    "There is nothing to answer here: only the mentee of a mentorship that ended early is "
    "offered a new mentor here."
)


def _ended_early(program_id: int) -> QuerySet[Mentorship]:
    # ``__pk`` lookups: an id past 64 bits matches nothing instead of overflowing.
    return Mentorship.objects.filter(program__pk=program_id, state=MentorshipState.ENDED_EARLY)


def ended_early_pairs(*, program_id: int) -> set[tuple[int, int]]:
    """Every ``(mentee_id, mentor_id)`` of the program whose mentorship ended early, for a
    cohort match run to forbid (one query for the whole program)."""
    return set(_ended_early(program_id).values_list("mentee_id", "mentor_id"))


def ended_early_partners(*, program_id: int, person_id: int) -> set[int]:
    """Everyone whose mentorship with ``person_id`` in the program ended early, in either role:
    the ranked list does not offer them to that person again."""
    rows = _ended_early(program_id).filter(Q(mentee__pk=person_id) | Q(mentor__pk=person_id))
    return {
        mentor if mentee == person_id else mentee
        for mentee, mentor in rows.values_list("mentee_id", "mentor_id")
    }


def ended_early_between(*, program_id: int, first_id: int, second_id: int) -> bool:
    """Whether the two had a mentorship in the program that ended early, either way round."""
    return (
        _ended_early(program_id)
        .filter(
            Q(mentor__pk=first_id, mentee__pk=second_id)
            | Q(mentor__pk=second_id, mentee__pk=first_id)
        )
        .exists()
    )


def access_mentorship_for_feedback(
    *, user: User | AnonymousUser, mentorship_id: int, for_update: bool = False
) -> Mentorship:
    """The mentorship whose answer ``user`` may write: they are its mentee and it ended early.
    Anyone else (its mentor included) gets the same 404 as for a missing one."""
    mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=for_update)
    if mentorship.mentee_id != user.pk or mentorship.state != MentorshipState.ENDED_EARLY:
        raise NotFound(FEEDBACK_NOT_FOUND)
    return mentorship


def early_end_feedback_for(
    *, user: User | AnonymousUser, mentorship: Mentorship
) -> EarlyEndFeedback | None:
    """The mentee's answer for one who may read it (the mentee, an admin of the program who is
    not one of the pair); None for anyone else, the mentor above all, and when unanswered."""
    if user.pk != mentorship.mentee_id and not is_admin_outside_pair(
        user=user, mentorship=mentorship
    ):
        return None
    return EarlyEndFeedback.objects.filter(mentorship=mentorship).first()


def new_mentor_wishes_for_program(*, user: User, program_id: int) -> QuerySet[EarlyEndFeedback]:
    """For the program's admins: mentees who said they would like a new mentor after an early
    end and have no open mentorship in the program yet, oldest wish first; never about a
    mentorship the admin is one of the pair of."""
    if not is_program_admin(user=user, program_id=program_id):
        raise NotFound(PROGRAM_NOT_FOUND)
    matched_again = Mentorship.objects.filter(
        program__pk=program_id, mentee=OuterRef("mentorship__mentee"), state__in=OPEN_STATES
    )
    return (
        EarlyEndFeedback.objects.filter(
            mentorship__program__pk=program_id,
            mentorship__state=MentorshipState.ENDED_EARLY,
            wants_new_mentor=True,
        )
        .exclude(in_the_pair(user))
        .exclude(Exists(matched_again))
        .select_related("mentorship__mentor", "mentorship__mentee", "mentorship__program")
        .order_by("updated_at", "pk")
    )
