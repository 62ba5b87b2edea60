"""Issue #14: a profile's goals and expertise are embedded when it is saved and the vectors
kept (``people.services.vectors``), so recommendations never wait for the model; a kept
vector is recomputed whenever its text or the embedder changed, and goes with its profile."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.matching.text import BuiltinEmbedder
from tandem.people.models import Profile, ProfileVector
from tandem.people.services import profile_update
from tandem.people.services import vectors as kept
from tests.people.factories import ProfileFactory

pytestmark = pytest.mark.django_db
GOALS = "speed up slow SQL queries"
EXPERTISE = "database performance and query tuning"


class Counting:
    """A model stand-in: the built-in vectors, with every text it is asked to embed counted."""

    name = "counting test embedder"

    def __init__(self) -> None:
        self.base = BuiltinEmbedder()
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += list(texts)
        return self.base.embed(texts)

    def shared_concepts(self, a: str, b: str, limit: int = 2) -> list[str]:
        return self.base.shared_concepts(a, b, limit)


@pytest.fixture
def counting(monkeypatch) -> Counting:
    """The product's embedder is a (slow, so embedded on a worker) counting one."""
    embedder = Counting()
    monkeypatch.setattr(kept, "product_embedder", lambda: embedder)
    monkeypatch.setattr(kept, "product_runs_inline", lambda: False)
    kept.embedder_key(embedder)  # its fingerprint, worked out once
    embedder.texts.clear()
    return embedder


def builtin(text: str) -> np.ndarray:
    return BuiltinEmbedder().embed([text])[0]


def stored(profile: Profile) -> dict[str, ProfileVector]:
    return {v.field: v for v in ProfileVector.objects.filter(profile=profile)}


def as_array(row: ProfileVector) -> np.ndarray:
    return np.frombuffer(bytes(row.vector), dtype="<f4")


def test_saving_a_profile_keeps_its_vectors():
    profile = ProfileFactory()
    profile_update(profile=profile, actor=None, goals=GOALS, expertise=EXPERTISE)
    rows = stored(profile)
    assert set(rows) == {"goals", "expertise"}
    assert rows["goals"].embedder == kept.product_embedder_key()
    assert rows["goals"].embedder.startswith("built-in concept lexicon@")
    assert rows["goals"].text_hash == kept.text_hash(GOALS)
    assert np.array_equal(as_array(rows["goals"]), builtin(GOALS))
    assert np.array_equal(as_array(rows["expertise"]), builtin(EXPERTISE))


def test_an_edit_refreshes_them_and_an_emptied_text_keeps_none():
    profile = ProfileFactory()
    profile_update(profile=profile, actor=None, goals=GOALS, expertise=EXPERTISE)
    profile_update(profile=profile, actor=None, goals="present to the board")
    rows = stored(profile)
    assert rows["goals"].text_hash == kept.text_hash("present to the board")
    assert np.array_equal(as_array(rows["goals"]), builtin("present to the board"))
    profile_update(profile=profile, actor=None, expertise="")
    assert set(stored(profile)) == {"goals"}


def test_a_save_that_leaves_the_texts_alone_embeds_and_writes_nothing(counting):
    profile = ProfileFactory(goals=GOALS)
    kept.profile_vectors_refresh(profile_id=profile.pk)
    before = stored(profile)["goals"].updated_at
    counting.texts.clear()
    kept.profile_vectors_refresh(profile_id=profile.pk)
    assert counting.texts == [] and stored(profile)["goals"].updated_at == before


def test_a_vector_of_another_embedder_or_text_is_recomputed_and_stored_on_use():
    profile = ProfileFactory(goals=GOALS)
    user_id = profile.user_id
    ProfileVector.objects.create(
        profile=profile,
        field="goals",
        embedder="built-in concept lexicon@an older release",
        text_hash=kept.text_hash(GOALS),
        vector=np.ones(4, dtype="<f4").tobytes(),
    )
    embedder = kept.profile_vectors_embedder(goals={user_id: GOALS})
    assert np.array_equal(embedder.embed([GOALS])[0], builtin(GOALS))
    row = stored(profile)["goals"]
    assert row.embedder == kept.product_embedder_key()
    assert np.array_equal(as_array(row), builtin(GOALS))
    # The profile changed without the service (a bulk update): its hash no longer matches.
    Profile.objects.filter(pk=profile.pk).update(goals="present to the board")
    embedder = kept.profile_vectors_embedder(goals={user_id: "present to the board"})
    assert np.array_equal(
        embedder.embed(["present to the board"])[0], builtin("present to the board")
    )
    assert stored(profile)["goals"].text_hash == kept.text_hash("present to the board")


def test_texts_without_a_kept_vector_are_embedded_in_one_batch(counting):
    profiles = [ProfileFactory(goals=f"goal {k}") for k in range(3)]
    kept.profile_vectors_embedder(goals={p.user_id: p.goals for p in profiles})
    assert sorted(counting.texts) == ["goal 0", "goal 1", "goal 2"]
    counting.texts.clear()
    embedder = kept.profile_vectors_embedder(goals={p.user_id: p.goals for p in profiles})
    rows = embedder.embed(["goal 1", "", "goal 0"])
    assert counting.texts == []
    assert not rows[1].any() and np.array_equal(rows[0], builtin("goal 1"))


def test_a_slow_embedder_reads_what_is_kept_once_and_runs_only_within_the_limit(
    counting, django_assert_num_queries
):
    profiles = [ProfileFactory(goals=f"goal {k}") for k in range(3)]
    kept.profile_vectors_embedder(goals={profiles[0].user_id: profiles[0].goals})
    counting.texts.clear()
    goals = {p.user_id: p.goals for p in profiles}
    with django_assert_num_queries(1), pytest.raises(kept.VectorsNotReady) as raised:
        kept.profile_vectors_embedder(goals=goals, embedder=counting, inline_limit=1)
    assert sorted(raised.value.user_ids) == sorted(p.user_id for p in profiles[1:])
    assert counting.texts == []
    kept.profile_vectors_embedder(goals=goals, embedder=counting, inline_limit=2)
    assert sorted(counting.texts) == ["goal 1", "goal 2"]
    with django_assert_num_queries(1):  # all kept now: read once, nothing to embed
        kept.profile_vectors_embedder(goals=goals, embedder=counting, inline_limit=0)


def test_a_slow_embedder_runs_after_the_save_not_during_it(
    counting, django_capture_on_commit_callbacks
):
    profile = ProfileFactory()
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(profile=profile, actor=None, goals=GOALS)
        assert counting.texts == [] and not stored(profile)
    assert counting.texts == [GOALS]
    assert stored(profile)["goals"].embedder == kept.embedder_key(counting)


def test_deleting_a_profile_or_its_account_deletes_its_vectors():
    first, second = ProfileFactory(), ProfileFactory()
    for profile in (first, second):
        profile_update(profile=profile, actor=None, goals=GOALS, expertise=EXPERTISE)
    first.delete()
    second.user.delete()
    assert not ProfileVector.objects.exists()
    kept.profile_vectors_refresh(profile_id=first.pk)  # a task that runs after: nothing to do
    assert not ProfileVector.objects.exists()
