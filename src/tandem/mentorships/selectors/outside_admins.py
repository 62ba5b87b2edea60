"""Who, besides its author, reads what one of a pair tells the program (a problem report, the
mentee's answer after an early end): the program's admins who are not one of the pair. A
mentor who also runs the program never reads what is said about their own mentorship."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tandem.mentorships.models import Mentorship
from tandem.people.models import User
from tandem.people.selectors import is_signed_in
from tandem.programs.selectors import is_program_admin, program_admin_enrolments


def is_admin_outside_pair(*, user: User | AnonymousUser, mentorship: Mentorship) -> bool:
    if not is_signed_in(user) or user.pk in (mentorship.mentor_id, mentorship.mentee_id):
        return False
    return is_program_admin(user=user, program_id=mentorship.program_id)


def admins_outside_pair(*, mentorship: Mentorship) -> list[User]:
    """The program's active admins, the pair left out (empty: nobody would read it)."""
    admins = program_admin_enrolments(program_id=mentorship.program_id).exclude(
        person_id__in=[mentorship.mentor_id, mentorship.mentee_id]
    )
    return list(User.objects.filter(pk__in=admins.values("person_id")).order_by("pk"))


def in_the_pair(user: User, prefix: str = "mentorship__") -> Q:
    """Rows about a mentorship ``user`` is one of the pair of (to leave out of admin lists)."""
    return Q(**{f"{prefix}mentor": user}) | Q(**{f"{prefix}mentee": user})
