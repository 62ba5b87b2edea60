"""The first agreement draft's dates sit inside the program's dates (journeys review: a request
accepted in December for a program starting on 1 March drafted 5 Dec to 27 Mar, a mentorship
that would end four weeks into the program)."""

from __future__ import annotations

from datetime import date

from tandem.mentorships.services.agreement_content import agreement_defaults
from tests.programs.factories import ProgramFactory

TODAY = date(2026, 12, 5)


def dates(**program) -> tuple[str, str]:
    content = agreement_defaults(
        program=ProgramFactory.build(default_duration_weeks=16, **program), today=TODAY
    )
    return content["starts_on"], content["ends_on"]


def test_a_program_that_has_not_started_yet_starts_the_draft_on_its_first_day():
    assert dates(starts_on=date(2027, 3, 1)) == ("2027-03-01", "2027-06-21")


def test_a_program_under_way_or_without_dates_starts_the_draft_today():
    assert dates(starts_on=date(2026, 9, 1)) == ("2026-12-05", "2027-03-27")
    assert dates(starts_on=None) == ("2026-12-05", "2027-03-27")


def test_the_draft_ends_no_later_than_the_program():
    assert dates(starts_on=date(2027, 3, 1), ends_on=date(2027, 5, 31)) == (
        "2027-03-01",
        "2027-05-31",
    )
