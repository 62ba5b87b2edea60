"""The funnel section against a small hand-computed program (T = Sat 10 Jan 2026, in 2026Q1).

Mentees (joined at T + n days): A (T, complete profile) matched to X at T+10, signed T+12,
first meeting T+20, completed T+100. B (T+1, no profile) matched to X at T+5, signed T+8, met
T+9, ended early T+30, then matched to Y at T+40 (still proposed). C (T+2, complete) matched to
Y at T+30, signed T+31, its only past meeting cancelled (one more to come): active now. D (T+3)
never matched. E joined in 2026Q2 (T+100): outside a 2026Q1 scope.
Mentors: X (T, complete profile), Y (T+1, no profile).
Personal invitations: mentees sent T-5 (accepted T: 5 days), T-3 (accepted T+1½: 4 days),
T (not accepted), one never sent; a mentor sent T (accepted T+2).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F, Value
from django.utils import timezone

from tandem.insights.scope import Quarter, scope_of
from tandem.insights.selectors.funnel import STEPS, funnel_tables
from tandem.insights.selectors.funnel.days import DaysBetween, day_counts, in_buckets, median_of
from tandem.insights.selectors.funnel.steps import (
    PROFILE_CHECK_LABELS,
    cohort,
    flag,
    profile_complete,
)
from tandem.mentorships.models import Meeting, MeetingStatus, Mentorship, MentorshipState
from tandem.people.models import Profile, Skill, User
from tandem.people.selectors import COMPLETENESS_CHECKS, profile_completeness
from tandem.programs.models import Enrolment, ParticipantInvitation, Program, Role
from tests.people.factories import hold

pytestmark = pytest.mark.django_db

T = datetime(2026, 1, 10, tzinfo=UTC)
Q1 = Quarter(2026, 1)


def day(n: float) -> datetime:
    return T + timedelta(days=n)


def person(name: str, *, complete: bool = False) -> User:
    user = User.objects.create(username=name, email=f"{name}@example.org")
    if complete:
        complete_profile(user)
    return user


def complete_profile(user: User, **override) -> Profile:
    fields = {
        "headline": "Analyst",
        "goals": "Learn SQL",
        "seniority": 3,
        "languages": ["en"],
        "availability_utc": [[600, 720]],
        "cadence": "weekly",
        "working_style": {"pace": 3},
    } | override
    profile = Profile.objects.create(user=user, **fields)
    hold(profile, wanted=[Skill.objects.get_or_create(slug="sql", name="SQL")[0]])
    return profile


def join(program: Program, user: User, role: str, when: datetime) -> Enrolment:
    enrolment = Enrolment.objects.create(program=program, person=user, role=role)
    Enrolment.objects.filter(pk=enrolment.pk).update(created_at=when)
    return enrolment


def pair(program, mentor, mentee, made, *, signed=None, ended=None, state=None) -> Mentorship:
    state = state or (MentorshipState.ACTIVE if signed else MentorshipState.PROPOSED)
    m = Mentorship.objects.create(program=program, mentor=mentor, mentee=mentee, state=state)
    Mentorship.objects.filter(pk=m.pk).update(created_at=made, activated_at=signed, ended_at=ended)
    return m


def meeting(m: Mentorship, when: datetime, status: str = MeetingStatus.SCHEDULED) -> None:
    Meeting.objects.create(
        mentorship=m, starts_at=when, duration_minutes=30, format="video", status=status
    )


def invite(program, role, email, sent, accepted=None) -> None:
    ParticipantInvitation.objects.create(
        program=program, email=email, role=role, token=email, sent_at=sent, accepted_at=accepted
    )


@pytest.fixture
def program() -> Program:
    program = Program.objects.create(name="P", slug="p")
    a, c = person("a", complete=True), person("c", complete=True)
    b, d, e = person("b"), person("d"), person("e")
    x, y = person("x", complete=True), person("y")
    for n, mentee in enumerate((a, b, c, d)):
        join(program, mentee, Role.MENTEE, day(n))
    join(program, e, Role.MENTEE, day(100))
    join(program, x, Role.MENTOR, day(0))
    join(program, y, Role.MENTOR, day(1))
    done, early = MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY
    m1 = pair(program, x, a, day(10), signed=day(12), ended=day(100), state=done)
    m2 = pair(program, x, b, day(5), signed=day(8), ended=day(30), state=early)
    pair(program, y, b, day(40))
    m4 = pair(program, y, c, day(30), signed=day(31))
    meeting(m1, day(20))
    meeting(m2, day(9))
    meeting(m4, day(33), MeetingStatus.CANCELLED)
    meeting(m4, timezone.now() + timedelta(days=10))
    invite(program, Role.MENTEE, "i1@example.org", day(-5), day(0))
    invite(program, Role.MENTEE, "i2@example.org", day(-3), day(1.5))
    invite(program, Role.MENTEE, "i3@example.org", day(0))
    invite(program, Role.MENTEE, "i4@example.org", None)
    invite(program, Role.MENTOR, "i5@example.org", day(0), day(2))
    return program


def rows_of(table) -> dict[str, tuple]:
    return {
        row["step"]: (row["people"], row["share_of_base"], row["median_days"], row["timed"])
        for row in table.rows
    }


def test_mentee_funnel_counts_shares_and_times(program):
    mentees, _ = funnel_tables(scope_of((program.pk,), first="2026Q1", last="2026Q1"))
    assert mentees.key == "mentee_funnel"
    assert rows_of(mentees) == {
        # 3 sent in Q1 (the unsent one is not); 2 accepted after 5 and 4 days: median 4.5.
        "Invited": (3, None, None, None),
        "Accepted invitation": (2, 2 / 3, 4.5, 2),
        # A, B, C, D joined in Q1 (E in Q2); A and C have complete profiles.
        "Joined": (4, None, None, None),
        "Profile complete": (2, 2 / 4, None, None),
        # A, B, C matched after 10, 4 (first match, T+1 -> T+5) and 28 days: median 10.
        "Matched": (3, 3 / 4, 10.0, 3),
        # Signed 2, 3 and 1 days after the first match: median 2.
        "Agreement signed": (3, 3 / 3, 2.0, 3),
        # A met 8 days after signing, B 1 day; C's only past meeting was cancelled.
        "First meeting held": (2, 2 / 3, 4.5, 2),
        # A completed 80 days after the first meeting.
        "Completed": (1, 1 / 2, 80.0, 1),
        # B ended early 25 days after the first match (T+5 -> T+30).
        "Ended early": (1, 1 / 3, 25.0, 1),
        # Only C has an active mentorship (B's second is still proposed).
        "Active now": (1, 1 / 3, None, None),
    }
    assert [row["share_of_joined"] for row in mentees.rows][2:] == [
        1.0, 2 / 4, 3 / 4, 3 / 4, 2 / 4, 1 / 4, 1 / 4, 1 / 4,
    ]  # fmt: skip


def test_mentor_funnel_counts_each_mentor_once(program):
    _, mentors = funnel_tables(scope_of((program.pk,), first="2026Q1", last="2026Q1"))
    assert rows_of(mentors) == {
        "Invited": (1, None, None, None),
        "Accepted invitation": (1, 1.0, 2.0, 1),
        "Joined": (2, None, None, None),
        "Profile complete": (1, 1 / 2, None, None),
        # X's first mentee came at T+5 (5 days after joining), Y's at T+30 (29): median 17.
        "Matched": (2, 1.0, 17.0, 2),
        # X signed first at T+8 (3 days after T+5), Y at T+31 (1 day): median 2.
        "Agreement signed": (2, 1.0, 2.0, 2),
        # X met at T+9 (1 day after T+8); Y has no meeting held.
        "First meeting held": (1, 1 / 2, 1.0, 1),
        # X completed at T+100: 91 days after the first meeting at T+9.
        "Completed": (1, 1.0, 91.0, 1),
        # X's pair with B ended early at T+30, 25 days after X's first match.
        "Ended early": (1, 1 / 2, 25.0, 1),
        "Active now": (1, 1 / 2, None, None),
    }


def test_scope_takes_the_people_who_joined_in_its_quarters(program):
    mentees, mentors = funnel_tables(scope_of((program.pk,), first="2026Q2", last="2026Q2"))
    counts = {row["step"]: row["people"] for row in mentees.rows}
    # Only E joined in Q2, never matched; no invitation was sent in Q2.
    assert counts["Joined"] == 1
    assert counts["Matched"] == 0
    assert counts["Invited"] == 0
    assert {row["step"]: row["people"] for row in mentors.rows}["Joined"] == 0
    everything = {
        row["step"]: row["people"] for row in funnel_tables(scope_of((program.pk,)))[0].rows
    }
    assert everything["Joined"] == 5
    assert everything["Invited"] == 3  # without a range too, the invitation never sent is not


def test_an_empty_program_has_no_shares_and_says_so():
    empty = Program.objects.create(name="Empty", slug="empty")
    for table in funnel_tables(scope_of((empty.pk,))):
        assert {row["people"] for row in table.rows} == {0}
        assert {row["share_of_base"] for row in table.rows} == {None}
        assert {row["median_days"] for row in table.rows} == {None}
        assert "Nobody joined" in table.notes[0]
        assert table.chart is not None and table.chart.kind == "hbar"


def test_site_scope_adds_programs_together(program):
    other = Program.objects.create(name="Q", slug="q")
    join(other, person("z"), Role.MENTEE, day(0))
    mentees = funnel_tables(scope_of((program.pk, other.pk), first="2026Q1", last="2026Q1"))[0]
    assert {row["step"]: row["people"] for row in mentees.rows}["Joined"] == 5


def test_every_step_has_a_row_and_a_label():
    assert len({step.key for step in STEPS}) == len(STEPS)


@pytest.mark.parametrize("broken", range(len(COMPLETENESS_CHECKS)))
def test_profile_complete_in_sql_agrees_with_the_profile_page(broken):
    """One profile per check, failing only that check, and one passing them all."""
    assert tuple(label for label, _ in COMPLETENESS_CHECKS) == PROFILE_CHECK_LABELS
    program = Program.objects.create(name="P", slug="p")
    failing = {
        "goals or expertise": {"goals": "  ", "expertise": ""},
        "seniority": {"seniority": None},
        "languages": {"languages": []},
        "weekly availability": {"availability_utc": []},
        "preferred cadence": {"cadence": ""},
        "working style": {"working_style": {}},
        "headline": {"headline": "   "},
    }
    label = PROFILE_CHECK_LABELS[broken]
    for user, override in ((person("whole"), {}), (person("gap"), failing.get(label, {}))):
        profile = complete_profile(user, **override)
        if label == "skills" and user.username == "gap":
            profile.skills_wanted.clear()
        join(program, user, Role.MENTEE, day(0))
    flags = dict(
        cohort(scope_of((program.pk,)), Role.MENTEE)
        .annotate(done=flag(profile_complete()))
        .values_list("person__username", "done")
    )
    page = {
        p.user.username: not profile_completeness(profile=p).missing
        for p in Profile.objects.select_related("user")
    }
    assert flags == {"whole": 1, "gap": 0}
    assert page == {"whole": True, "gap": False}


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        (day(7), 7),  # exactly a week
        (day(7) - timedelta(seconds=1), 6),  # a second short of it: 6 whole days
        (day(0) + timedelta(hours=23, minutes=59), 0),
        (day(-2), 0),  # a gap below zero counts as day 0
    ],
)
def test_whole_days_round_down_on_every_database(later, expected):
    program = Program.objects.create(name="P", slug="p")
    join(program, person("a"), Role.MENTEE, day(0))
    counts = day_counts(Enrolment.objects.all(), DaysBetween(Value(later), F("created_at")))
    assert counts == {None: {expected: 1}}


def test_median_and_buckets_read_from_day_counts():
    # 1, 3, 3, 8: the two middle values are 3 and 3.
    assert median_of({1: 1, 3: 2, 8: 1}) == 3.0
    # 0, 2, 9, 20: the mean of 2 and 9.
    assert median_of({0: 1, 2: 1, 9: 1, 20: 1}) == 5.5
    assert in_buckets({0: 1, 2: 1, 9: 1, 20: 1}, (0, 7, 14)) == [2, 1, 1]


def test_the_section_takes_a_fixed_number_of_queries(program, django_assert_num_queries):
    # Invitations: 2 (counts, days). One per role: every person's steps, counted per column.
    with django_assert_num_queries(2 + 2):
        funnel_tables(scope_of((program.pk,), first="2026Q1", last="2026Q1"))


def test_a_first_meeting_marked_as_not_taken_place_is_no_first_meeting(program):
    c_pair = Mentorship.objects.get(program=program, activated_at=day(31))
    Meeting.objects.create(
        mentorship=c_pair,
        starts_at=day(34),
        duration_minutes=30,
        format="video",
        status=MeetingStatus.MISSED,
        missed_marked_at=day(35),
    )
    mentees, _ = funnel_tables(scope_of((program.pk,), first="2026Q1", last="2026Q1"))
    assert rows_of(mentees)["First meeting held"] == (2, 2 / 3, 4.5, 2)
    Meeting.objects.filter(mentorship=c_pair, status=MeetingStatus.MISSED).update(
        status=MeetingStatus.SCHEDULED, missed_marked_at=None
    )
    mentees, _ = funnel_tables(scope_of((program.pk,), first="2026Q1", last="2026Q1"))
    assert rows_of(mentees)["First meeting held"][0] == 3
