"""The engagement section against a small hand-computed history in 2025Q1 (1 Jan to 31 Mar:
90 days; Wed 1 Jan falls in the week of Mon 30 Dec 2024, so 14 weeks, the first with 5 days
counted and the last, Mon 31 Mar, with 1).

Program P (default cadence every two weeks):
- Pair A: agreed weekly, active from Mon 6 Jan 10:00 and still active: 85 days in Q1
  (26 in January, 28 in February, 31 in March), planning 85/7 meetings.
- Pair B: agreed every two weeks, active Mon 13 Jan to Sun 26 Jan (completed that evening):
  14 days, planning 14/14 = 1 meeting.
- Pair C: still agreeing its terms (never active): no pair-days, nothing planned.
So 99 pair-days over 90 days (1.1 pairs on an average day) and 85/7 + 1 = 13.142857
meetings planned (13.1).

Meetings held (not cancelled, started in Q1): A on 7, 14 and 21 Jan, B on 15 Jan = 4
(A's cancelled 28 Jan, A's 2 Apr and another program's meeting do not count): 4 / 13.142857
= 0.304 of planned.
Messages: A's conversation on 7 and 8 Jan, B's two on 14 Jan = 4, plus one B message deleted
later on 14 Jan = 5 (A's in December 2024 and another program's do not count): 7 * 5 / 99 =
0.35 messages per pair per week.
Action items with a due date in Q1: 10 Jan done 10 Jan 15:00 (on time), 17 Jan done 18 Jan
(late), 24 Jan still open, 3 Feb done 30 Jan (on time) = 4 due, 2 on time (0.5); an item
without a due date and one due 5 Apr do not count.
Goals set in Q1: A achieved 100 %, A in progress 40 % and 60 %, B not started 0 % (a goal
set in December 2024 does not count): 4 goals, average (0 + 40 + 60 + 100) / 4 = 50 %.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tandem.insights.scope import InsightScope, Quarter, scope_of
from tandem.insights.selectors.engagement import NO_DAYS, NO_ITEMS_DUE, NO_PAIRS
from tandem.insights.selectors.engagement import engagement_tables as build
from tandem.insights.selectors.engagement.goals import NO_GOALS
from tandem.mentorships.models import (
    ActionItemStatus,
    AgreementVersion,
    Goal,
    GoalState,
    Meeting,
    MeetingStatus,
    Mentorship,
    MentorshipPause,
    MentorshipState,
)
from tandem.messaging.models import Conversation, Message
from tests.mentorships.factories import action_item, meeting, mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db

Q1_2025 = (Quarter(2025, 1), Quarter(2025, 1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def pair(program, *, cadence: str, state=MentorshipState.ACTIVE, **times) -> Mentorship:
    m = mentorship(program=program, state=state)
    version = AgreementVersion.objects.get(mentorship=m)
    version.content = {**version.content, "cadence": cadence}
    version.save()
    Mentorship.objects.filter(pk=m.pk).update(
        created_at=times.pop("created_at", at("2024-12-20T09:00")),
        **{key: at(value) for key, value in times.items()},
    )
    m.refresh_from_db()
    return m


def held(m: Mentorship, when: str, status=MeetingStatus.SCHEDULED) -> None:
    found = meeting(m, status=status)
    found.starts_at = at(when)
    found.save(update_fields=["starts_at"])


def messages(m: Mentorship, *whens: str, deleted: bool = False) -> None:
    conversation, _ = Conversation.objects.get_or_create(
        mentorship=m, defaults={"program": m.program, "mentor": m.mentor, "mentee": m.mentee}
    )
    for when in whens:
        sent = Message.objects.create(
            conversation=conversation,
            sender=m.mentee,
            client_id=f"c{Message.objects.count()}",
            body="Hello",
        )
        Message.objects.filter(pk=sent.pk).update(
            created_at=at(when), deleted_at=at(when) if deleted else None
        )


def item(m: Mentorship, due: str | None, done: str | None = None) -> None:
    action_item(
        m,
        due_on=at(due).date() if due else None,
        status=ActionItemStatus.DONE if done else ActionItemStatus.OPEN,
        done_at=at(done) if done else None,
    )


def goal(m: Mentorship, state: str, percent: int, created: str) -> None:
    found = Goal.objects.create(mentorship=m, title="Speak up", state=state, percent=percent)
    Goal.objects.filter(pk=found.pk).update(created_at=at(created))


@pytest.fixture
def program():
    program, other = ProgramFactory(default_cadence="biweekly"), ProgramFactory()
    a = pair(program, cadence="weekly", activated_at="2025-01-06T10:00")
    b = pair(
        program,
        cadence="biweekly",
        state=MentorshipState.COMPLETED,
        activated_at="2025-01-13T09:00",
        ended_at="2025-01-26T18:00",
    )
    c = pair(program, cadence="weekly", state=MentorshipState.PROPOSED)
    elsewhere = pair(other, cadence="weekly", activated_at="2025-01-06T10:00")
    for when in ("2025-01-07T15:00", "2025-01-14T15:00", "2025-01-21T15:00", "2025-04-02T15:00"):
        held(a, when)
    held(a, "2025-01-28T15:00", MeetingStatus.CANCELLED)
    held(b, "2025-01-15T08:00")
    held(elsewhere, "2025-01-08T15:00")
    messages(a, "2024-12-30T23:00", "2025-01-07T12:00", "2025-01-08T12:00")
    messages(b, "2025-01-14T09:00", "2025-01-14T09:05")
    messages(b, "2025-01-14T10:00", deleted=True)
    messages(elsewhere, "2025-01-07T12:00")
    item(a, "2025-01-10", done="2025-01-10T15:00")
    item(a, "2025-01-17", done="2025-01-18T08:00")
    item(a, "2025-01-24")
    item(a, "2025-02-03", done="2025-01-30T08:00")
    item(a, None, done="2025-01-30T08:00")
    item(a, "2025-04-05")
    item(elsewhere, "2025-01-10", done="2025-01-10T08:00")
    goal(a, GoalState.ACHIEVED, 100, "2025-01-07T10:00")
    goal(a, GoalState.IN_PROGRESS, 40, "2025-01-07T10:00")
    goal(a, GoalState.IN_PROGRESS, 60, "2025-02-07T10:00")
    goal(b, GoalState.NOT_STARTED, 0, "2025-01-14T10:00")
    goal(b, GoalState.ACHIEVED, 100, "2024-12-14T10:00")
    goal(elsewhere, GoalState.DROPPED, 10, "2025-01-14T10:00")
    assert c.activated_at is None
    return program


def tables_of(program, first=Q1_2025[0], last=Q1_2025[1]):
    scope = InsightScope((program.pk,), first, last)
    return {table.key: table for table in build(scope)}


def week(table, monday: str) -> dict:
    return next(row for row in table.rows if row["week"] == monday)


def test_totals_over_the_quarter(program):
    totals = tables_of(program)["totals"]
    assert totals.rows == [
        {
            "days": 90,
            "active_pairs": 1.1,  # 99 pair-days / 90 days
            "planned": 13.1,  # 85/7 + 14/14
            "held": 4,
            "held_share": 0.304,  # 4 / 13.142857
            "messages": 5,
            "messages_per_pair": 0.35,  # 7 * 5 / 99
            "due": 4,
            "on_time": 2,
            "on_time_share": 0.5,
        }
    ]


def test_meetings_week_by_week(program):
    table = tables_of(program)["meetings_by_week"]
    assert [row["week"] for row in table.rows][:3] == ["2024-12-30", "2025-01-06", "2025-01-13"]
    assert len(table.rows) == 14
    # 1 to 5 Jan: no pair active yet, nothing planned.
    assert week(table, "2024-12-30") == {
        "week": "2024-12-30",
        "days": 5,
        "active_pairs": 0.0,
        "planned": 0.0,
        "held": 0,
        "held_share": None,
    }
    # A alone (7 pair-days, weekly: 1 planned), meeting on 7 Jan.
    assert week(table, "2025-01-06")["planned"] == 1.0
    assert week(table, "2025-01-06")["held_share"] == 1.0
    # A and B (14 pair-days): 7/7 + 7/14 = 1.5 planned; held 14 Jan (A) and 15 Jan (B).
    assert week(table, "2025-01-13") == {
        "week": "2025-01-13",
        "days": 7,
        "active_pairs": 2.0,
        "planned": 1.5,
        "held": 2,
        "held_share": 1.333,
    }
    # B is active on 26 Jan, the day it ended, and gone from 27 Jan; 28 Jan was cancelled.
    assert week(table, "2025-01-20")["planned"] == 1.5
    assert week(table, "2025-01-27") == {
        "week": "2025-01-27",
        "days": 7,
        "active_pairs": 1.0,
        "planned": 1.0,
        "held": 0,
        "held_share": 0.0,
    }
    # Only Monday 31 Mar is in the quarter: 1/7 of A's weekly meeting.
    assert week(table, "2025-03-31")["days"] == 1
    assert week(table, "2025-03-31")["planned"] == 0.1
    assert table.chart is not None and table.chart.kind == "line"


def test_messages_week_by_week(program):
    table = tables_of(program)["messages_by_week"]
    assert week(table, "2024-12-30")["messages_per_pair"] is None  # no pair active: no rate
    assert week(table, "2025-01-06")["messages"] == 2
    assert week(table, "2025-01-06")["messages_per_pair"] == 2.0  # 7 * 2 / 7 pair-days
    assert week(table, "2025-01-13")["messages"] == 3
    assert week(table, "2025-01-13")["messages_per_pair"] == 1.5  # 7 * 3 / 14
    assert sum(row["messages"] for row in table.rows) == 5


def test_action_items_by_week_due(program):
    table = tables_of(program)["action_items_by_week"]
    due = {row["week"]: (row["due"], row["on_time"], row["on_time_share"]) for row in table.rows}
    assert due["2025-01-06"] == (1, 1, 1.0)
    assert due["2025-01-13"] == (1, 0, 0.0)
    assert due["2025-01-20"] == (1, 0, 0.0)
    assert due["2025-02-03"] == (1, 1, 1.0)
    assert due["2025-02-10"] == (0, 0, None)


def test_goals_by_state(program):
    table = tables_of(program)["goals"]
    assert table.rows == [
        {"state": "Not started", "goals": 1, "share": 0.25, "progress": 0.0},
        {"state": "In progress", "goals": 2, "share": 0.5, "progress": 0.5},
        {"state": "Achieved", "goals": 1, "share": 0.25, "progress": 1.0},
        {"state": "Dropped", "goals": 0, "share": 0.0, "progress": None},
    ]
    assert table.notes == ["All 4 goals together: 50 % average progress."]


def test_the_next_quarter_counts_only_its_own_activity(program):
    """2025Q2 (91 days, 1 Apr is a Tuesday): A alone, active every day: 91 pair-days, 13
    meetings planned; the 2 Apr meeting held; the 5 Apr item due and still open."""
    totals = tables_of(program, Quarter(2025, 2), Quarter(2025, 2))
    row = totals["totals"].rows[0]
    assert (row["days"], row["active_pairs"], row["planned"], row["held"]) == (91, 1.0, 13.0, 1)
    assert (row["messages"], row["due"], row["on_time"], row["on_time_share"]) == (0, 1, 0, 0.0)
    assert totals["goals"].notes == [NO_GOALS]


def test_site_scope_adds_the_programs_together(program):
    """The other program's pair (weekly, from 6 Jan: 85 days) doubles A's share: 184
    pair-days, 85/7 * 2 + 1 = 25.3 planned, 5 held, 6 messages, 5 items due, 3 on time."""
    other = Mentorship.objects.exclude(program=program).get().program
    scope = InsightScope((program.pk, other.pk), *Q1_2025)
    row = next(table for table in build(scope) if table.key == "totals").rows[0]
    assert (row["active_pairs"], row["planned"], row["held"]) == (2.0, 25.3, 5)  # 184 / 90
    assert (row["messages"], row["due"], row["on_time"]) == (6, 5, 3)


def test_an_unbounded_scope_runs_from_the_first_pair_to_yesterday(program):
    """Without a range the days start on the day the first pair was proposed (20 Dec 2024)
    and end yesterday: every held meeting of P counts (the 2 April one too)."""
    now = at("2025-06-01T12:00")
    row = build(scope_of((program.pk,)), now=now)[0].rows[0]
    assert row["days"] == (now.date() - at("2024-12-20T00:00").date()).days
    assert row["held"] == 5
    assert row["messages"] == 6  # the 30 December message too


def test_an_empty_program_says_so(django_assert_max_num_queries):
    empty = ProgramFactory()
    with django_assert_max_num_queries(2):  # the first pair's day: none, so nothing else
        tables = build(scope_of((empty.pk,)))
    assert all(NO_DAYS in table.notes for table in tables[:4])
    assert all(not table.rows for table in tables[:4])
    assert tables[4].notes == [NO_GOALS]


def test_a_quarter_without_pairs_has_days_but_no_rates():
    quiet = ProgramFactory()
    tables = tables_of(quiet)
    row = tables["totals"].rows[0]
    assert row["days"] == 90 and row["planned"] == 0.0
    assert row["held_share"] is None and row["messages_per_pair"] is None
    assert NO_PAIRS in tables["totals"].notes and NO_ITEMS_DUE in tables["totals"].notes


def test_a_pair_without_a_known_agreed_cadence_plans_by_its_programs_default(program):
    """A's latest signed version names no known cadence and a newer version is unsigned
    (weekly, not in effect): A plans by P's default, every two weeks: 85/14 + 14/14 =
    7.071 (7.1) in Q1."""
    a = Mentorship.objects.filter(program=program).order_by("pk").first()
    version = AgreementVersion.objects.get(mentorship=a)
    version.content = {**version.content, "cadence": "whenever"}
    version.save()
    AgreementVersion.objects.create(
        mentorship=a, number=2, content={**version.content, "cadence": "weekly"}
    )
    assert tables_of(program)["totals"].rows[0]["planned"] == 7.1


def pause(m: Mentorship, starts_on: str, ends_on: str) -> None:
    MentorshipPause.objects.create(
        mentorship=m,
        declared_by=m.mentee,
        starts_on=at(starts_on).date(),
        ends_on=at(ends_on).date(),
    )


def test_paused_days_neither_count_the_pair_nor_plan_meetings(program):
    """A pauses from Mon 10 Feb, back Mon 24 Feb (14 days); B pauses from Mon 20 Jan, back
    Mon 3 Feb, but ends on Sun 26 Jan (7 paused days, and the pause does not bring it back);
    C, never active, pauses too (nothing changes). Pair-days: 99 - 14 - 7 = 78 (0.9 a day);
    planned: (85 - 14)/7 + (14 - 7)/14 = 10.642857 (10.6); held 4 / 10.642857 = 0.376;
    messages 7 * 5 / 78 = 0.45 a pair a week."""
    a, b, c = Mentorship.objects.filter(program=program).order_by("pk")
    pause(a, "2025-02-10T00:00", "2025-02-24T00:00")
    pause(b, "2025-01-20T00:00", "2025-02-03T00:00")
    pause(c, "2025-01-06T00:00", "2025-02-03T00:00")
    tables = tables_of(program)
    row = tables["totals"].rows[0]
    assert (row["active_pairs"], row["planned"], row["held_share"]) == (0.9, 10.6, 0.376)
    assert row["messages_per_pair"] == 0.45
    meetings = tables["meetings_by_week"]
    assert week(meetings, "2025-01-20")["active_pairs"] == 1.0  # A alone: B is paused
    assert week(meetings, "2025-01-27")["active_pairs"] == 1.0  # B ended, not back
    assert week(meetings, "2025-02-10")["planned"] == 0.0
    assert week(meetings, "2025-02-17")["active_pairs"] == 0.0
    assert week(meetings, "2025-02-24")["planned"] == 1.0


def test_a_handful_of_queries_whatever_the_size(program, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        build(InsightScope((program.pk,), *Q1_2025))


def test_a_meeting_marked_as_not_taken_place_is_not_held(program):
    a = Mentorship.objects.get(program=program, activated_at=at("2025-01-06T10:00"))
    meeting(a, status=MeetingStatus.MISSED, missed_marked_at=at("2025-01-30T09:00"))
    Meeting.objects.filter(mentorship=a, status=MeetingStatus.MISSED).update(
        starts_at=at("2025-01-29T15:00")
    )
    tables = tables_of(program)
    assert tables["totals"].rows[0]["held"] == 4
    assert week(tables["meetings_by_week"], "2025-01-27")["held"] == 0
    Meeting.objects.filter(mentorship=a, status=MeetingStatus.MISSED).update(
        status=MeetingStatus.SCHEDULED, missed_marked_at=None
    )
    assert week(tables_of(program)["meetings_by_week"], "2025-01-27")["held"] == 1
