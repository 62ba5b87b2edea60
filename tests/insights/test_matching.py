"""The matching section against a small hand-computed program (T = Sat 10 Jan 2026, 2026Q1).

Mentees joined at T + n: A (0), B (1), C (2), D (3), E (4, awaiting approval), F (5, a request
to X waiting), G (6, no profile), H (7, waitlisted), I (8); K, L, M joined in 2025Q4 and J in
2026Q2. Mentors: X (0, capacity from the program: 2), Y (0, 4), Z (1, 1, no profile), W (2, 0),
V (2, 2), O (3, 1), U (3, paused).

Run R1 (published T+7): A-X scored 0.72 (goals, skills; concern cadence); left C (language)
and D (every compatible mentor full). Run R0 (published T+10): L-O 0.50 (reasons stored before
they were ranked) and M-O 0.20 (seniority; concerns goals, skills). Run R2 (published T+40):
D-Y 0.40 (concern availability, no strength); left C (language) and H (no reason recorded).
A draft run pairs I-Z at 0.90 and leaves G unmatched: not published, not counted.
Mentorships: A-X (R1, T+7, active), L-O and M-O (R0, T+10, active), D-Y (R2, T+40,
proposed), B-X (request, T+3, active), K-V (T+20, active), A-V (T+50, completed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem.insights.scope import scope_of
from tandem.insights.selectors.matching import matching_tables
from tandem.insights.selectors.matching.quality import CRITERION_LABELS, SHOWN
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched, RunStatus
from tandem.mentorships.models import Mentorship, MentorshipRequest, MentorshipState
from tandem.people.models import Profile, Skill, User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tests.people.factories import hold

pytestmark = pytest.mark.django_db

T = datetime(2026, 1, 10, tzinfo=UTC)
ACTIVE, PROPOSED = MentorshipState.ACTIVE, MentorshipState.PROPOSED


def day(n: float) -> datetime:
    return T + timedelta(days=n)


def person(name: str, *, complete: bool = True) -> User:
    user = User.objects.create(username=name, email=f"{name}@example.org")
    if complete:
        profile = Profile.objects.create(
            user=user,
            headline="Analyst",
            goals="Learn SQL",
            seniority=3,
            languages=["en"],
            availability_utc=[[600, 720]],
            cadence="weekly",
            working_style={"pace": 3},
        )
        hold(profile, wanted=[Skill.objects.get_or_create(slug="sql", name="SQL")[0]])
    return user


def join(program, user, role, when, status=EnrolmentStatus.ACTIVE, capacity=None) -> None:
    enrolment = Enrolment.objects.create(
        program=program, person=user, role=role, status=status, capacity=capacity
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(created_at=when)


def run(program, published: datetime | None) -> MatchRun:
    status = RunStatus.PUBLISHED if published else RunStatus.DONE
    return MatchRun.objects.create(program=program, status=status, published_at=published)


def reasons(*rows: tuple[str, str]) -> list[dict[str, str]]:
    fit = {"criterion": "fit", "kind": "fit", "text": "fit"}
    return [fit, *({"criterion": c, "kind": k, "text": c} for c, k in rows)]


def left(match_run, who, cause: str | None) -> None:
    why = [{"criterion": cause, "text": cause, "kind": "note"}] if cause else []
    MatchUnmatched.objects.create(run=match_run, person=who, side="mentee", reasons=why)


def pair(program, mentor, mentee, made, state=ACTIVE, run_ref="", request=None) -> None:
    m = Mentorship.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        state=state,
        match_run_ref=str(run_ref),
        origin_request=request,
    )
    Mentorship.objects.filter(pk=m.pk).update(created_at=made)


def request(program, mentee, mentor, state="pending") -> MentorshipRequest:
    return MentorshipRequest.objects.create(
        program=program,
        sender=mentee,
        recipient=mentor,
        mentee=mentee,
        mentor=mentor,
        message="Hello",
        state=state,
        expires_at=day(30),
    )


@pytest.fixture
def program() -> Program:
    program = Program.objects.create(name="P", slug="p", default_capacity=2)
    names = "abcdefghi"
    mentees = {name: person(name, complete=name != "g") for name in [*names, "j", "k", "l", "m"]}
    status = {"e": EnrolmentStatus.PENDING, "h": EnrolmentStatus.WAITLISTED}
    for n, name in enumerate(names):
        join(program, mentees[name], Role.MENTEE, day(n), status.get(name, "active"))
    join(program, mentees["j"], Role.MENTEE, day(100))
    for name in "klm":
        join(program, mentees[name], Role.MENTEE, day(-30))
    x, y, z = person("x"), person("y"), person("z", complete=False)
    w, v, o, u = person("w"), person("v"), person("o"), person("u")
    join(program, x, Role.MENTOR, day(0))
    join(program, y, Role.MENTOR, day(0), capacity=4)
    join(program, z, Role.MENTOR, day(1), capacity=1)
    join(program, w, Role.MENTOR, day(2), capacity=0)
    join(program, v, Role.MENTOR, day(2), capacity=2)
    join(program, o, Role.MENTOR, day(3), capacity=1)
    join(program, u, Role.MENTOR, day(3), EnrolmentStatus.PAUSED, capacity=2)
    a, b, c, d = (mentees[name] for name in "abcd")
    r1, r0, r2, draft = (
        run(program, day(7)),
        run(program, day(10)),
        run(program, day(40)),
        run(program, None),
    )
    MatchPair.objects.create(
        run=r1,
        mentee=a,
        mentor=x,
        score=0.72,
        reasons=reasons(("goals", "strength"), ("skills", "strength"), ("cadence", "concern")),
    )
    MatchPair.objects.create(
        run=r0,
        mentee=mentees["l"],
        mentor=o,
        score=0.5,
        reasons=[{"criterion": "goals", "text": "shares goals in data"}],
    )
    MatchPair.objects.create(
        run=r0,
        mentee=mentees["m"],
        mentor=o,
        score=0.2,
        reasons=reasons(("seniority", "strength"), ("goals", "concern"), ("skills", "concern")),
    )
    MatchPair.objects.create(
        run=r2, mentee=d, mentor=y, score=0.4, reasons=reasons(("availability", "concern"))
    )
    MatchPair.objects.create(
        run=draft, mentee=mentees["i"], mentor=z, score=0.9, reasons=reasons(("goals", "strength"))
    )
    left(r1, c, "language")
    left(r1, d, "all_compatible_full")
    left(r2, c, "language")
    left(r2, mentees["h"], None)
    left(draft, mentees["g"], "solver")
    pair(program, x, a, day(7), run_ref=r1.pk)
    pair(program, o, mentees["l"], day(10), run_ref=r0.pk)
    pair(program, o, mentees["m"], day(10), run_ref=r0.pk)
    pair(program, y, d, day(40), PROPOSED, run_ref=r2.pk)
    pair(program, x, b, day(3), request=request(program, b, x, "accepted"))
    pair(program, v, mentees["k"], day(20))
    pair(program, v, a, day(50), MentorshipState.COMPLETED)
    request(program, mentees["f"], x)
    return program


def q1(program):
    return {
        table.key: table
        for table in matching_tables(scope_of((program.pk,), first="2026Q1", last="2026Q1"))
    }


def by(table, key: str) -> dict:
    return {row[key]: {k: v for k, v in row.items() if k != key} for row in table.rows}


def test_time_to_match(program):
    tables = q1(program)
    assert by(tables["time_to_match"], "role") == {
        # A..I joined in Q1; A waited 7 days, B 2, D 37: median 7.
        "Mentees": {
            "joined": 9,
            "matched": 3,
            "share_matched": 3 / 9,
            "median_days": 7.0,
            "waiting": 6,
        },
        # X first matched after 3 days (B), O 7, V 18, Y 40: median (7 + 18) / 2.
        "Mentors": {
            "joined": 7,
            "matched": 4,
            "share_matched": 4 / 7,
            "median_days": 12.5,
            "waiting": 3,
        },
    }
    counts = {row["wait"]: (row["mentee"], row["mentor"]) for row in tables[
        "time_to_match_distribution"
    ].rows}  # fmt: skip
    assert counts == {
        "Under 1 week": (1, 1),  # B (2 days); X (3)
        "1 to 2 weeks": (1, 1),  # A (7); O (7)
        "2 to 4 weeks": (0, 1),  # V (18)
        "4 to 8 weeks": (1, 1),  # D (37); Y (40)
        "8 to 13 weeks": (0, 0),
        "13 weeks or more": (0, 0),
        "Not matched yet": (6, 3),
    }
    assert tables["time_to_match_distribution"].rows[0]["mentee_share"] == 1 / 9


def test_match_quality_bands_and_origins(program):
    tables = q1(program)
    # Published pairs: 72 (strong), 50 (good), 40 (partial), 20 (weak); the draft's 90 is not.
    assert [(row["band"], row["pairs"], row["share"]) for row in tables["match_quality"].rows] == [
        ("Strong fit (65 to 100)", 1, 0.25),
        ("Good fit (50 to 64)", 1, 0.25),
        ("Partial fit (35 to 49)", 1, 0.25),
        ("Weak fit (0 to 34)", 1, 0.25),
    ]
    assert by(tables["match_quality_by_origin"], "origin") == {
        # A-X, L-O, M-O, D-Y; median of 20, 40, 50, 72 is 45; mean 45.5.
        "Cohort match runs": {"mentorships": 4, "scored": 4, "median_fit": 45.0, "mean_fit": 45.5},
        "Self-serve requests (not scored)": {
            "mentorships": 1,  # B-X
            "scored": None,
            "median_fit": None,
            "mean_fit": None,
        },
        "Made another way (not scored)": {
            "mentorships": 2,  # K-V, A-V
            "scored": None,
            "median_fit": None,
            "mean_fit": None,
        },
    }


def test_reasons_most_often_decisive(program):
    table = q1(program)["decisive_reasons"]
    rows = {row["reason"]: (row["decisive"], row["among_strengths"]) for row in table.rows}
    assert rows == {
        "Goals and expertise": (1, 1),  # A-X's strongest (a concern of M-O: not counted)
        "Seniority": (1, 1),  # M-O's strongest
        "Skills wanted and offered": (0, 1),  # A-X's second strength
        "Shared weekly hours": (0, 0),  # only a concern of D-Y
        "Meeting rhythm": (0, 0),  # only a concern of A-X
        "Meeting format and city": (0, 0),
        "Working style": (0, 0),
        "No strength stood out": (1, None),  # D-Y
        "Older runs (reasons not ranked)": (1, None),  # L-O
    }
    assert [row["reason"] for row in table.rows][:2] == ["Goals and expertise", "Seniority"]
    assert table.rows[0]["share_decisive"] == 1 / 4


def test_mentor_load_against_capacity(program):
    tables = q1(program)
    # X 2 of 2, Y 1 of 4, Z 0 of 1, W no places, V 1 of 2 (A-V completed), O 2 of 1; U paused.
    assert {row["load"]: row["mentors"] for row in tables["mentor_load"].rows} == {
        "No places (capacity 0)": 1,
        "No mentee": 1,
        "Under half full": 1,
        "Half full or more": 1,
        "Full": 1,
        "Over capacity": 1,
    }
    assert tables["mentor_load"].rows[0]["share"] == 1 / 6
    # Places 2 + 4 + 1 + 0 + 2 + 1 = 10; taken 2 + 1 + 0 + 0 + 1 + 2 = 6.
    assert tables["mentor_places"].rows == [
        {"mentors": 6, "places": 10, "taken": 6, "share_taken": 0.6}
    ]


def test_unmatched_and_why(program):
    tables = q1(program)
    # C twice for language (counted once, still waiting); D full then matched by R2; H none.
    assert [tuple(row.values()) for row in tables["left_unmatched_by_runs"].rows] == [
        ("Every compatible mentor was full", 1, 0),
        ("No mentor shares a language", 1, 1),
        ("Reason not recorded", 1, 1),
    ]
    assert by(tables["without_mentorship"], "reason") == {
        "Awaiting approval": {"mentee": 1, "mentor": 0},  # E
        "On the waitlist": {"mentee": 1, "mentor": 0},  # H (before its run's record)
        "Enrolment paused": {"mentee": 0, "mentor": 1},  # U
        "Removed from the program": {"mentee": 0, "mentor": 0},
        "Left the program": {"mentee": 0, "mentor": 0},
        "Request awaiting an answer": {"mentee": 1, "mentor": 0},  # F
        "Left unmatched by a run": {"mentee": 1, "mentor": 0},  # C
        "Profile incomplete": {"mentee": 1, "mentor": 1},  # G; Z
        "Waiting for a run or a request": {"mentee": 1, "mentor": 1},
    }  # I; W


def test_scope_counts_its_own_quarters(program):
    tables = {
        t.key: t for t in matching_tables(scope_of((program.pk,), first="2026Q2", last="2026Q2"))
    }
    # Only J joined in Q2 (never matched); no run was published in Q2.
    assert tables["time_to_match"].rows[0] == {
        "role": "Mentees",
        "joined": 1,
        "matched": 0,
        "share_matched": 0.0,
        "median_days": None,
        "waiting": 1,
    }
    assert {row["pairs"] for row in tables["match_quality"].rows} == {0}
    assert tables["match_quality"].notes
    assert tables["mentor_places"].rows[0]["mentors"] == 0
    everything = {t.key: t for t in matching_tables(scope_of((program.pk,)))}
    assert everything["time_to_match"].rows[0]["joined"] == 13  # A..M


def test_an_empty_program_shows_no_figures_and_says_why():
    empty = Program.objects.create(name="Empty", slug="empty")
    tables = {t.key: t for t in matching_tables(scope_of((empty.pk,)))}
    assert tables["time_to_match"].rows[0]["median_days"] is None
    assert tables["time_to_match"].rows[0]["share_matched"] is None
    assert {row["share"] for row in tables["match_quality"].rows} == {None}
    assert tables["match_quality_by_origin"].rows[0]["median_fit"] is None
    assert tables["mentor_places"].rows[0]["share_taken"] is None
    assert tables["left_unmatched_by_runs"].rows == []
    for key in ("time_to_match", "match_quality", "decisive_reasons", "mentor_load"):
        assert tables[key].notes, key


def test_every_shown_criterion_has_a_label_and_identity_is_never_one():
    assert set(SHOWN) == set(CRITERION_LABELS)
    assert "identity" not in SHOWN


def test_the_section_takes_a_fixed_number_of_queries(program, django_assert_num_queries):
    # Waits and why per role 2, quality 3, reasons 1, load 2, left by runs 1.
    with django_assert_num_queries(9):
        matching_tables(scope_of((program.pk,)))
