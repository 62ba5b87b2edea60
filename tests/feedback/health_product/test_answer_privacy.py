"""Health never gives away a side's private check-in answers: a reason read from them shows no
weight and no rank by weight, and the score is withheld, for the pair and the admins alike;
each of the pair reads none read from the other's answers, only their own and the divergence
prompt (``test_side_views`` holds the state, the panels and the nudges to the same rule).

The reviewer's case: the mentor answers 5 and 5, the mentee 1 and 1, nothing shared; the
mentor read ``low_pulse`` at -20 (a mean of 2 or less, and the mentor's own were 5)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.feedback.health import REASON_CODES
from tandem.feedback.health.audience import PROMPTED_TO_BOTH
from tandem.feedback.models import MentorshipHealth
from tandem.feedback.selectors.health_reads import (
    TALK_IT_THROUGH,
    nudge_concern_for,
    reasons_as_read,
)
from tandem.feedback.services.health import health_refresh, nudge_text
from tandem.feedback.services.health_sides import ANSWER_FREE_TEXT
from tandem.programs.models import Role
from tests.feedback.health_product.builders import held, pulse, started
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db

ANSWER_CODES = {reason.code for reason in REASON_CODES if reason.from_answers}


def pair_rated(program, now, mentee_rates: int):
    """Met weekly as agreed; the mentor rated the last two check-ins 5, the mentee
    ``mentee_rates`` (1 and 3 both read as a low pulse and a gap, at -20 and -6 points)."""
    m = started(now, weeks=12, program=program)
    for days in (3, 10, 17):
        held(m, now - timedelta(days=days))
    for n, days in enumerate((9, 2), start=1):
        pulse(m, m.mentor, now - timedelta(days=days), 5, 5, n)
        pulse(m, m.mentee, now - timedelta(days=days), mentee_rates, mentee_rates, n)
    return m


@pytest.fixture
def pairs():
    now = timezone.now()
    program = started(now).program
    low = pair_rated(program, now, 3)
    lower = pair_rated(program, now, 1)
    health_refresh(mentorships=[low, lower], now=now)
    return {"program": program, "low": low, "lower": lower, "admin": member(program, Role.ADMIN)}


def reader(pairs, role, key):
    m = pairs[key]
    return {"mentor": m.mentor, "mentee": m.mentee, "admin": pairs["admin"]}[role]


def test_the_stored_weights_do_differ(pairs):
    """The premise: the two pairs' health differs only by the mentee's answers."""
    stored = {
        key: {
            r["code"]: r["weight"] for r in MentorshipHealth.objects.get(pk=pairs[key].pk).reasons
        }
        for key in ("low", "lower")
    }
    assert stored["low"]["low_pulse"] != stored["lower"]["low_pulse"]
    assert set(stored["low"]) == set(stored["lower"]) >= {"low_pulse", "pulse_gap"}


@pytest.mark.parametrize("role", ["mentor", "mentee", "admin"])
def test_the_mentorship_health_api_reads_the_same_whatever_the_other_side_answered(
    client, pairs, role
):
    seen = []
    for key in ("low", "lower"):
        client.force_login(reader(pairs, role, key))
        body = client.get(f"/api/mentorships/{pairs[key].pk}/health").json()
        assert body["score"] is None
        for reason in body["reasons"]:
            if reason["code"] in ANSWER_CODES:
                assert reason["weight"] is None, reason
        seen.append(body["reasons"])
    assert seen[0] == seen[1]


def test_the_program_list_reads_the_same_whatever_the_other_side_answered(client, pairs):
    client.force_login(pairs["admin"])
    rows = client.get(f"/api/programs/{pairs['program'].pk}/health").json()["items"]
    by_pair = {row["mentorship_id"]: row for row in rows}
    low, lower = by_pair[pairs["low"].pk], by_pair[pairs["lower"].pk]
    assert low["score"] is None and lower["score"] is None
    assert low["reasons"] == lower["reasons"]
    assert {r["code"] for r in low["reasons"] if r["weight"] is None} >= {"low_pulse", "pulse_gap"}


@pytest.mark.parametrize("role", ["mentor", "mentee", "admin"])
def test_the_health_panel_shows_no_points(client, pairs, role):
    m = pairs["lower"]
    client.force_login(reader(pairs, role, "lower"))
    page = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    panel = page[page.index('id="health"') :]
    panel = panel[: panel.index("</section>")]
    words = re.sub(r"<[^>]+>", " ", panel)
    # the answer-free wording of a gap, for the admins only: each side's view has only its own
    # answers (see the next test)
    assert (ANSWER_FREE_TEXT["pulse_gap"] in words) == (role == "admin")
    assert not re.search(r"-\d|\bpoints?\b|\bscore\b", words), words


def test_each_side_reads_no_reason_from_the_others_answers_but_the_divergence_prompt(client, pairs):
    """Live review: the mentor, who had answered 5 and 5, read ``low_pulse`` and so knew the
    mentee's answer was low. Each side reads its own answers' reasons only (the mentee's low
    pulse is the mentee's); the admins still read them all (without their points)."""
    m = pairs["lower"]
    expected = {"mentor": set(), "mentee": {"low_pulse"}}
    for role, own in expected.items():
        client.force_login(reader(pairs, role, "lower"))
        body = client.get(f"/api/mentorships/{m.pk}/health").json()
        codes = {r["code"] for r in body["reasons"]}
        assert codes & (ANSWER_CODES - PROMPTED_TO_BOTH) == own, (role, codes)
    client.force_login(pairs["admin"])
    codes = {r["code"] for r in client.get(f"/api/mentorships/{m.pk}/health").json()["reasons"]}
    assert codes >= {"low_pulse", "pulse_gap"}


def test_a_nudge_names_no_reason_read_from_the_other_sides_answers():
    stored = [
        {"code": "low_pulse", "text": "a check-in was low", "weight": -20},
        {"code": "pulse_gap", "text": "you differ", "weight": -6},
    ]
    now = timezone.now()
    m = started(now)
    row = MentorshipHealth(mentorship=m, state="at_risk", reasons=stored)
    for person in (m.mentor, m.mentee):
        text = nudge_text(m, nudge_concern_for(row, m, person), person, now)
        assert text.startswith(TALK_IT_THROUGH) and "check-in" not in text, text
    row.reasons = [{"code": "missed_periods", "text": "No meeting for 3 weeks", "weight": -9}]
    row.reasons += stored
    assert nudge_concern_for(row, m, m.mentee)["code"] == "missed_periods"


def test_a_reason_read_from_answers_is_ranked_by_its_code_not_its_points():
    """A low pulse at -20 would come before one missed period (-9), at -6 after it: its place
    would give away the band. Answer reasons go after the other concerns, weightless."""
    for low in (-20, -6):
        stored = [
            {"code": "low_pulse", "text": "t", "weight": low},
            {"code": "missed_periods", "text": "t", "weight": -9},
            {"code": "high_pulse", "text": "t", "weight": 5},
            {"code": "meets_on_cadence", "text": "t", "weight": 10},
            {"code": "paused", "text": "t", "weight": 0},
        ]
        shown = reasons_as_read(sorted(stored, key=lambda r: r["weight"]))
        assert [(r["code"], r["weight"]) for r in shown] == [
            ("missed_periods", -9),
            ("low_pulse", None),
            ("meets_on_cadence", 10),
            ("high_pulse", None),
            ("paused", 0),
        ]


def test_every_reason_read_from_answers_is_stored_in_answer_free_words():
    assert set(ANSWER_FREE_TEXT) == ANSWER_CODES
