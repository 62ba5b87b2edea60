"""The equity section against a small hand-computed fixture.

Program A, everyone joined on Mon 6 Jan 2025 (2025Q1). Mentees who shared "parent" (written
"Parent", " parent " and "PARENT": one group): P1..P5 matched after 1, 2, 3, 4, 5 weeks, P6 and
P7 unmatched. Everyone else: O1..O5 matched after 1 week each (O1..O3 shared "carer", only 3
people: not named; O4 shared nothing; O5 "Veteran", 1 person), O6..O8 unmatched, no identity.

- Match rate: parents 5/7 = 0.7143, everyone else 5/8 = 0.625; difference 0.0893. Wilson 5/7 is
  (0.3589, 0.9178) and 5/8 (0.3057, 0.8632), so Newcombe's interval is
  0.0893 - sqrt((0.7143-0.3589)^2 + (0.8632-0.625)^2) = -0.3385 to
  0.0893 + sqrt((0.9178-0.7143)^2 + (0.625-0.3057)^2) = 0.4679.
- The other figures are released with noise (``equity.noise``): their exact values, which the
  tests read with every draw zero (``no_draw``), are: time to match parents' weeks 1..5 (mean 3)
  against 1 each, 2 weeks; match quality 0.7 against 0.5; satisfaction 4 against 3; early
  endings 2/5 against 1/5 (O1); re-matches (P1 and O1 have a second mentorship) 1/5 against
  1/5 (a rate with all of its people on one side is withheld: ``EquityData.all_or_none``); goal
  completion (goals set in week 10, their state from their updates) 0.6 against 0.8. Their
  intervals are widened by the noise's scale and clipped to the values' range: see the test.

The data is written as of week 10 (``WRITTEN``) and read on ``READ``, when the cohorts of
2025Q1 and 2025Q2 are final (followed to the end of 2025Q3 and 2025Q4) and later ones are not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.insights.equity import noise
from tandem.insights.scope import scope_of
from tandem.insights.selectors import equity_data
from tandem.insights.selectors.equity import (
    ALL_QUARTERS_ONLY,
    NO_GROUPS,
    NO_MENTEES,
    NOT_FINAL,
    UNCHECKED_NOTE,
    WITHHELD,
    equity_section,
)
from tandem.matchruns.models import MatchPair, MatchRun, RunStatus
from tandem.mentorships.models import Goal, GoalState, GoalUpdate, Mentorship, MentorshipState
from tandem.notify.periodic import registered_jobs
from tandem.people.models import Identity
from tandem.programs.models import Enrolment, Role
from tests.insights.equity_clock import clock
from tests.mentorships.factories import member, mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db
JOINED = datetime(2025, 1, 6, 9, tzinfo=UTC)
WRITTEN = JOINED + timedelta(weeks=10)
READ = datetime(2026, 1, 15, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def read_on_a_fixed_day():
    with clock(READ):
        yield


def mentee(program, attributes=None):
    person = member(program, Role.MENTEE)
    Enrolment.objects.filter(person=person).update(created_at=JOINED)
    if attributes is not None:
        Identity.objects.create(user=person, attributes=attributes, consented_at=JOINED)
    return person


def matched(program, person, weeks, *, run, score, satisfaction, goals, state="active"):
    m = mentorship(program=program, mentee=person, state=state)
    ended = WRITTEN if state == MentorshipState.ENDED_EARLY else None
    Mentorship.objects.filter(pk=m.pk).update(
        created_at=JOINED + timedelta(weeks=weeks), ended_at=ended
    )
    MatchPair.objects.create(run=run, mentee=person, mentor=m.mentor, score=score)
    CheckIn.objects.create(
        mentorship=m,
        author=person,
        kind=CheckInKind.CLOSING,
        questions=[],
        due_at=JOINED,
        answered_at=JOINED + timedelta(weeks=20),
        answers={"satisfaction": satisfaction},
    )
    for achieved in goals:
        state = GoalState.ACHIEVED if achieved else GoalState.IN_PROGRESS
        goal = Goal.objects.create(mentorship=m, title="Goal", state=state)
        GoalUpdate.objects.create(goal=goal, state=state, percent=100 if achieved else 50)
    return m


@pytest.fixture
def program():
    with clock(WRITTEN):
        return _program()


def _program():
    program = ProgramFactory()
    run = MatchRun.objects.create(
        program=program, status=RunStatus.PUBLISHED, published_at=JOINED + timedelta(weeks=1)
    )
    spellings = ["Parent", " parent ", "PARENT", "parent", "Parent"]
    scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    ratings = [5, 5, 4, 4, 2]
    goals = [(1, 1), (1, 1), (1, 0), (1, 0), (0, 0)]
    for k in range(5):
        person = mentee(program, [spellings[k], "carer"] if k == 4 else [spellings[k]])
        state = MentorshipState.ENDED_EARLY if k < 2 else MentorshipState.ACTIVE
        matched(program, person, k + 1, run=run, score=scores[k], satisfaction=ratings[k],
                goals=goals[k], state=state)  # fmt: skip
        if k == 0:  # a second mentorship, later
            again = mentorship(program=program, mentee=person)
            Mentorship.objects.filter(pk=again.pk).update(created_at=JOINED + timedelta(weeks=9))
    for _ in range(2):
        mentee(program, ["parent"])
    others = [["carer"], ["carer"], ["Carer"], None, ["Veteran"]]
    for k in range(5):
        person = mentee(program, others[k])
        state = MentorshipState.ENDED_EARLY if k == 0 else MentorshipState.ACTIVE
        matched(program, person, 1, run=run, score=0.5, satisfaction=3, goals=(k < 4,),
                state=state)  # fmt: skip
        if k == 0:
            again = mentorship(program=program, mentee=person)
            Mentorship.objects.filter(pk=again.pk).update(created_at=JOINED + timedelta(weeks=9))
    for _ in range(3):
        mentee(program)
    return program


def tables(program, first="", last=""):
    return {t.key: t for t in equity_section(scope_of((program.pk,), first=first, last=last))}


def row(table):
    (found,) = table.rows  # one listed group: "parent"; "carer" (4 people) and "veteran" are not
    assert found["group"] == "parent"
    return found


@pytest.fixture
def no_draw(monkeypatch):
    """Every noise draw zero: the released figures are then the exact ones, rounded, with the
    intervals still widened by the noise's scale (``equity.noise``)."""
    monkeypatch.setattr(noise, "laplace", lambda *args: 0.0)


def test_each_figure_against_the_hand_computed_values(program, no_draw):
    """Rounded as the page shows them; a mean's interval from everyone's spread, widened by
    the noise's 95 % half-width (1.96 · √2 · width · (1/5 + 1/5)) and kept within ± the
    width of the values' range: for the time to match, 40 weeks."""
    found = tables(program)
    expected = {
        "match_rate": (7, 0.714, 8, 0.625, 0.089, -0.338, 0.468),  # released exact
        "time_to_match": (5, 3.0, 5, 1.0, 2.0, -40.0, 40.0),
        "match_quality": (5, 0.7, 5, 0.5, 0.2, -0.93, 1.0),
        "satisfaction": (5, 4.0, 5, 3.0, 1.0, -3.7, 4.0),
        "early_endings": (5, 0.4, 5, 0.2, 0.2, -1.0, 1.0),
        "rematches": (5, 0.2, 5, 0.2, 0.0, -1.0, 1.0),
        "goal_completion": (5, 0.6, 5, 0.8, -0.2, -1.0, 1.0),
    }
    keys = ("people", "value", "rest_people", "rest_value", "difference", "low", "high")
    for metric, numbers in expected.items():
        got = row(found[metric])
        assert [got[k] for k in keys] == pytest.approx(numbers, abs=1e-9), metric


def test_statements_say_the_difference_or_that_there_is_none(program, no_draw):
    found = tables(program)
    assert row(found["time_to_match"])["statement"] == (
        "No clear difference in time to match between mentees who shared “parent” and everyone "
        "else: the difference is 2.0 weeks (95 % interval −40.0 to 40.0), and the interval "
        "includes zero."
    )
    assert row(found["satisfaction"])["statement"].startswith(
        "No clear difference in satisfaction between mentees who shared “parent” and everyone "
        "else: the difference is 1.0 points on the 1 to 5 scale (95 % interval −3.7 to 4.0)"
    )


def test_a_figure_is_released_with_its_own_fixed_noise(program):
    """The draw is keyed by the cell: re-reading gives the same numbers (no averaging over
    re-reads), and the time to match is not the exact 3.0 weeks."""
    first = row(tables(program)["time_to_match"])
    cache.clear()
    assert row(tables(program)["time_to_match"]) == first
    assert first["value"] != 3.0 and first["value"] == round(first["value"], 1)
    assert first["people"] == 5  # sizes are exact: the suppression rules are about them


def test_the_site_scope_counts_every_program_and_a_range_outside_the_data_has_no_mentees(program):
    other = ProgramFactory()  # no mentee: the site's figures are program A's
    site = {t.key: t for t in equity_section(scope_of((program.pk, other.pk)))}
    assert row(site["match_rate"])["people"] == 7
    assert tables(program, first="2025Q1", last="2025Q1")["match_rate"].rows
    later = tables(program, first="2025Q2")  # final, but nobody joined then
    assert all(not t.rows and t.notes == [NO_MENTEES] for t in later.values())
    unfollowed = tables(program, first="2025Q3")  # not final on ``READ``: says so
    assert all(not t.rows and t.notes == [NOT_FINAL] for t in unfollowed.values())


def test_an_empty_program_and_a_site_without_groups():
    program = ProgramFactory()
    assert all(t.notes == [NO_GROUPS] and not t.rows for t in tables(program).values())
    for _ in range(6):
        mentee(program, ["carer"] if _ < 4 else None)  # 4 carers: not enough to name
    assert all(t.notes == [NO_GROUPS] for t in tables(program).values())


def test_an_audit_out_of_time_withholds_every_group_figure_until_the_background_job(
    program, monkeypatch
):
    monkeypatch.setattr(equity_data, "PAGE_BUDGET_SECONDS", 0.0)
    for table in tables(program).values():
        assert table.notes == [UNCHECKED_NOTE]
        assert [r["statement"] for r in table.rows] == [WITHHELD]
        assert all(table.rows[0][k] is None for k in ("people", "value", "difference"))
    assert tables(program)["match_rate"].notes == [UNCHECKED_NOTE]  # cached: no second try
    unchecked = equity_data.equity_version()  # a snapshot made now is not reused afterwards
    assert equity_data.equity_refresh(JOINED) == "audited"
    assert equity_data.equity_version() != unchecked
    assert row(tables(program)["match_rate"])["people"] == 7
    assert equity_data.equity_refresh(JOINED) == "warm"
    assert "insights.equity_audit" in registered_jobs()


def test_private_answers_are_shown_for_all_quarters_together_only(program):
    """Satisfaction and goal completion come from answers only their authors (or the pair) may
    read; a range of quarters would let two ranges be differenced down to one answer (review
    finding: 'everyone' totals by quarter are published nowhere else), so only the figure over
    all quarters is shown."""
    later = mentee(program, ["parent"])
    Enrolment.objects.filter(person=later).update(created_at=JOINED + timedelta(days=120))
    cache.clear()
    everything = tables(program)
    assert row(everything["satisfaction"])["value"] is not None
    first_quarter = tables(program, first="2025Q1", last="2025Q1")
    for key in ("satisfaction", "goal_completion"):
        assert row(first_quarter[key])["value"] is None
        assert first_quarter[key].notes == [ALL_QUARTERS_ONLY]
    # The other figures keep their ranges (here the audit withholds Q1's: with the one parent
    # who joined in Q2, Q1 and all quarters together would give that person away).
    assert ALL_QUARTERS_ONLY not in first_quarter["match_rate"].notes
