"""People around one program's guidance library, one per role of the permission tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission

from tandem.mentorships.models import Mentorship
from tandem.people.models import User
from tandem.programs.models import Program, Role
from tests.mentorships import factories as mentoring
from tests.programs.factories import ProgramFactory, admin_of, member_of
from tests.programs.factories import UserFactory as PlainUserFactory

ROLES = (
    "anonymous",
    "other participant",
    "mentor",
    "mentee",
    "other program's admin",
    "program admin",
    "site admin",
)


def site_editor(**kwargs) -> User:
    """Someone a site admin gave the right to change the site-wide guidance (no program)."""
    user = PlainUserFactory(**kwargs)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="feedback", codename="change_guidancearticle"
        )
    )
    return user


@dataclass
class World:
    program: Program
    pair: Mentorship
    people: dict[str, User | None]


@pytest.fixture
def world(db) -> World:
    program = ProgramFactory()
    pair = mentoring.mentorship(program=program)
    people: dict[str, User | None] = {
        "anonymous": None,
        "other participant": member_of(ProgramFactory(), Role.MENTEE),
        "mentor": pair.mentor,
        "mentee": pair.mentee,
        "other program's admin": admin_of(ProgramFactory()),
        "program admin": admin_of(program),
        "site admin": site_editor(is_staff=True),
    }
    return World(program, pair, people)
