"""The outcomes section against a small hand-computed history in 2025Q1 (program P).

Check-ins answered in Q1 (1 to 5 scales, 5 best; every answer counts once):
- fit (first-meeting check-in): 5, 4, 4, 3, 2 -> 5 answers, average 18/5 = 3.6, 4 or 5: 3/5.
- progress (pulse): 4, 4, 5, 3, 2, 4 -> 6 answers, average 22/6 = 3.67, 4 or 5: 4/6 = 0.667.
  One more pulse answered "4" as text is not a point of the scale: not counted.
- meeting useful (pulse): 5, 5, 4 -> 3 people's answers make no block of five: not counted.
- progress (mid-point): no answer.
- goals achieved (closing): 5, 5, 4, 3, 1 -> average 18/5 = 3.6, 4 or 5: 3/5.
- satisfaction (closing): 5, 4, 4, 4, 2 -> average 19/5 = 3.8, 4 or 5: 4/5.
- would recommend (closing): yes, yes, yes, maybe, no -> 3/5, 1/5, 1/5.
- why it ended, in each side's view (closing): fit, fit, schedule, other -> 4 people: no block.
Every answer is a different person's. Not counted: five fit checks answered in December 2024
(all 1s: a block of their own, in 2024Q4), a fit check due but unanswered, a "fit" answer in a
pulse, another program's answers (all 1s).

Endings in Q1: completed on 20 Jan, 10 Feb and 1 Mar; ended early E1 (15 Jan, by the mentee,
who then asked for a new mentor), E2 (5 Feb, by the mentor), E3 (10 Mar, by a program admin,
never started), E4 (20 Mar, by an account since deleted) -> 7 ended: completed 3/7 = 0.429,
ended early 4/7 = 0.571; each early category 1/4, started 3/4, while agreeing 1/4. Reasons
chosen: E1 fit, E2 schedule, E3 the program's decision, E4 none recorded (1/4 each).
Not counted: a completion on 3 April, another program's early ending.

Re-match, mentees who joined (mentee enrolment) in Q1 with an early ending: E1's (joined 2 Jan,
a new mentor proposed 20 Jan: re-matched), E2's (joined 5 Jan, a new mentorship with the same
mentor: not a re-match), E4's (joined 1 Feb, another mentor proposed 1 Mar, before the early
end: not a re-match) -> 1 of 3 = 0.333. E3's mentee joined in December 2024 (and was
re-matched on 12 Mar).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.insights.scope import InsightScope, Quarter, scope_of
from tandem.insights.selectors.outcomes import outcomes_tables as build
from tandem.insights.selectors.outcomes.checkins import NO_ANSWERS
from tandem.insights.selectors.outcomes.endings import (
    NO_EARLY_ENDINGS,
    NO_ENDINGS,
    NO_MENTEES_ENDED_EARLY,
)
from tandem.insights.snapshots import tables_from_json, tables_to_json
from tandem.insights.views.present import chart_data
from tandem.mentorships.models import EarlyEndFeedback, Mentorship, MentorshipState
from tandem.programs.models import Enrolment, Role
from tests.mentorships.factories import member, mentorship
from tests.programs.factories import ProgramFactory

# The hand-computed figures are the exact ones: every noise draw zero here (the noise has its
# own tests, tests/feedback/checkins/test_figure_noise.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("exact_checkin_figures")]

Q1_2025 = (Quarter(2025, 1), Quarter(2025, 1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Answers:
    """Check-ins of a program, each from a pair of its own: figures need five people's
    answers, not five answers."""

    def __init__(self, program) -> None:
        self.program = program

    def add(self, kind: str, answered: str | None, **answers) -> None:
        m = mentorship(program=self.program)
        CheckIn.objects.create(
            mentorship=m,
            author=m.mentee,
            kind=kind,
            sequence=1,
            questions=[],
            due_at=at("2025-01-01T00:00"),
            answered_at=at(answered) if answered else None,
            answers=answers,
        )


def ended(
    program, state: str, when: str, *, by: str | None, started: bool = True, why: str = "", **people
):
    m = mentorship(program=program, state=state, **people)
    ended_by = {"mentee": m.mentee, "mentor": m.mentor}.get(by or "")
    if by == "admin":
        ended_by = member(program, Role.ADMIN)
    Mentorship.objects.filter(pk=m.pk).update(
        ended_at=at(when),
        ended_by=ended_by,
        activated_at=at("2024-12-01T09:00") if started else None,
        end_reason="Private words nobody else may read",
        end_category=why if state == MentorshipState.ENDED_EARLY else "",
    )
    m.refresh_from_db()
    return m


def joined(m: Mentorship, when: str) -> None:
    Enrolment.objects.filter(program=m.program, person=m.mentee, role=Role.MENTEE).update(
        created_at=at(when)
    )


def proposed(program, when: str, **people) -> Mentorship:
    m = mentorship(program=program, **people)
    Mentorship.objects.filter(pk=m.pk).update(created_at=at(when))
    return m


@pytest.fixture
def program():
    program, other = ProgramFactory(), ProgramFactory()
    checkins = Answers(program)
    for score in (5, 4, 4, 3, 2):
        checkins.add(CheckInKind.FIRST_MEETING, "2025-01-10T10:00", fit=score, adjust="secret")
    for _ in range(5):
        checkins.add(CheckInKind.FIRST_MEETING, "2024-12-10T10:00", fit=1)
    checkins.add(CheckInKind.FIRST_MEETING, None, fit=1)
    for progress, useful in ((4, 5), (4, 5), (5, 4), (3, None), (2, None), (4, None)):
        extra = {"meeting_useful": useful} if useful else {}
        checkins.add(CheckInKind.PULSE, "2025-02-10T10:00", progress=progress, **extra)
    checkins.add(CheckInKind.PULSE, "2025-02-10T10:00", progress="4", fit=1)
    closing = zip(
        (5, 5, 4, 3, 1),
        (5, 4, 4, 4, 2),
        ("yes", "yes", "yes", "maybe", "no"),
        ({"end_category": "fit"}, {"end_category": "fit"}, {"end_category": "schedule"},
         {"end_category": "other"}, {}),
        strict=True,
    )  # fmt: skip
    for achieved, satisfied, recommend, view in closing:
        checkins.add(
            CheckInKind.CLOSING,
            "2025-03-10T10:00",
            goals_achieved=achieved,
            satisfaction=satisfied,
            would_recommend=recommend,
            change="secret",
            **view,
        )
    elsewhere = Answers(other)
    for _ in range(5):
        elsewhere.add(CheckInKind.FIRST_MEETING, "2025-01-10T10:00", fit=1)

    for when in ("2025-01-20T10:00", "2025-02-10T10:00", "2025-03-01T10:00", "2025-04-03T10:00"):
        ended(program, MentorshipState.COMPLETED, when, by="mentee")
    e1 = ended(program, MentorshipState.ENDED_EARLY, "2025-01-15T10:00", by="mentee", why="fit")
    EarlyEndFeedback.objects.create(mentorship=e1, wants_new_mentor=True)
    joined(e1, "2025-01-02T10:00")
    proposed(program, "2025-01-20T10:00", mentee=e1.mentee)
    e2 = ended(
        program, MentorshipState.ENDED_EARLY, "2025-02-05T10:00", by="mentor", why="schedule"
    )
    joined(e2, "2025-01-05T10:00")
    proposed(program, "2025-02-10T10:00", mentee=e2.mentee, mentor=e2.mentor)
    e3 = ended(
        program,
        MentorshipState.ENDED_EARLY,
        "2025-03-10T10:00",
        by="admin",
        started=False,
        why="program",
    )
    joined(e3, "2024-12-10T10:00")
    proposed(program, "2025-03-12T10:00", mentee=e3.mentee)
    e4 = ended(program, MentorshipState.ENDED_EARLY, "2025-03-20T10:00", by=None)
    joined(e4, "2025-02-01T10:00")
    proposed(program, "2025-03-01T10:00", mentee=e4.mentee)
    ended(other, MentorshipState.ENDED_EARLY, "2025-01-15T10:00", by="mentee", why="fit")
    return program


def tables_of(program, first=Q1_2025[0], last=Q1_2025[1]):
    return {table.key: table for table in build(InsightScope((program.pk,), first, last))}


def test_checkin_scores(program):
    table = tables_of(program)["checkin_scores"]
    assert table.rows == [
        {"question": "Fit (first meeting)", "answers": 5, "average": 3.6,
         "favourable": 0.6},
        {"question": "Progress (pulse)", "answers": 6, "average": 3.67,
         "favourable": 0.667},
        {"question": "Meeting useful (pulse)", "answers": 0, "average": None,
         "favourable": None},
        {"question": "Progress (mid-point)", "answers": 0, "average": None,
         "favourable": None},
        {"question": "Goals achieved (closing)", "answers": 5, "average": 3.6,
         "favourable": 0.6},
        {"question": "Satisfaction (closing)", "answers": 5, "average": 3.8,
         "favourable": 0.8},
    ]  # fmt: skip
    assert table.notes == []  # nothing counted is withheld: the three wait outside any block
    assert "five people's answers that can no longer be changed" in table.summary


def test_the_average_chart_shows_the_answer_scale_not_zero_to_the_data(program):
    """Averages of 1-to-5 answers are charted on a 1-to-5 axis (it ran from 0 to 4), on the
    page, in the API and through a snapshot."""
    table = tables_of(program)["checkin_scores"]
    assert table.chart is not None and table.chart.scale == (1, 5)
    drawn = chart_data(table)
    assert drawn is not None and drawn["scale"] == [1, 5]
    assert tables_from_json(tables_to_json([table])) == [table]


def test_checkin_distributions_withhold_what_is_too_few(program):
    table = tables_of(program)["checkin_distribution"]
    by_point = {row["point"]: row for row in table.rows}
    assert [by_point[f"{p} of 5"]["fit"] for p in range(1, 6)] == [0, 1, 1, 2, 1]
    assert [by_point[f"{p} of 5"]["pulse_progress"] for p in range(1, 6)] == [0, 1, 1, 3, 1]
    assert [by_point[f"{p} of 5"]["goals_achieved"] for p in range(1, 6)] == [1, 0, 1, 1, 2]
    assert [by_point[f"{p} of 5"]["satisfaction"] for p in range(1, 6)] == [0, 1, 0, 3, 1]
    assert all(row["pulse_useful"] is None for row in table.rows)  # no block: nothing counted
    assert all(row["midpoint_progress"] is None for row in table.rows)  # none at all
    assert table.notes == []


def test_would_recommend(program):
    table = tables_of(program)["would_recommend"]
    assert table.rows == [
        {"answer": "Yes", "answers": 3, "share": 0.6},
        {"answer": "Maybe", "answers": 1, "share": 0.2},
        {"answer": "No", "answers": 1, "share": 0.2},
    ]


def test_no_comment_or_end_reason_reaches_any_table(program):
    text = repr([(t.rows, t.notes, t.summary) for t in build(scope_of((program.pk,)))])
    assert "secret" not in text and "Private words" not in text


def test_completion_and_early_endings(program):
    table = tables_of(program)["endings"]
    assert table.rows == [
        {"ending": "Completed", "mentorships": 3, "share": 0.429},
        {"ending": "Ended early", "mentorships": 4, "share": 0.571},
    ]


def test_what_the_early_endings_were(program):
    rows = tables_of(program)["early_endings"].rows
    assert [(row["category"], row["mentorships"], row["share"]) for row in rows] == [
        ("The mentee", 1, 0.25),
        ("The mentor", 1, 0.25),
        ("A program admin", 1, 0.25),
        ("A person no longer on the site", 1, 0.25),
        ("After it started", 3, 0.75),
        ("While agreeing the terms", 1, 0.25),
        ("The mentee asked for a new mentor", 1, 0.25),
    ]


def test_early_endings_by_the_reason_chosen(program):
    rows = tables_of(program)["early_end_reasons"].rows
    assert [(row["reason"], row["mentorships"], row["share"]) for row in rows] == [
        ("Not enough time, or our schedules clash", 1, 0.25),
        ("Not the right fit", 1, 0.25),
        ("The goals were reached early", 0, 0.0),
        ("A change of role, work or life", 0, 0.0),
        ("Left the organisation", 0, 0.0),
        ("The program's decision", 1, 0.25),
        ("Something else", 0, 0.0),
        ("Not recorded (ended before a reason was asked)", 1, 0.25),
    ]


def test_each_sides_view_of_why_waits_for_five_peoples_answers(program):
    """Four people's answers in Q1 (fit, fit, schedule, other) make no block: nothing shows,
    not even how many. A fifth person's (fit) closes the block and shows them all: schedule
    1/5, fit 3/5, other 1/5."""
    table = tables_of(program)["early_end_views"]
    assert all(row["answers"] is None and row["share"] is None for row in table.rows)
    assert table.notes == []
    Answers(program).add(CheckInKind.CLOSING, "2025-03-11T10:00", end_category="fit")
    table = tables_of(program)["early_end_views"]
    assert [(row["answer"], row["answers"], row["share"]) for row in table.rows] == [
        ("Not enough time, or our schedules clash", 1, 0.2),
        ("Not the right fit", 3, 0.6),
        ("The goals were reached early", 0, 0.0),
        ("A change of role, work or life", 0, 0.0),
        ("Left the organisation", 0, 0.0),
        ("The program's decision", 0, 0.0),
        ("Something else", 1, 0.2),
    ]
    assert table.notes == []


def test_rematch_rate(program):
    assert tables_of(program)["rematch"].rows == [{"ended_early": 3, "rematched": 1, "rate": 0.333}]


def test_the_quarter_before_has_its_own_cohort(program):
    """2024Q4: five fit checks of 1 (a block of their own), no ending; E3's mentee joined then
    and was re-matched after E3 ended early (in March: at any time counts)."""
    tables = tables_of(program, Quarter(2024, 4), Quarter(2024, 4))
    assert tables["checkin_scores"].rows[0]["answers"] == 5
    assert tables["checkin_scores"].rows[0]["average"] == 1.0
    assert all(row["answers"] is None for row in tables["would_recommend"].rows)
    assert NO_ANSWERS not in tables["checkin_scores"].notes
    assert tables["endings"].notes == [NO_ENDINGS]
    assert tables["early_endings"].notes == [NO_EARLY_ENDINGS]
    assert tables["rematch"].rows == [{"ended_early": 1, "rematched": 1, "rate": 1.0}]


def test_site_scope_adds_the_programs_together(program):
    """The other program adds five fit answers of 1 (average (18 + 5) / 10 = 2.3) and one
    early ending by its mentee (5 of 8 ended early)."""
    other = Mentorship.objects.exclude(program=program).first().program
    scope = InsightScope((program.pk, other.pk), *Q1_2025)
    tables = {table.key: table for table in build(scope)}
    fit = tables["checkin_scores"].rows[0]
    assert (fit["answers"], fit["average"], fit["favourable"]) == (10, 2.3, 0.3)
    assert tables["endings"].rows[1] == {"ending": "Ended early", "mentorships": 5, "share": 0.625}
    assert tables["early_endings"].rows[0]["mentorships"] == 2


def test_an_empty_program_says_so(django_assert_max_num_queries):
    empty = ProgramFactory()
    with django_assert_max_num_queries(5):
        tables = {table.key: table for table in build(scope_of((empty.pk,)))}
    assert NO_ANSWERS in tables["checkin_scores"].notes
    assert all(row["average"] is None for row in tables["checkin_scores"].rows)
    assert tables["endings"].notes == [NO_ENDINGS]
    assert tables["rematch"].rows == [{"ended_early": 0, "rematched": 0, "rate": None}]
    assert tables["rematch"].notes == [NO_MENTEES_ENDED_EARLY]


def test_five_queries_whatever_the_size(program, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        build(InsightScope((program.pk,), *Q1_2025))
