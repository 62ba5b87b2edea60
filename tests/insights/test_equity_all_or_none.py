"""A rate is withheld when it would put all, or none, of some people in the group (live privacy
review: "parent: 5 people, match rate 100 %" told the admin, who sees which mentees of the
quarter were left unmatched, that none of them is a parent; "early endings 40 % against 0 %"
that everyone whose mentorship ended early is a parent)."""

from __future__ import annotations

import pytest

from tandem.matchruns.models import MatchRun, RunStatus
from tandem.mentorships.models import MentorshipState
from tests.insights.equity_clock import clock
from tests.insights.test_equity_section import JOINED, WRITTEN, matched, mentee, row, tables
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _program(*, parents_matched: int, others_matched: int, parents_ended_early: int):
    """6 parents and 8 others; the first ``parents_matched`` parents and ``others_matched``
    others matched, ``parents_ended_early`` parents' mentorships (and one other's) ended early."""
    with clock(WRITTEN):
        program = ProgramFactory()
        run = MatchRun.objects.create(
            program=program, status=RunStatus.PUBLISHED, published_at=JOINED
        )
        for group, size, matches in (("parent", 6, parents_matched), (None, 8, others_matched)):
            for k in range(size):
                person = mentee(program, [group] if group else None)
                if k < matches:
                    early = k < (parents_ended_early if group else 1)
                    state = MentorshipState.ENDED_EARLY if early else MentorshipState.ACTIVE
                    matched(program, person, 1, run=run, score=0.5, satisfaction=3, goals=(1,),
                            state=state)  # fmt: skip
    return program


def test_a_group_matched_in_full_does_not_show_its_match_rate():
    found = tables(_program(parents_matched=6, others_matched=5, parents_ended_early=2))
    assert row(found["match_rate"])["people"] is None  # 6 of 6


def test_a_group_matched_in_part_shows_its_rates():
    found = tables(_program(parents_matched=5, others_matched=5, parents_ended_early=2))
    assert row(found["match_rate"])["people"] == 6  # 5 of 6 against 5 of 8
    assert row(found["early_endings"])["people"] == 5  # 2 of 5 against 1 of 5


def test_a_rate_with_every_outcome_on_one_side_is_withheld():
    """1 of the 5 others ended early; with no parent ending early, showing the parents' 0 %
    would tell that the one who did is not a parent."""
    found = tables(_program(parents_matched=5, others_matched=5, parents_ended_early=0))
    assert row(found["match_rate"])["people"] == 6
    assert row(found["early_endings"])["people"] is None
