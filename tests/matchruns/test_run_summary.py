"""A run's figures never go below zero: a run whose snapshot lists fewer mentees than it paired
(the demo's runs had no snapshot: "mentees":0, "matched":6, "unmatched":-6) counts none left."""

import pytest

from tandem.matchruns.models import MatchPair, MatchRun
from tandem.matchruns.selectors import match_run_summary
from tests.matchruns.factories import ProgramFactory, mentee, mentor

pytestmark = pytest.mark.django_db


def test_a_run_without_a_snapshot_leaves_no_negative_unmatched():
    program = ProgramFactory()
    run = MatchRun.objects.create(program=program, inputs={}, report={})
    for _ in range(2):
        MatchPair.objects.create(
            run=run, mentee=mentee(program), mentor=mentor(program), score=0.8, reasons=[]
        )
    summary = match_run_summary(run=run)
    assert (summary.matched, summary.unmatched) == (2, 0)
