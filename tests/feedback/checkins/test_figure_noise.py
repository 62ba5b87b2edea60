"""The sock attack on the check-in figures (privacy review F3): a program admin puts four
accounts of their own in the program, has them answer a pulse with known values in the month
the victim answers, and reads the block of five. Exact, the block's distribution minus the four
known answers was the victim's private answer. Released with keyed noise
(``feedback.selectors.answer_noise``), every answer the victim could have given stays
consistent with what is shown, and the figures never change between reads (nothing to average).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tandem.feedback.models import CheckInKind
from tandem.feedback.selectors import answer_noise
from tandem.insights.scope import InsightScope, without_pairs_of
from tandem.insights.selectors.outcomes import outcomes_tables
from tandem.programs.models import Role
from tests.feedback.checkins.conftest import checkin
from tests.mentorships import factories as mentoring
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db

SETTLED = datetime(2025, 11, 10, 10, tzinfo=UTC)  # a month long over: its block is closed
SOCK_ANSWER = 5
POINTS = range(1, 6)


def attacked(victim_answer: int, victim_pulses: int = 1):
    """A program whose admin ran four sock pairs (each sock answered 5) and the victim's pair,
    the victim answering ``victim_answer`` (``victim_pulses`` times) in the same month."""
    program = ProgramFactory()
    admin = mentoring.member(program, Role.ADMIN)
    for _ in range(4):
        sock = mentoring.mentorship(program=program)
        checkin(
            sock,
            sock.mentee,
            due_at=SETTLED,
            answered_at=SETTLED,
            answers={"progress": SOCK_ANSWER, "meeting_useful": SOCK_ANSWER},
        )
    victim = mentoring.mentorship(program=program)
    for sequence in range(1, victim_pulses + 1):
        checkin(
            victim,
            victim.mentee,
            sequence=sequence,
            due_at=SETTLED,
            answered_at=SETTLED,
            answers={"progress": victim_answer, "meeting_useful": victim_answer},
        )
    return program, admin


def shown(client, program, admin) -> tuple[dict, str]:
    """The progress question's figures as the admin reads them in the API, and the page."""
    client.force_login(admin)
    body = client.get(f"/api/programs/{program.pk}/checkin-aggregates").json()
    page = client.get(reverse("program_checkins", args=[program.pk])).content.decode()
    pulse = next(kind for kind in body if kind["kind"] == CheckInKind.PULSE)
    return next(q for q in pulse["questions"] if q["key"] == "progress"), page


def likelihood(shown_counts: list[int], exact: list[int], scale: float, most: int) -> float:
    """How likely the released counts are if the exact ones were ``exact``: each count is the
    exact one plus Laplace(``scale``), rounded, kept within ``0..most`` (the documented law)."""

    def cdf(x: float) -> float:
        return 0.5 * math.exp(x / scale) if x < 0 else 1 - 0.5 * math.exp(-x / scale)

    found = 1.0
    for k, c in zip(shown_counts, exact, strict=True):
        low = -math.inf if k == 0 else k - 0.5 - c
        high = math.inf if k == most else k + 0.5 - c
        found *= cdf(high) - cdf(low)
    return found


def exact_with(victim: int) -> list[int]:
    return [4 * (point == SOCK_ANSWER) + (point == victim) for point in POINTS]


@pytest.mark.parametrize("victim_answer", [1, 3])
def test_the_socks_leave_every_victim_answer_consistent_with_the_figures(client, victim_answer):
    program, admin = attacked(victim_answer)
    progress, _page = shown(client, program, admin)
    assert progress["answers"] == 5  # the block of five closed: the threshold was beaten
    counts = [count for _label, count in progress["distribution"]]
    # The attacker knows the law and the four sock answers: every answer the victim could have
    # given explains the figures at least 1/e as well as the best one (epsilon 1 per block).
    scale = 2 / answer_noise.EPSILON
    fits = {v: likelihood(counts, exact_with(v), scale, most=5) for v in POINTS}
    best = max(fits.values())
    assert all(fit >= best / math.e * (1 - 1e-9) for fit in fits.values()), fits
    assert sum(fit > 0 for fit in fits.values()) == 5


def test_the_figures_are_the_exact_ones_with_noise_of_the_documented_scale(client, monkeypatch):
    """Each count gets a draw times ``2m / epsilon`` (m: the most answers one person gave in the
    block), so the socks' four 5s and the victim's 1 no longer read as "1: 1, 5: 4"."""
    monkeypatch.setattr(answer_noise, "draw", lambda label: 0.3)  # 0.6 per count: rounds to +1
    program, admin = attacked(1)
    progress, _page = shown(client, program, admin)
    assert progress["distribution"] == [["1", 2], ["2", 1], ["3", 1], ["4", 1], ["5", 5]]
    assert progress["average"] == round((2 + 2 + 3 + 4 + 25) / 10, 1)
    # The victim answering three pulses in the block moves it by up to 6: the scale triples.
    program, admin = attacked(1, victim_pulses=3)
    progress, _page = shown(client, program, admin)
    assert progress["answers"] == 7
    assert progress["distribution"] == [["1", 5], ["2", 2], ["3", 2], ["4", 2], ["5", 6]]


def test_the_figures_never_change_between_reads_and_agree_with_insights(client):
    program, admin = attacked(2)
    first, first_page = shown(client, program, admin)
    again, again_page = shown(client, program, admin)
    assert first == again
    said = f"5 answers given before 1 Dec 2025 · average {first['average']} of 5"
    assert said in first_page and said in again_page
    assert "carries random noise of its own, the same on every reading" in first_page
    assert "picked out" not in first_page  # it could be, by accounts the reader controls
    # The insights section reads the same block with the same draws.
    tables = {table.key: table for table in outcomes_tables(InsightScope((program.pk,)))}
    spread = tables["checkin_distribution"].rows
    assert [row["pulse_progress"] for row in spread] == [c for _l, c in first["distribution"]]
    scores = next(
        row for row in tables["checkin_scores"].rows if row["question"] == "Progress (pulse)"
    )
    assert scores["answers"] == 5
    assert round(scores["average"], 1) == first["average"]


@pytest.fixture
def labels(monkeypatch) -> list[str]:
    """The label of every noise draw made, in order (the draws themselves unchanged)."""
    seen: list[str] = []
    real = answer_noise.draw

    def recorded(label: str) -> float:
        seen.append(label)
        return real(label)

    monkeypatch.setattr(answer_noise, "draw", recorded)
    return seen


def test_two_readers_with_different_pairs_left_out_draw_apart(client, labels):
    """An admin in a pair reads the figures without it: keyed by what is left out, so their
    draws are not a plain admin's and the two figures never differ by exact answers."""
    program, admin = attacked(2)
    shown(client, program, admin)
    plain = set(labels)
    labels.clear()
    own = mentoring.mentorship(program=program, mentor=admin)
    checkin(own, own.mentee, due_at=SETTLED, answered_at=SETTLED, answers={"progress": 3})
    shown(client, program, admin)
    assert plain and labels and plain.isdisjoint(labels)
    assert all(label.split("|")[6] == str(own.pk) for label in labels)


def test_a_new_mentorship_of_the_reader_draws_nothing_new_for_old_blocks(client, labels):
    """crev F3: keyed by all the reader's mentorships, each new one gave every old, unchanged
    block a fresh draw, and averaging them took the noise away. Only the left-out mentorships
    with answers in a block key it, so gaining one changes no figure and no draw."""
    program, admin = attacked(2)
    own = mentoring.mentorship(program=program, mentor=admin)
    checkin(own, own.mentee, due_at=SETTLED, answered_at=SETTLED, answers={"progress": 3})
    before, _page = shown(client, program, admin)
    drawn = list(labels)
    labels.clear()
    scope = without_pairs_of(InsightScope((program.pk,)), admin.pk)
    insights_before = [t.rows for t in outcomes_tables(scope)]
    for _ in range(3):
        mentoring.mentorship(program=program, mentor=admin)
        labels.clear()
        after, _page = shown(client, program, admin)
        assert after == before
        assert labels == drawn
        scope = without_pairs_of(InsightScope((program.pk,)), admin.pk)
        assert [t.rows for t in outcomes_tables(scope)] == insights_before
