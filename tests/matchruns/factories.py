"""Factories and small builders for match-run tests: a program with people who have profiles."""

from __future__ import annotations

import factory
from django.utils import timezone
from faker import Faker

from tandem.people.models import AvailabilityWindow, Identity, Profile, Skill, User
from tandem.programs.models import Enrolment, EnrolmentStatus, MatchingMode, Program, Role

faker = Faker()
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"matchrun{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = factory.LazyFunction(faker.last_name)
    password = factory.django.Password(PASSWORD)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    timezone = "Europe/London"
    languages = factory.LazyFunction(lambda: ["en"])
    headline = factory.LazyFunction(lambda: faker.job())


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    matching_mode = MatchingMode.COHORT


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(UserFactory)
    role = Role.MENTEE
    status = EnrolmentStatus.ACTIVE


def skills(*names: str) -> list[Skill]:
    return [Skill.objects.get_or_create(slug=n.lower().replace(" ", "-"), defaults={"name": n})[0]
            for n in names]


def person(*, first_name: str | None = None, offered=(), wanted=(), windows=(),
           identity=None, prefer_shared=False, **profile) -> User:
    """A user with a profile; ``windows`` are (weekday, start minute, end minute) local."""
    user = UserFactory(**({"first_name": first_name} if first_name else {}))
    record = ProfileFactory(user=user, **profile)
    record.skills_offered.set(skills(*offered))
    record.skills_wanted.set(skills(*wanted))
    for weekday, start, end in windows:
        AvailabilityWindow.objects.create(profile=record, weekday=weekday, start_minute=start,
                                          end_minute=end)
    if identity is not None:
        Identity.objects.create(user=user, attributes=list(identity),
                                prefer_shared=prefer_shared, consented_at=timezone.now())
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
