"""Pairs a program keeps apart, as its ranked lists and cohort runs do (``tandem.matching``'s
hard rules): either enrolment's ``exclude`` (the import's "never pair with"), and the program's
conflict rules, one the other's manager (``avoid_manager``) or both of one department
(``avoid_same_department``). A direct request obeys them too (live checks: a mentor the list
left out, excluded or the mentee's own manager, was a request by id away)."""

from __future__ import annotations

from django.db.models import Q

from tandem.matching.profiles import normalise_tag
from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, Program


def _manages(profile: Profile, person: User) -> bool:
    """Whether ``person`` is the manager ``profile`` names: the account an import linked, or
    the email the person gave, as the cohort runs read it (``matchruns.adapters``)."""
    email = profile.manager_email.strip().lower()
    return profile.manager_id == person.pk or bool(email) and email == person.email.lower()


def kept_apart(*, program: Program, first: User, second: User) -> bool:
    if Enrolment.objects.filter(
        Q(person=first, exclude=second) | Q(person=second, exclude=first), program=program
    ).exists():
        return True
    if not (program.avoid_manager or program.avoid_same_department):
        return False
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=[first.pk, second.pk])}
    one, other = profiles.get(first.pk), profiles.get(second.pk)
    if one is None or other is None:
        return False
    if program.avoid_manager and (_manages(one, second) or _manages(other, first)):
        return True
    department = normalise_tag(one.department)
    return (
        program.avoid_same_department
        and bool(department)
        and (department == normalise_tag(other.department))
    )
