"""The canonical factories for programs, enrolments and invitations."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Permission

from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, Invitation, Program, Role
from tests.people.factories import ProfileFactory, UserFactory

__all__ = [
    "EnrolmentFactory",
    "InvitationFactory",
    "ProfileFactory",
    "ProgramFactory",
    "UserFactory",
    "admin_of",
    "enrol",
    "member_of",
    "program_creator",
]


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


def enrol(
    person: User, program: Program, role: str = Role.MENTEE, status: str = EnrolmentStatus.ACTIVE
) -> Enrolment:
    return EnrolmentFactory(person=person, program=program, role=role, status=status)


def admin_of(program: Program) -> User:
    return EnrolmentFactory(program=program, role=Role.ADMIN).person


def member_of(program: Program, role: str = Role.MENTEE, **kwargs) -> User:
    return EnrolmentFactory(program=program, role=role, **kwargs).person


def program_creator(**kwargs) -> User:
    """An account a site admin gave the right to create programs (no staff flag)."""
    user = UserFactory(**kwargs)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="programs", codename="add_program")
    )
    return user
