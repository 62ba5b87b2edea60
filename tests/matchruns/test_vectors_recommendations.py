"""Issue #14: recommendations, a pair's reasons and cohort runs read the text vectors kept
with profiles (``people.services.vectors``): exactly the scores and reasons of embedding on
the spot, and no call to the embedder at all when every vector is kept."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache

from tandem.matchruns import engine, mentor_pool, services
from tandem.matchruns.adapters import participants_for_program
from tandem.matchruns.models import RunStatus
from tandem.matchruns.selectors import pair_reasons
from tandem.people.models import ProfileVector
from tandem.people.services import vectors as kept
from tests.matchruns.test_recommendations_pool import fast, full_computation, market
from tests.people.test_vectors import Counting, counting

pytestmark = pytest.mark.django_db
__all__ = ["counting", "market"]  # fixtures


def forget_kept_mentors() -> None:
    """Drop the converted mentors, so the next list converts them again (from kept vectors)."""
    cache.clear()
    mentor_pool._local.clear()


def test_the_ranked_list_with_kept_vectors_is_the_list_embedded_on_the_spot(market):
    program, me = market["program"], market["me"]
    expected = full_computation(me, program)  # the core's own embedder, nothing kept
    assert fast(me, program) == expected  # nothing kept yet: embedded, then kept
    expertise = ProfileVector.objects.filter(field="expertise").count()
    assert expertise >= 10 and ProfileVector.objects.filter(field="goals").count() == 1
    forget_kept_mentors()
    assert fast(me, program) == expected  # everything read from what was kept


def test_no_embedder_call_when_every_vector_is_kept(market, counting: Counting):
    program, me = market["program"], market["me"]
    expected = full_computation(me, program)
    counting.texts.clear()
    assert fast(me, program) == expected
    assert counting.texts  # the first list embedded what nobody had kept
    forget_kept_mentors()
    counting.texts.clear()
    assert fast(me, program) == expected
    dana = market["twin_a"]
    assert pair_reasons(program=program, mentor_id=dana.pk, mentee_id=me.pk)
    assert counting.texts == []


def test_the_kept_mentors_follow_the_embedder_in_use(market, monkeypatch):
    program = market["program"]
    builtin_pool = mentor_pool.mentor_pool(program=program)
    other = Counting()
    other.name = "another embedder"
    monkeypatch.setattr(kept, "product_embedder", lambda: other)
    assert mentor_pool.mentor_pool(program=program) is not builtin_pool


def test_a_cohort_run_reads_kept_vectors_and_scores_as_before(
    run_tasks, program, program_admin, cohort, counting: Counting
):
    records = participants_for_program(program=program)
    options = {"objective": "optimal", "seed": 0, "pinned": [], "forbidden": []}
    on_the_spot = engine.solve(records, **options)  # the core's own embedder
    with run_tasks():
        run = services.match_run_start(user=program_admin, program=program)
    assert counting.texts  # nothing was kept: embedded in the run, then kept
    run.refresh_from_db()
    stored = {(p.mentee_id, p.mentor_id): (p.score, p.reasons) for p in run.pairs.all()}
    assert stored == {
        (int(p.mentee_id), int(p.mentor_id)): (p.score, p.reasons) for p in on_the_spot.pairs
    }
    counting.texts.clear()
    with run_tasks():
        again = services.match_run_start(user=program_admin, program=program)
    again.refresh_from_db()
    assert again.status == RunStatus.DONE and again.pairs.count() == len(stored)
    assert counting.texts == []


def test_vectors_read_back_are_the_bits_that_were_stored(cohort):
    ada = cohort["ada"]
    goals = ada.profile.goals
    first = kept.profile_vectors_embedder(goals={ada.pk: goals}).embed([goals])
    again = kept.profile_vectors_embedder(goals={ada.pk: goals}).embed([goals])
    assert first.dtype == again.dtype == np.float32
    assert np.array_equal(first, again)
