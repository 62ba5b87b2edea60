"""An admin of the program who is also one of a pair reads that pair's health, on every admin
surface, as their side knows it (live privacy review: a mentor-admin's own row on the health
list said "Recent check-in answers say it is not going as hoped" after only the mentee
answered low, and ``?reason=low_pulse`` went from 0 rows to exactly his pair).

Twin programs, each run by the mentor of its one pair: the mentees' private pulses fall
(5, 4, 1, 1) in one and stay high in the other. Everything the mentor-admin reads (the list,
each state and reason filter, page and API, the counts, the admin home) is the same in both;
a plain admin still reads the full health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.feedback.health import REASON_CODES
from tandem.feedback.models import HealthState, MentorshipHealth
from tandem.feedback.selectors.health_reads import (
    HealthFilters,
    health_counts_for_programs,
    health_list_for_program,
)
from tandem.feedback.services.health import health_refresh
from tandem.programs.models import Role
from tests.feedback.health_product.test_side_views import HIGH, LOW, pair_answering
from tests.feedback.observed import anonymous, differences
from tests.mentorships.factories import member, mentorship
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins():
    now = timezone.now()
    pairs = {}
    for key, scores in (("low", LOW), ("high", HIGH)):
        pair = pair_answering(ProgramFactory(), now, scores)
        EnrolmentFactory(program=pair.program, person=pair.mentor, role=Role.ADMIN)
        pairs[key] = pair
    health_refresh(mentorships=list(pairs.values()), now=now)
    return pairs


def admin_surfaces(client, pair, reader) -> dict[str, str]:
    """Every admin page, API answer and count ``reader`` reads about the pair's program."""
    client.force_login(reader)
    program = pair.program.pk
    page = reverse("feedback_program_health", args=[program])
    api = f"/api/programs/{program}/health"
    urls = {"admin home": "/", "list": page, "list api": api}
    for name, value in [("state", state) for state in HealthState.values] + [
        ("reason", reason.code) for reason in REASON_CODES
    ]:
        urls[f"{name} {value}"] = f"{page}?{name}={value}"
        urls[f"{name} {value} api"] = f"{api}?{name}={value}"
    seen = {name: client.get(url).content.decode() for name, url in urls.items()}
    counts = health_counts_for_programs(program_ids=[program], reader_id=reader.pk)
    seen["counts"] = repr(dict(counts[program]))
    return {name: anonymous(text, pair) for name, text in seen.items()}


def test_the_mentor_admin_reads_the_same_whatever_the_mentee_answered(client, twins):
    low, high = twins["low"], twins["high"]
    assert MentorshipHealth.objects.get(pk=low.pk).state == HealthState.AT_RISK  # the premise
    seen_low = admin_surfaces(client, low, low.mentor)
    seen_high = admin_surfaces(client, high, high.mentor)
    for name, text in seen_low.items():
        assert text == seen_high[name], (name, differences(text, seen_high[name]))
    assert "Your own mentorship" in seen_low["list"]
    assert '"count": 0' in seen_low["reason low_pulse api"]


def test_a_plain_admin_still_reads_the_full_health(client, twins):
    low = twins["low"]
    admin = member(low.program, Role.ADMIN)
    seen = admin_surfaces(client, low, admin)
    assert '"count": 1' in seen["reason low_pulse api"]
    assert "not going as hoped" in seen["list"]
    assert seen["counts"] == repr({"at_risk": 1})


def test_the_own_pair_is_placed_by_its_known_state_across_page_cuts():
    """Others: two stalled, one at risk, one on track; the reader's pair is stalled in full
    but on track as the reader knows it, in that state longer than the other on-track pair."""
    program, now = ProgramFactory(), timezone.now()
    made = {}
    for state, days in [("stalled", 9), ("stalled", 2), ("at_risk", 4), ("on_track", 3)]:
        m = mentorship(program=program)
        MentorshipHealth.objects.create(
            mentorship=m,
            program=program,
            state=state,
            score=50,
            state_since=now - timedelta(days=days),
            computed_at=now,
        )
        made[(state, days)] = m.pk
    own = mentorship(program=program)
    view = {"state": "on_track", "state_since": (now - timedelta(days=5)).isoformat()}
    MentorshipHealth.objects.create(
        mentorship=own,
        program=program,
        state="stalled",
        score=10,
        views={"mentor": {**view, "flagged_since": None, "reasons": []}},
        state_since=now - timedelta(days=30),
        computed_at=now,
    )
    expected = [
        made[("stalled", 9)],
        made[("stalled", 2)],
        made[("at_risk", 4)],
        own.pk,
        made[("on_track", 3)],
    ]
    rows = health_list_for_program(program=program, reader_id=own.mentor_id)
    assert rows.count() == len(expected)
    for start in range(len(expected)):
        for stop in range(start, len(expected) + 2):
            assert [r.mentorship_id for r in rows[start:stop]] == expected[start:stop]
    assert rows[3].state == "on_track"
    stalled = health_list_for_program(
        program=program, reader_id=own.mentor_id, filters=HealthFilters(state="stalled")
    )
    assert own.pk not in [r.mentorship_id for r in stalled[0:10]]
    assert health_counts_for_programs(program_ids=[program.pk], reader_id=own.mentor_id)[
        program.pk
    ] == {"stalled": 2, "at_risk": 1, "on_track": 2}
