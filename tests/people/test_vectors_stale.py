"""Review R2 of issue #14: a kept vector is never used once what made it may have changed (the
embedder's definition, or the text by any path: the admin, a write past the service), a list
that falls back to the lexicon has its missing vectors queued once, and an embedder that
cannot be loaded breaks no save or page."""

from __future__ import annotations

import logging

import pytest
from django.contrib.admin.sites import site
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tandem.matching.embedders import fingerprint
from tandem.matching.embedders.choose import model_embedder
from tandem.matching.text import BuiltinEmbedder
from tandem.matchruns import mentor_pool
from tandem.matchruns.selectors import mentor_recommendations
from tandem.people.checks import text_embedder_check
from tandem.people.models import Profile
from tandem.people.services import profile_update
from tandem.people.services import vectors as kept
from tandem.programs.models import Enrolment
from tests.matchruns.test_recommendations_pool import market
from tests.people.factories import ProfileFactory
from tests.people.test_vectors import GOALS, Counting, counting, stored
from tests.people.test_vectors_fill import queued

pytestmark = pytest.mark.django_db
__all__ = ["counting", "market", "queued"]  # fixtures


class Defined(Counting):
    """The counting embedder saying what it computes."""

    def __init__(self, fingerprint: str) -> None:
        super().__init__()
        self.fingerprint = fingerprint


def test_the_key_follows_the_embedders_definition_not_only_its_sample_vectors():
    one, other = Defined("weights v1"), Defined("weights v2")
    assert (one.embed(list(kept.PROBE)) == other.embed(list(kept.PROBE))).all()
    assert kept.embedder_key(one) != kept.embedder_key(other)
    assert kept.embedder_key(one) == kept.embedder_key(Defined("weights v1"))


def test_a_new_term_in_the_lexicon_gives_its_vectors_a_new_key(monkeypatch, tmp_path):
    """The reviewer's case: a term added to a concept moves none of the sample vectors."""
    before = kept.embedder_key(BuiltinEmbedder())
    concepts = (fingerprint.resources.files("tandem.matching") / "concepts.json").read_bytes()
    (tmp_path / "concepts.json").write_bytes(concepts.replace(b'"sql"', b'"sql", "fastapi"', 1))
    monkeypatch.setattr(fingerprint.resources, "files", lambda package: tmp_path)
    fingerprint.lexicon_fingerprint.cache_clear()
    try:
        assert kept.embedder_key(BuiltinEmbedder()) != before
    finally:
        fingerprint.lexicon_fingerprint.cache_clear()


def test_text_edited_in_the_admin_is_embedded_again(settings):
    profile = ProfileFactory()
    profile.goals = GOALS
    form = type("Form", (), {"changed_data": ["goals"]})()
    request = RequestFactory().post("/")
    site._registry[Profile].save_model(request, profile, form, change=True)
    assert stored(profile)["goals"].text_hash == kept.text_hash(GOALS)


def test_the_periodic_fill_finds_text_written_past_the_service(counting: Counting):
    edited, untouched = ProfileFactory(goals="old goals"), ProfileFactory(goals="kept goals")
    kept.profile_vectors_fill()
    Profile.objects.filter(pk=edited.pk).update(goals=GOALS, updated_at=timezone.now())
    Profile.objects.filter(pk=untouched.pk).update(city="Oulu", updated_at=timezone.now())
    counting.texts.clear()
    assert kept.profile_vectors_fill(limit=kept.FILL_PER_TICK) == 2  # both hashes compared
    assert counting.texts == [GOALS]  # only the changed text embedded
    assert stored(edited)["goals"].text_hash == kept.text_hash(GOALS)
    assert kept.profile_vectors_fill(limit=kept.FILL_PER_TICK) == 0  # checked: not again


def test_a_list_on_the_lexicon_queues_its_missing_vectors_once(
    market, counting: Counting, queued, monkeypatch, django_capture_on_commit_callbacks
):
    program, me = market["program"], market["me"]
    monkeypatch.setattr(mentor_pool, "INLINE_LIMIT", 0)
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert mentor_recommendations(user=me, program=program).preparing
        assert mentor_recommendations(user=me, program=program).preparing
    [task] = queued.results
    mentors = Enrolment.objects.filter(program=program, role="mentor").exclude(
        person__profile__expertise=""
    )
    assert task.kwargs["user_ids"] == sorted(mentors.values_list("person_id", flat=True))


@pytest.fixture
def broken_model(settings, monkeypatch):
    """The product's embedder is the model, whose weights are missing."""
    settings.TANDEM_TEXT_EMBEDDER = "minilm"
    monkeypatch.setenv("TANDEM_MINILM_DIR", "/nonexistent")
    model_embedder.cache_clear()
    monkeypatch.setattr(kept, "_loaded", {})
    yield
    model_embedder.cache_clear()


def test_a_model_that_cannot_load_falls_back_to_the_lexicon_once(broken_model, caplog):
    assert not kept.product_runs_inline()  # decided from the setting, nothing loaded
    assert kept._loaded == {}
    with caplog.at_level(logging.ERROR, logger=kept.__name__):
        assert isinstance(kept.product_embedder(), BuiltinEmbedder)
        assert isinstance(kept.product_embedder(), BuiltinEmbedder)
    assert len(caplog.records) == 1 and "cannot be loaded" in caplog.text
    profile, _ = profile_update(profile=ProfileFactory(), actor=None, goals=GOALS)
    assert stored(profile)["goals"].text_hash == kept.text_hash(GOALS)  # the lexicon, inline


def test_a_system_check_warns_of_an_embedder_that_cannot_load(broken_model, settings):
    [warning] = text_embedder_check()
    assert warning.id == "people.W001" and "not installed" in warning.msg
    settings.TANDEM_TEXT_EMBEDDER = "builtin"
    assert text_embedder_check() == []


def test_the_mentors_page_works_while_the_model_cannot_load(broken_model, market, client):
    program, me = market["program"], market["me"]
    cache.clear()
    client.force_login(me)
    page = client.get(reverse("program_mentors", args=[program.slug]))
    assert page.status_code == 200 and "Twin" in page.content.decode()
