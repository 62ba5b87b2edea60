"""Who might open a program's insights, for the permission tests of the pages, downloads and
API: only the program's admins (and, for every program together, site staff) may."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tandem.feedback.models import HealthSnapshot
from tandem.mentorships.models import Mentorship
from tandem.people.models import User
from tandem.programs.models import Enrolment, Program, Role
from tests.mentorships.factories import mentorship
from tests.programs.factories import ProgramFactory, UserFactory, admin_of

# Everyone but the program's admin and staff is refused, with the same 404 as a missing program.
REFUSED = ("mentee", "mentor", "admin of another program")


@dataclass
class Cast:
    program: Program
    pair: Mentorship
    people: dict[str, User]


def cast() -> Cast:
    program = ProgramFactory(name="Data Guild", slug="data-guild")
    pair = mentorship(program=program)
    Mentorship.objects.filter(pk=pair.pk).update(created_at=datetime(2025, 1, 20, tzinfo=UTC))
    HealthSnapshot.objects.create(
        mentorship=pair,
        program=program,
        state="at_risk",
        score=40,
        reason_codes=["no_contact"],
        computed_at=datetime(2025, 2, 5, 10, tzinfo=UTC),
    )
    people = {
        "program admin": admin_of(program),
        "mentee": pair.mentee,
        "mentor": pair.mentor,
        "admin of another program": admin_of(ProgramFactory()),
        "staff": UserFactory(is_staff=True),
    }
    assert not people["mentee"].enrolments.filter(role=Role.ADMIN).exists()
    # Everyone joined in January 2025, before the pair was matched.
    Enrolment.objects.filter(program=program).update(created_at=datetime(2025, 1, 10, tzinfo=UTC))
    return Cast(program, pair, people)
