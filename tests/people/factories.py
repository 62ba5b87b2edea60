"""The canonical factories for people: users, profiles and skills.

Other test packages import these (or subclass them with only what genuinely differs).
Program and enrolment factories live in ``tests.programs.factories``.
"""

from __future__ import annotations

import factory
from faker import Faker

from tandem.people.models import Profile, Skill, User

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
    # A factory tag stands for the seeded vocabulary; a tag someone types is made by the
    # profile services (uncurated).
    curated = True
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
