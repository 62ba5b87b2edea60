"""Factories for people (and the minimal program rows the visibility rules need)."""

from __future__ import annotations

import factory
from faker import Faker

from tandem.people.models import ApiToken, Profile, Skill, User
from tandem.programs.models import Enrolment, Program

faker = Faker()
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = factory.LazyFunction(faker.first_name)
    last_name = factory.LazyFunction(faker.last_name)
    password = factory.django.Password(PASSWORD)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    headline = factory.LazyFunction(lambda: faker.sentence(nb_words=5))
    timezone = "Europe/London"


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


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
    role = "mentee"
    status = "active"


def enrol(person, program, role="mentee", status="active"):
    return EnrolmentFactory(person=person, program=program, role=role, status=status)


__all__ = ["ApiToken", "EnrolmentFactory", "PASSWORD", "ProfileFactory", "ProgramFactory",
           "SkillFactory", "UserFactory", "enrol"]
