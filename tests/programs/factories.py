"""The canonical factories for programs, enrolments and invitations."""

from __future__ import annotations

import factory
from django.contrib.auth.models import AnonymousUser, Permission

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
    # As every program before the setting existed (migration 0005): mentees may send requests
    # in cohort programs too. Tests of the new default (off) say so.
    allow_direct_requests = True


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


# Everyone who might try a program admin's action, for the per-role tests (the `cast` fixture).
CAST_ROLES = [
    "program admin",
    "admin of another program",
    "staff without rights",
    "program creator",
    "participant",
    "anonymous",
]


def cast_of(program: Program) -> dict[str, User | AnonymousUser]:
    """One person per role of ``CAST_ROLES``, seen from ``program``."""
    return {
        "program admin": admin_of(program),
        "admin of another program": admin_of(ProgramFactory()),
        "staff without rights": UserFactory(is_staff=True),
        "program creator": program_creator(),
        "participant": member_of(program, Role.MENTEE),
        "anonymous": AnonymousUser(),
    }
