"""Factories for programs tests (people factories live here until tests/people has its own)."""

from __future__ import annotations

import factory
from faker import Faker

from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, Invitation, Program, Role

faker = Faker()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = factory.LazyFunction(faker.first_name)
    last_name = factory.LazyFunction(faker.last_name)
    password = factory.django.Password("pw-for-tests-1")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    timezone = "Europe/London"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(UserFactory)
    role = Role.MENTEE
    status = EnrolmentStatus.ACTIVE


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    program = factory.SubFactory(ProgramFactory)
    role = Role.MENTEE
    token = factory.Sequence(lambda n: f"tok{n:040d}")


def admin_of(program: Program) -> User:
    return EnrolmentFactory(program=program, role=Role.ADMIN).person


def member_of(program: Program, role: str = Role.MENTEE, **kwargs) -> User:
    return EnrolmentFactory(program=program, role=role, **kwargs).person
