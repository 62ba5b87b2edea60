"""The program's check-in counts ("N answered of M due") leave out the reader's own pairs: an
admin who mentors read in them the moment their mentee answered (live privacy review). A plain
admin's counts still move with every answer. So do the blocks of five people's answers behind
the figures: with the reader's own answer among five, the other four held the partner's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tandem.feedback.services.checkins import checkin_answer
from tandem.programs.models import Role
from tests.feedback.checkins.conftest import both, checkin
from tests.feedback.observed import anonymous, differences
from tests.mentorships import factories as mentoring
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db

SETTLED = datetime(2025, 11, 10, 10, tzinfo=UTC)


def figures(client, world, reader):
    client.force_login(reader)
    page = client.get(reverse("program_checkins", args=[world.program.pk])).content.decode()
    body = client.get(f"/api/programs/{world.program.pk}/checkin-aggregates").json()
    return anonymous(page, world.pair), body


def test_the_partner_answering_moves_no_count_the_mentor_admin_reads(client, world):
    EnrolmentFactory(program=world.program, person=world.mentor, role=Role.ADMIN)
    _mentor_side, mentee_side = both(world.pair)
    before = figures(client, world, world.mentor)
    plain_before = figures(client, world, world.admin)
    checkin_answer(
        user=world.mentee, checkin_id=mentee_side.pk, answers={"progress": 1, "meeting_useful": 1}
    )
    after = figures(client, world, world.mentor)
    assert after[1] == before[1]
    assert after[0] == before[0], differences(before[0], after[0])
    counts = {
        moment: next((k["due"], k["answered"]) for k in body if k["kind"] == "pulse")
        for moment, (_page, body) in (
            ("before", plain_before),
            ("after", figures(client, world, world.admin)),
        )
    }
    assert counts == {"before": (2, 0), "after": (2, 1)}


def answered_pulse(pair, author, progress: int) -> None:
    """A pulse answered in a month long settled, so five people's answers close a block."""
    checkin(
        pair,
        author,
        due_at=SETTLED,
        answered_at=SETTLED,
        answers={"progress": progress, "meeting_useful": 3},
    )


def run_by_the_mentor(progress: int):
    """A program whose mentor-admin and her mentee (``progress``) answered a pulse, and three
    other people: five people's answers, two of them her pair's."""
    program = ProgramFactory()
    pair = mentoring.mentorship(program=program)
    EnrolmentFactory(program=program, person=pair.mentor, role=Role.ADMIN)
    answered_pulse(pair, pair.mentor, 3)
    answered_pulse(pair, pair.mentee, progress)
    for _ in range(3):
        other = mentoring.mentorship(program=program)
        answered_pulse(other, other.mentee, 3)
    return pair


def read_as(client, pair, reader):
    client.force_login(reader)
    page = client.get(reverse("program_checkins", args=[pair.program.pk])).content.decode()
    body = client.get(f"/api/programs/{pair.program.pk}/checkin-aggregates").json()
    return anonymous(page, pair), body


def test_the_blocks_the_mentor_admin_reads_are_five_people_outside_her_pair(
    client, exact_checkin_figures
):
    """With her own answer among five, the other four's figures hold her mentee's: without her
    pair, three people make no block, and twins whose mentee answered 1 or 5 read alike."""
    low, high = run_by_the_mentor(1), run_by_the_mentor(5)
    seen_low, seen_high = read_as(client, low, low.mentor), read_as(client, high, high.mentor)
    assert seen_low[1] == seen_high[1]
    assert seen_low[0] == seen_high[0], differences(seen_low[0], seen_high[0])
    pulse = next(k for k in seen_low[1] if k["kind"] == "pulse")
    progress = next(q for q in pulse["questions"] if q["key"] == "progress")
    assert (progress["answers"], progress["average"]) == (0, None)
    _page, plain = read_as(client, low, mentoring.member(low.program, Role.ADMIN))
    pulse = next(k for k in plain if k["kind"] == "pulse")
    progress = next(q for q in pulse["questions"] if q["key"] == "progress")
    assert (progress["answers"], progress["average"]) == (5, 2.6)  # 3, 1, 3, 3, 3


def test_the_page_says_when_it_leaves_the_readers_own_pairs_out(client, world):
    EnrolmentFactory(program=world.program, person=world.mentor, role=Role.ADMIN)
    note = "without your own mentorships"
    assert note in figures(client, world, world.mentor)[0]
    assert note not in figures(client, world, world.admin)[0]
