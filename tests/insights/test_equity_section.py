"""The equity section against a small hand-computed fixture.

Program A, everyone joined on Mon 6 Jan 2025 (2025Q1). Mentees who shared "parent" (written
"Parent", " parent " and "PARENT": one group): P1..P5 matched after 1, 2, 3, 4, 5 weeks, P6 and
P7 unmatched. Everyone else: O1..O5 matched after 1 week each (O1..O3 shared "carer", only 3
people: not named; O4 shared nothing; O5 "Veteran", 1 person), O6..O8 unmatched, no identity.

- Match rate: parents 5/7 = 0.7143, everyone else 5/8 = 0.625; difference 0.0893. Wilson 5/7 is
  (0.3589, 0.9178) and 5/8 (0.3057, 0.8632), so Newcombe's interval is
  0.0893 - sqrt((0.7143-0.3589)^2 + (0.8632-0.625)^2) = -0.3385 to
  0.0893 + sqrt((0.9178-0.7143)^2 + (0.625-0.3057)^2) = 0.4679.
- Time to match: parents' weeks 1..5 (mean 3, variance 2.5), the others' all 1 (variance 0):
  difference 2, se = sqrt(2.5/5) = 0.7071, Welch df = 4, t = 2.7764: 2 ± 1.9632 = 0.0368 to 3.9632.
- Match quality (run scores): parents 0.9, 0.8, 0.7, 0.6, 0.5 (mean 0.7, variance 0.025), the
  others 0.5 each: 0.2 ± 2.7764 * sqrt(0.005) = 0.0037 to 0.3963.
- Satisfaction (closing surveys): parents 5, 5, 4, 4, 2 (mean 4, variance 6/4 = 1.5), others 3
  each: 1 ± 2.7764 * sqrt(0.3) = -0.5207 to 2.5207: no clear difference.
- Early endings: P1 and P2's first mentorships ended early: 2/5 against 0/5, difference 0.4;
  Wilson 2/5 = (0.1176, 0.7693), 0/5 = (0, 0.4345): -0.1182 to 0.7693.
- Re-matches: P1 has a second mentorship: 1/5 against 0/5: 0.2, -0.2643 to 0.6245.
- Goal completion (goals set in week 10, their state from their updates): parents achieved
  2/2, 2/2, 1/2, 1/2, 0/2 (shares mean 0.6, variance 0.175),
  the others 1/1 four times and 0/1 once (mean 0.8, variance 0.2): -0.2, se = sqrt(0.075) =
  0.2739, Welch df = 7.965, t = 2.3078: -0.8320 to 0.4320.

The data is written as of week 10 (``WRITTEN``) and read on ``READ``, when the cohorts of
2025Q1 and 2025Q2 are final (followed to the end of 2025Q3 and 2025Q4) and later ones are not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from tandem.feedback.models import CheckIn, CheckInKind
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
        matched(program, person, 1, run=run, score=0.5, satisfaction=3, goals=(k < 4,))
    for _ in range(3):
        mentee(program)
    return program


def tables(program, first="", last=""):
    return {t.key: t for t in equity_section(scope_of((program.pk,), first=first, last=last))}


def row(table):
    (found,) = table.rows  # one listed group: "parent"; "carer" (4 people) and "veteran" are not
    assert found["group"] == "parent"
    return found


def test_each_figure_against_the_hand_computed_values(program):
    found = tables(program)
    expected = {
        "match_rate": (7, 0.7143, 8, 0.625, 0.0893, -0.3385, 0.4679),
        "time_to_match": (5, 3.0, 5, 1.0, 2.0, 0.0368, 3.9632),
        "match_quality": (5, 0.7, 5, 0.5, 0.2, 0.0037, 0.3963),
        "satisfaction": (5, 4.0, 5, 3.0, 1.0, -0.5207, 2.5207),
        "early_endings": (5, 0.4, 5, 0.0, 0.4, -0.1182, 0.7693),
        "rematches": (5, 0.2, 5, 0.0, 0.2, -0.2643, 0.6245),
        "goal_completion": (5, 0.6, 5, 0.8, -0.2, -0.8320, 0.4320),
    }
    keys = ("people", "value", "rest_people", "rest_value", "difference", "low", "high")
    for metric, numbers in expected.items():
        got = row(found[metric])
        assert [got[k] for k in keys] == pytest.approx(numbers, abs=1e-3), metric


def test_statements_say_the_difference_or_that_there_is_none(program):
    found = tables(program)
    assert row(found["time_to_match"])["statement"] == (
        "Mentees who shared “parent” waited 2.0 weeks longer to be matched (95 % interval 0.0–4.0)."
    )
    assert row(found["satisfaction"])["statement"].startswith(
        "No clear difference in satisfaction between mentees who shared “parent” and everyone "
        "else: the difference is 1.0 points on the 1 to 5 scale (95 % interval −0.5 to 2.5)"
    )


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
