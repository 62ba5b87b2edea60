"""Equity figures do not move with one person over time (issue #13): only final cohorts are
counted, each as of its cut-off, so joining, being matched, ending early or answering today
changes no figure, in the section or in the API.

The fixture is ``test_equity_section``'s program (everyone joined in 2025Q1), read on
``READ`` (2025Q1 and 2025Q2 final). The as-of rules use one mentee of 2025Q1, whose cohort is
measured as of 1 October 2025 (the end of 2025Q3) and shown from 2 October 2025 (a day later,
once answers given before the cut-off can no longer be edited).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.insights.equity.metrics import INDEX
from tandem.insights.scope import scope_of
from tandem.insights.selectors.equity import equity_section
from tandem.insights.selectors.equity_data import equity_data
from tandem.matchruns.models import MatchPair, MatchRun, RunStatus
from tandem.mentorships.models import Goal, GoalState, GoalUpdate, Mentorship, MentorshipState
from tandem.people.models import Identity
from tandem.programs.models import Role
from tests.insights.equity_clock import clock
from tests.insights.test_equity_section import READ, WRITTEN, _program
from tests.mentorships.factories import member, mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db
CUTOFF = datetime(2025, 10, 1, tzinfo=UTC)  # 2025Q1 followed to the end of 2025Q3
SHOWN = datetime(2025, 10, 2, tzinfo=UTC)  # plus the day an answer may still be edited


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def program():
    with clock(WRITTEN):
        return _program()


def _seen(client, program):
    """Every table the section and the API show for the program, the site and a range."""
    scopes = [((program.pk,), "", ""), ((program.pk,), "2025Q1", "2025Q1")]
    scopes.append((tuple({program.pk, ProgramFactory().pk}), "", ""))
    section = [
        [
            (t.key, t.summary, t.rows, t.notes)
            for t in equity_section(scope_of(ids, first=a, last=b))
        ]
        for ids, a, b in scopes
    ]
    url = f"/api/programs/{program.slug}/insights/equity"
    api = [client.get(url, query).json()["tables"] for query in ({}, {"first": "2025Q1"})]
    return section, api


def _unmatched_parent():
    matched = Mentorship.objects.values("mentee")
    return Identity.objects.filter(attributes=["parent"]).exclude(user__in=matched).first().user


def test_what_happens_today_changes_no_equity_figure(client, program):
    with clock(READ):
        client.force_login(member(program, Role.ADMIN))
        before = _seen(client, program)
        assert any(row["people"] for row in before[0][0][0][2])  # figures are shown
        satisfaction = next(t for t in before[0][0] if t[0] == "satisfaction")
        assert "joined up to Q2 2025, and the next update is on 2 Jan 2027" in satisfaction[3][-1]
        assert before[0][0][0][1].startswith(
            "Mentees who joined up to Q2 2025, each followed for two full quarters after the "
            "quarter they joined; those who joined in Q3 2025 are added on 2 Apr 2026."
        )
        # A new mentee who shared "parent" joins; an old cohort's waiting parent is matched,
        # the mentorship ends early, they answer the closing survey and set a goal achieved;
        # an old goal is marked achieved; a match run is published with them in it.
        newcomer = member(program, Role.MENTEE)
        Identity.objects.create(user=newcomer, attributes=["parent"], consented_at=READ)
        waiting = _unmatched_parent()
        late = mentorship(program=program, mentee=waiting, state=MentorshipState.ENDED_EARLY)
        Mentorship.objects.filter(pk=late.pk).update(ended_at=READ)
        run = MatchRun.objects.create(
            program=program, status=RunStatus.PUBLISHED, published_at=READ
        )
        MatchPair.objects.create(run=run, mentee=waiting, mentor=late.mentor, score=0.1)
        CheckIn.objects.create(
            mentorship=late, author=waiting, kind=CheckInKind.CLOSING, questions=[],
            due_at=READ, answered_at=READ, answers={"satisfaction": 1},
        )  # fmt: skip
        goal = Goal.objects.create(mentorship=late, title="Goal", state=GoalState.ACHIEVED)
        GoalUpdate.objects.create(goal=goal, state=GoalState.ACHIEVED, percent=100)
        old = Goal.objects.exclude(state=GoalState.ACHIEVED).exclude(pk=goal.pk).first()
        GoalUpdate.objects.create(goal=old, state=GoalState.ACHIEVED, percent=100)
        Goal.objects.filter(pk=old.pk).update(state=GoalState.ACHIEVED)
        cache.clear()
        assert _seen(client, program) == before


def _one_mentee():
    """One mentee of 2025Q1 with something on each side of the cut-off."""
    program = ProgramFactory()
    run_before = MatchRun.objects.create(
        program=program, status=RunStatus.PUBLISHED, published_at=CUTOFF - timedelta(days=30)
    )
    with clock(datetime(2025, 2, 1, tzinfo=UTC)):
        person = member(program, Role.MENTEE)
    with clock(datetime(2025, 3, 1, tzinfo=UTC)):  # matched after 4 weeks; ends early too late
        first = mentorship(program=program, mentee=person, state=MentorshipState.ENDED_EARLY)
    Mentorship.objects.filter(pk=first.pk).update(ended_at=CUTOFF + timedelta(days=1))
    with clock(CUTOFF + timedelta(days=60)):  # a second mentorship, too late to be a re-match
        mentorship(program=program, mentee=person)
    MatchPair.objects.create(run=run_before, mentee=person, mentor=first.mentor, score=0.4)
    answers = ((CUTOFF - timedelta(days=10), 4), (CUTOFF + timedelta(hours=1), 1))
    for sequence, (answered, rating) in enumerate(answers):
        CheckIn.objects.create(
            mentorship=first, author=person, kind=CheckInKind.CLOSING, questions=[],
            sequence=sequence,
            due_at=answered, answered_at=answered, answers={"satisfaction": rating},
        )  # fmt: skip
    with clock(datetime(2025, 3, 10, tzinfo=UTC)):
        changed_late, achieved = (Goal.objects.create(mentorship=first, title=t) for t in "ab")
    for goal, moment, state in (
        (changed_late, datetime(2025, 4, 1, tzinfo=UTC), GoalState.IN_PROGRESS),
        (changed_late, CUTOFF + timedelta(days=1), GoalState.ACHIEVED),
        (achieved, CUTOFF - timedelta(days=1), GoalState.ACHIEVED),
    ):
        with clock(moment):
            GoalUpdate.objects.create(goal=goal, state=state, percent=50)
    with clock(CUTOFF + timedelta(days=1)):  # a goal set after the cut-off
        Goal.objects.create(mentorship=first, title="c", state=GoalState.ACHIEVED)
    return program


def test_a_cohort_is_measured_as_of_its_cut_off_and_shown_once_settled():
    _one_mentee()
    with clock(SHOWN - timedelta(seconds=1)):
        assert equity_data().quarters == 0  # not final yet
    with clock(SHOWN):
        data = equity_data()
    assert data.quarters == 1 and data.first_quarter == 2025 * 4
    got = {name: data.totals[0, 0, k] for name, k in INDEX.items()}
    assert got == pytest.approx(
        {
            "enrolled": 1,
            "matched": 1,
            "weeks": 4,
            "weeks_sq": 16,
            "scored": 1,
            "score": 0.4,
            "score_sq": 0.16,
            "answered": 1,
            "satisfaction": 4,
            "satisfaction_sq": 16,
            "ended_early": 0,
            "rematched": 0,
            "with_goals": 1,
            "goal_share": 0.5,
            "goal_share_sq": 0.25,
        }  # fmt: skip
    )
    with clock(SHOWN + timedelta(days=400)):  # later still: the same figures
        assert (equity_data().totals[0, 0] == data.totals[0, 0]).all()


def test_before_any_cohort_is_final_the_tables_say_when_the_first_one_is():
    program = ProgramFactory()
    with clock(datetime(2025, 2, 1, tzinfo=UTC)):
        member(program, Role.MENTEE)
    with clock(SHOWN - timedelta(seconds=1)):
        tables = equity_section(scope_of((program.pk,)))
    (note,) = tables[0].notes
    assert note.startswith("No mentees have been followed long enough to be shown yet")
    assert note.endswith("Those who joined in Q1 2025 are added on 2 Oct 2025.")
    assert all(not t.rows and t.notes == [note] for t in tables)


def test_private_answers_change_only_at_the_yearly_release(program):
    """A 2025Q3 cohort of 6 parents and 6 others who all answered joins the match rate once
    final (2 April 2026), and the satisfaction figure only at the next release (2 January
    2027)."""
    joined = datetime(2025, 8, 1, tzinfo=UTC)
    with clock(joined):
        for k in range(12):
            person = member(program, Role.MENTEE)
            if k < 6:
                Identity.objects.create(user=person, attributes=["parent"], consented_at=joined)
            pair = mentorship(program=program, mentee=person)
            CheckIn.objects.create(
                mentorship=pair, author=person, kind=CheckInKind.CLOSING, questions=[],
                due_at=joined, answered_at=joined, answers={"satisfaction": 1 if k < 6 else 3},
            )  # fmt: skip

    def parents(moment):
        cache.clear()
        with clock(moment):
            found = {t.key: t.rows[0] for t in equity_section(scope_of((program.pk,)))}
        return found["match_rate"]["people"], found["satisfaction"]["people"]

    assert parents(READ) == (7, 5)  # 2025Q3 not final yet
    assert parents(datetime(2026, 5, 1, tzinfo=UTC)) == (13, 5)  # final: the match rate moves
    assert parents(datetime(2027, 1, 5, tzinfo=UTC)) == (13, 11)  # the next release
