"""Issue #14: with a model as the product's embedder, a ranked list never waits for it. While
more than ``INLINE_LIMIT`` mentors' vectors are missing (an import's task has not run yet), the
whole list is scored with the built-in lexicon and says so; once they are kept, the next list
uses the model, embedding at most ``INLINE_LIMIT`` texts itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.matchruns import mentor_pool
from tandem.matchruns.selectors import mentor_recommendations
from tandem.people.models import ProfileVector
from tandem.people.services import vectors as kept
from tests.matchruns.test_recommendations_pool import full_computation, market
from tests.people.test_vectors import Counting, counting

pytestmark = pytest.mark.django_db
__all__ = ["counting", "market"]  # fixtures


def listed(result) -> list[tuple[int, float]]:
    return [(r.mentor_id, r.score) for r in result.items]


def test_a_list_that_would_wait_for_the_model_uses_the_lexicon_throughout(
    market, counting: Counting, monkeypatch
):
    program, me = market["program"], market["me"]
    lexicon = [(mentor_id, score) for mentor_id, _, score, *_ in full_computation(me, program)]
    monkeypatch.setattr(mentor_pool, "INLINE_LIMIT", 1)  # the mentors have two texts
    counting.texts.clear()
    result = mentor_recommendations(user=me, program=program)
    assert counting.texts == []  # the model was not run for anyone, the mentee included
    assert result.preparing and listed(result) == lexicon
    # The worker fills the vectors: the next list is the model's, with nothing left to embed.
    kept.profile_vectors_fill()
    counting.texts.clear()
    result = mentor_recommendations(user=me, program=program)
    assert counting.texts == [] and not result.preparing
    assert ProfileVector.objects.filter(embedder=kept.embedder_key(counting)).exists()


def test_a_list_embeds_at_most_the_inline_limit_itself(market, counting: Counting, monkeypatch):
    program, me = market["program"], market["me"]
    kept.profile_vectors_fill()
    missing = list(
        ProfileVector.objects.filter(field="expertise", embedder=kept.embedder_key(counting))
        .order_by("pk")
        .values_list("profile__expertise", flat=True)[: kept.INLINE_LIMIT]
    )
    ProfileVector.objects.filter(profile__expertise__in=missing).delete()
    mentor_pool._local.clear()
    from django.core.cache import cache

    cache.clear()
    counting.texts.clear()
    result = mentor_recommendations(user=me, program=program)
    assert not result.preparing
    assert 0 < len(counting.texts) <= kept.INLINE_LIMIT
    assert set(counting.texts) <= set(missing)


def test_the_page_says_some_profiles_are_still_being_prepared(
    market, counting: Counting, monkeypatch, client
):
    program, me = market["program"], market["me"]
    monkeypatch.setattr(mentor_pool, "INLINE_LIMIT", 0)
    client.force_login(me)
    page = client.get(reverse("program_mentors", args=[program.slug]))
    assert page.status_code == 200
    assert "still being prepared" in page.content.decode()
    kept.profile_vectors_fill()
    page = client.get(reverse("program_mentors", args=[program.slug]))
    assert "still being prepared" not in page.content.decode()


def test_the_api_says_so_too(market, counting: Counting, monkeypatch, client):
    program, me = market["program"], market["me"]
    monkeypatch.setattr(mentor_pool, "INLINE_LIMIT", 0)
    client.force_login(me)
    url = f"/api/match-runs/{program.slug}/recommendations"
    answer = client.get(url)
    assert answer.status_code == 200 and answer.json()["preparing"] is True
    kept.profile_vectors_fill()
    assert client.get(url).json()["preparing"] is False
