"""The canonical factories for people: users, profiles and skills.

Other test packages import these (or subclass them with only what genuinely differs).
Program and enrolment factories live in ``tests.programs.factories``.
"""

from __future__ import annotations

import factory
from faker import Faker

from tandem.people.models import OfferedSkill, Profile, Skill, User, WantedSkill

faker = Faker()
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    # Names no page word can be: the privacy probes blank a pair's names out of the pages they
    # compare (tests/feedback/observed.anonymous), and a mentee named Short or Mark blanked
    # "Short questions" or "Mark done" on one twin's page only (a flaky CI failure).
    first_name = factory.LazyFunction(lambda: f"{faker.first_name()}ix")
    last_name = factory.LazyFunction(lambda: f"{faker.last_name()}ova")
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


def hold(profile: Profile, *, offered=(), wanted=()) -> None:
    """Give ``profile`` the tags ``offered`` and ``wanted`` (names, or skills), each spelled as
    its row is; a profile's tags are set by the services otherwise."""
    for model, names in ((OfferedSkill, offered), (WantedSkill, wanted)):
        for name in names:
            skill = name if isinstance(name, Skill) else SkillFactory(name=name)
            model.objects.create(profile=profile, skill=skill, label=skill.name)
