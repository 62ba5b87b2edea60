"""Who, besides its author, reads what one of a pair tells the program (a problem report, the
mentee's answer after an early end): the program's admins who are not one of the pair. A
mentor who also runs the program never reads what is said about their own mentorship, nor acts
on it as the program (ending it early is theirs to do as one of the pair)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from tandem.core.exceptions import NotFound
from tandem.mentorships.models import Mentorship
from tandem.mentorships.selectors.access import (
    MENTORSHIP_NOT_FOUND,
    MentorshipAccess,
    access_mentorship,
)
from tandem.people.models import User
from tandem.people.selectors import is_signed_in
from tandem.programs.selectors import is_program_admin, program_admin_enrolments


def is_admin_outside_pair(*, user: User | AnonymousUser, mentorship: Mentorship) -> bool:
    if not is_signed_in(user) or user.pk in (mentorship.mentor_id, mentorship.mentee_id):
        return False
    return is_program_admin(user=user, program_id=mentorship.program_id)


def access_mentorship_as_admin(
    *, user: User | AnonymousUser, mentorship_id: int, for_update: bool = False
) -> Mentorship:
    """The mentorship for an admin of its program who is not one of the pair, to act on it as
    the program (end it early); anyone else, the pair included, gets the same 404 as for a
    missing one. ``for_update`` locks it (inside ``transaction.atomic`` only)."""
    mentorship = access_mentorship(
        user=user,
        mentorship_id=mentorship_id,
        need=MentorshipAccess.OVERVIEW,
        for_update=for_update,
    )
    if not is_admin_outside_pair(user=user, mentorship=mentorship):
        raise NotFound(MENTORSHIP_NOT_FOUND)
    return mentorship


def admins_outside_pair(*, mentorship: Mentorship) -> list[User]:
    """The program's active admins, the pair left out (empty: nobody would read it)."""
    admins = program_admin_enrolments(program_id=mentorship.program_id).exclude(
        person_id__in=[mentorship.mentor_id, mentorship.mentee_id]
    )
    return list(User.objects.filter(pk__in=admins.values("person_id")).order_by("pk"))


def in_the_pair(user: User, prefix: str = "mentorship__") -> Q:
    """Rows about a mentorship ``user`` is one of the pair of (to leave out of admin lists)."""
    return Q(**{f"{prefix}mentor": user}) | Q(**{f"{prefix}mentee": user})


def pairs_of(*, user: User, program_ids: Iterable[int]) -> QuerySet[Mentorship]:
    """The mentorships of these programs ``user`` is one of the pair of: what an admin's
    figures leave out, so they never show the reader their partner's answers."""
    return Mentorship.objects.filter(program_id__in=list(program_ids)).filter(
        in_the_pair(user, prefix="")
    )
