"""A program with one active pair, and the people of the permission tests around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.mentorships.models import Mentorship
from tandem.people.models import User
from tandem.programs.models import Program, Role
from tests.mentorships import factories as mentoring
from tests.programs.factories import ProgramFactory

ROLES = (
    "anonymous",
    "author",
    "partner",
    "other participant",
    "program admin",
    "other program's admin",
    "site admin",
)


@pytest.fixture(autouse=True)
def _quiet_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mail.outbox = []


@dataclass
class World:
    program: Program
    pair: Mentorship
    admin: User
    other_admin: User
    other_participant: User
    site_admin: User

    @property
    def mentor(self) -> User:
        return self.pair.mentor

    @property
    def mentee(self) -> User:
        return self.pair.mentee

    def person(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "author": self.mentee,
            "partner": self.mentor,
            "other participant": self.other_participant,
            "program admin": self.admin,
            "other program's admin": self.other_admin,
            "site admin": self.site_admin,
        }[role]


@pytest.fixture
def world(db) -> World:
    program = ProgramFactory()
    pair = mentoring.mentorship(program=program)
    site_admin = mentoring.UserFactory(is_staff=True, is_superuser=True)
    return World(
        program=program,
        pair=pair,
        admin=mentoring.member(program, Role.ADMIN),
        other_admin=mentoring.member(ProgramFactory(), Role.ADMIN),
        other_participant=mentoring.member(program, Role.MENTOR),
        site_admin=site_admin,
    )


def checkin(
    pair: Mentorship,
    author: User,
    kind: str = CheckInKind.PULSE,
    sequence: int = 1,
    *,
    due_at: datetime | None = None,
    **fields,
) -> CheckIn:
    return CheckIn.objects.create(
        mentorship=pair,
        author=author,
        kind=kind,
        sequence=sequence,
        questions=DEFAULT_QUESTIONS[kind],
        due_at=due_at or timezone.now() - timedelta(hours=1),
        **fields,
    )


def both(
    pair: Mentorship, kind: str = CheckInKind.PULSE, sequence: int = 1
) -> tuple[CheckIn, CheckIn]:
    """The mentor's and the mentee's check-in at one point."""
    return checkin(pair, pair.mentor, kind, sequence), checkin(pair, pair.mentee, kind, sequence)
