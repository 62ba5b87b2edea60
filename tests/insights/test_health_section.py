"""The health section against a small hand-computed history (2025Q1: Mondays 6 Jan to 31 Mar).

Pair A (program P, matched 1 Dec 2024, active): on track on 20 Dec 2024 (reason high_pulse),
at risk on Wed 15 Jan (no_contact) and stalled on Thu 16 Jan (no_contact, missed_periods),
on track again on Wed 5 Feb (no reason). Pair B (P): thriving on Wed 8 Jan (high_pulse,
goal_progress), completed on Wed 5 Mar. Pair C (another program): stalled on 8 Jan. Pairs D
(matched 1 Feb, active, not assessed yet) and E (matched 10 Feb, active, thriving now) have no
history.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tandem.feedback.models import HealthSnapshot, MentorshipHealth
from tandem.insights.scope import scope_of
from tandem.insights.selectors.health import (
    NO_ACTIVE_PAIRS,
    NO_SNAPSHOTS,
    NOT_ASSESSED,
    health_section,
)
from tandem.mentorships.models import Mentorship, MentorshipState
from tests.mentorships.factories import mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def snap(m: Mentorship, when: str, state: str, codes: list[str]) -> None:
    HealthSnapshot.objects.create(
        mentorship=m,
        program=m.program,
        state=state,
        score=50,
        reason_codes=codes,
        computed_at=at(when),
    )


def matched(program, when: str, state: str = MentorshipState.ACTIVE, **extra) -> Mentorship:
    m = mentorship(program=program, state=state)
    Mentorship.objects.filter(pk=m.pk).update(created_at=at(when), **extra)
    m.refresh_from_db()
    return m


def current(m: Mentorship, state: str) -> None:
    MentorshipHealth.objects.create(
        mentorship=m,
        program=m.program,
        state=state,
        score=80,
        reasons=[],
        signals={},
        state_since=at("2025-02-10T12:00"),
        computed_at=at("2025-02-10T12:00"),
    )


@pytest.fixture
def history():
    program, other = ProgramFactory(), ProgramFactory()
    a = matched(program, "2024-12-01T09:00")
    snap(a, "2024-12-20T10:00", "on_track", ["high_pulse"])
    snap(a, "2025-01-15T10:00", "at_risk", ["no_contact"])
    snap(a, "2025-01-16T10:00", "stalled", ["no_contact", "missed_periods"])
    snap(a, "2025-02-05T10:00", "on_track", [])
    current(a, "on_track")
    b = matched(
        program, "2024-12-01T09:00", MentorshipState.COMPLETED, ended_at=at("2025-03-05T10:00")
    )
    snap(b, "2025-01-08T10:00", "thriving", ["high_pulse", "goal_progress"])
    c = matched(other, "2024-12-01T09:00")
    snap(c, "2025-01-08T10:00", "stalled", ["no_contact"])
    matched(program, "2025-02-01T09:00")  # D
    current(matched(program, "2025-02-10T09:00"), "thriving")  # E
    return program, other


def tables(program_ids, first="", last=""):
    return {t.key: t for t in health_section(scope_of(program_ids, first=first, last=last))}


def week(row):
    return (
        row["week"],
        row["thriving"],
        row["on_track"],
        row["at_risk"],
        row["stalled"],
        row["pairs"],
        row["flagged_share"],
    )


def test_weekly_states_in_a_quarter(history):
    program, _ = history
    rows = tables((program.pk,), "2025Q1", "2025Q1")["states_by_week"].rows
    # 13 Mondays start in 2025Q1: 6 Jan ... 31 Mar.
    assert len(rows) == 13
    assert rows[0]["week"] == "2025-01-06" and rows[-1]["week"] == "2025-03-31"
    # 6 Jan: A still on track since December, B thriving from 8 Jan.
    assert week(rows[0]) == ("2025-01-06", 1, 1, 0, 0, 2, 0.0)
    # 13 Jan: A at risk then stalled in the same week: stalled at the week's end.
    assert week(rows[1]) == ("2025-01-13", 1, 0, 0, 1, 2, 0.5)
    assert week(rows[3]) == ("2025-01-27", 1, 0, 0, 1, 2, 0.5)
    # 3 Feb: A on track again.
    assert week(rows[4]) == ("2025-02-03", 1, 1, 0, 0, 2, 0.0)
    # 3 Mar: B completed on 5 Mar, so only A remains.
    assert week(rows[8]) == ("2025-03-03", 0, 1, 0, 0, 1, 0.0)
    assert week(rows[12]) == ("2025-03-31", 0, 1, 0, 0, 1, 0.0)


def test_weekly_states_carry_over_into_a_later_quarter(history):
    program, _ = history
    found = tables((program.pk,), "2025Q2", "2025Q2")
    rows = found["states_by_week"].rows
    # Mondays 7 Apr ... 30 Jun: 13 weeks, A on track throughout (no snapshot in Q2).
    assert len(rows) == 13
    assert {week(row)[1:] for row in rows} == {(0, 1, 0, 0, 1, 0.0)}
    # No health was recorded in Q2, so no reasons.
    assert found["reasons"].rows == [] and found["reasons"].notes == [NO_SNAPSHOTS]


def test_weekly_states_without_a_range_start_at_the_first_snapshot(history):
    program, _ = history
    rows = tables((program.pk,))["states_by_week"].rows
    # A's first snapshot is in the week of Monday 16 Dec 2024.
    assert week(rows[0]) == ("2024-12-16", 0, 1, 0, 0, 1, 0.0)
    assert week(rows[3])[0] == "2025-01-06" and week(rows[3])[1:] == (1, 1, 0, 0, 2, 0.0)


def test_reasons_count_each_pair_once(history):
    program, _ = history
    rows = tables((program.pk,), "2025Q1", "2025Q1")["reasons"].rows
    by_reason = {row["reason"]: (row["kind"], row["pairs"], row["share"]) for row in rows}
    # A and B had health recorded in Q1 (2 pairs). A gave no_contact twice: one pair.
    # A's high_pulse was in December, outside the range: only B's counts.
    assert by_reason["No meeting and no message from either side for a long time."] == (
        "Concern",
        1,
        0.5,
    )
    assert by_reason["Whole cadence periods went by without a meeting."] == ("Concern", 1, 0.5)
    assert by_reason["Both sides rated the latest check-in well."] == ("Strength", 1, 0.5)
    assert by_reason["The goals are well under way."] == ("Strength", 1, 0.5)
    # Reasons nobody was given (overdue items, ...) are left out.
    assert len(rows) == 4


def test_current_states_of_the_cohort(history):
    program, _ = history
    rows = tables((program.pk,), "2025Q1", "2025Q1")["current"].rows
    # Matched in Q1 and active: D (not assessed) and E (thriving). A was matched in December.
    assert [(row["state"], row["pairs"], row["share"]) for row in rows] == [
        ("Thriving", 1, 0.5),
        ("On track", 0, 0.0),
        ("At risk", 0, 0.0),
        ("Stalled", 0, 0.0),
        (NOT_ASSESSED, 1, 0.5),
    ]
    everyone = tables((program.pk,))["current"].rows
    # Without a range: A (on track), D and E; B is completed.
    assert [row["pairs"] for row in everyone] == [1, 1, 0, 0, 1]


def test_site_scope_adds_the_programs_together(history):
    program, other = history
    rows = tables((program.pk, other.pk), "2025Q1", "2025Q1")["states_by_week"].rows
    # C (the other program) is stalled from 8 Jan: one more stalled pair every week.
    assert week(rows[0]) == ("2025-01-06", 1, 1, 0, 1, 3, round(1 / 3, 4))
    assert week(rows[1]) == ("2025-01-13", 1, 0, 0, 2, 3, round(2 / 3, 4))


def test_an_empty_program_has_notes_not_rows():
    program = ProgramFactory()
    found = tables((program.pk,), "2025Q1", "2025Q4")
    assert all(table.rows == [] for table in found.values())
    assert found["states_by_week"].notes == [NO_SNAPSHOTS]
    assert found["reasons"].notes == [NO_SNAPSHOTS]
    assert found["current"].notes == [NO_ACTIVE_PAIRS]


def test_the_last_week_of_a_range_ends_on_its_sunday():
    # 2025Q1's last week starts on Monday 31 March and ends on Sunday 6 April: a pair on track
    # from 10 March and at risk from Wednesday 2 April is at risk at the end of that week (the
    # change after the quarter's end still counts); stalled from 9 April does not matter.
    program = ProgramFactory()
    m = matched(program, "2025-03-01T09:00")
    snap(m, "2025-03-10T10:00", "on_track", [])
    snap(m, "2025-04-02T10:00", "at_risk", ["no_contact"])
    snap(m, "2025-04-09T10:00", "stalled", ["no_contact"])
    rows = tables((program.pk,), "2025Q1", "2025Q1")["states_by_week"].rows
    assert [week(row) for row in rows[-2:]] == [
        ("2025-03-24", 0, 1, 0, 0, 1, 0.0),
        ("2025-03-31", 0, 0, 1, 0, 1, 1.0),
    ]
