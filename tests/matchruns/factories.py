"""Factories and small builders for match-run tests: a program with people who have profiles."""

from __future__ import annotations

import factory
from django.utils import timezone

from tandem.people.models import AvailabilityWindow, Identity, User
from tandem.programs.models import Program, Role
from tests.people import factories as people
from tests.people.factories import PASSWORD, hold
from tests.programs.factories import EnrolmentFactory, ProgramFactory

__all__ = [
    "PASSWORD",
    "EnrolmentFactory",
    "ProfileFactory",
    "ProgramFactory",
    "UserFactory",
    "admin",
    "mentee",
    "mentor",
    "person",
]


class UserFactory(people.UserFactory):
    email = factory.Sequence(lambda n: f"matchrun{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Person{n}")


class ProfileFactory(people.ProfileFactory):
    user = factory.SubFactory(UserFactory)
    languages = factory.LazyFunction(lambda: ["en"])


def person(
    *,
    first_name: str | None = None,
    offered=(),
    wanted=(),
    windows=(),
    identity=None,
    **profile,
) -> User:
    """A user with a profile; ``windows`` are (weekday, start minute, end minute) local."""
    user = UserFactory(**({"first_name": first_name} if first_name else {}))
    record = ProfileFactory(user=user, **profile)
    hold(record, offered=offered, wanted=wanted)
    for weekday, start, end in windows:
        AvailabilityWindow.objects.create(
            profile=record, weekday=weekday, start_minute=start, end_minute=end
        )
    if identity is not None:
        Identity.objects.create(
            user=user,
            attributes=list(identity),
            consented_at=timezone.now(),
        )
    return user


def mentee(program: Program, **kwargs) -> User:
    user = person(**kwargs)
    EnrolmentFactory(program=program, person=user, role=Role.MENTEE)
    return user


def mentor(program: Program, *, capacity: int | None = 1, **kwargs) -> User:
    user = person(**kwargs)
    EnrolmentFactory(program=program, person=user, role=Role.MENTOR, capacity=capacity)
    return user


def admin(program: Program) -> User:
    user = person(first_name="Admin")
    EnrolmentFactory(program=program, person=user, role=Role.ADMIN)
    return user


def run_pages(slug: str, first, second) -> tuple[str, ...]:
    """Every page that shows a run or two: the list, a run, its status and their comparison."""
    from django.urls import reverse

    return (
        reverse("match_run_list", args=[slug]),
        reverse("match_run_detail", args=[slug, first.pk]),
        reverse("match_run_status", args=[slug, first.pk]),
        reverse("match_run_compare", args=[slug]) + f"?a={first.pk}&b={second.pk}",
    )
