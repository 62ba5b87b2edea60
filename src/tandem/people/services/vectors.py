"""Profiles' goals and expertise as text vectors, kept with the profile so that a ranked list or
a match run reads them instead of waiting for the model (docs/matching.md, "Vectors kept with
profiles").

A kept vector is only a copy: every reader checks that it came from the embedder in use (its
name and a fingerprint of its output) and from the text the record holds now (sha256), and
recomputes, in one batch, and stores whatever does not match. So a vector is never stale,
only sometimes missing, and scores are exactly those of embedding on the spot.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django_tasks import task

from tandem.matching.embedders.choose import default_embedder, embedder_name
from tandem.matching.text import BuiltinEmbedder, Embedder
from tandem.people.models import Profile, ProfileVector

GOALS: str = ProfileVector.Field.GOALS.value
EXPERTISE: str = ProfileVector.Field.EXPERTISE.value
TEXT_FIELDS = frozenset((GOALS, EXPERTISE))
# Texts whose vectors stand for an embedder's behaviour: a change to its lexicon, weights or
# code that moves any of them gives every kept vector of it a new key.
PROBE = (
    "I want my charts to tell a clear story to executives",
    "database performance tuning: SQL, C++ and CI/CD pipelines",
    "1:1s for a new engineering manager; public speaking, négociation",
)
_keys: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_keys_lock = threading.Lock()


def product_embedder() -> Embedder:
    """The embedder of every ranked list, run and profile save (tandem.matching's default)."""
    return default_embedder()


def embedder_key(embedder: Embedder) -> str:
    """``embedder``'s name and a fingerprint of its vectors for :data:`PROBE` (worked out once
    per embedder object: a model is loaded once per process)."""
    with _keys_lock:
        key = _keys.get(embedder)
    if key is None:
        probe = np.ascontiguousarray(embedder.embed(list(PROBE)), dtype="<f4")
        key = f"{embedder_name(embedder)}@{hashlib.sha256(probe.tobytes()).hexdigest()[:16]}"
        with _keys_lock:
            _keys[embedder] = key
    return key


def product_embedder_key() -> str:
    return embedder_key(product_embedder())


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class KeptEmbedder:
    """``base`` answering from vectors already at hand (``kept``, by text); a text it has not
    got is embedded by ``base``, all such texts of one call in one batch. An empty text is a
    zero row, as every embedder gives it. Everything else (the topics two texts share, for
    reasons) is ``base``'s."""

    def __init__(self, base: Embedder, kept: Mapping[str, np.ndarray]):
        self.base = base
        self.kept = dict(kept)

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        missing = sorted({t for t in texts if t and t not in self.kept})
        if missing:
            self.kept.update(zip(missing, _rows(self.base.embed(missing)), strict=True))
        if not self.kept or not texts:
            return np.asarray(self.base.embed(texts), dtype=np.float32)
        zero = np.zeros_like(next(iter(self.kept.values())))
        return np.stack([self.kept[t] if t else zero for t in texts])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)


def _rows(vectors: Any) -> list[np.ndarray]:
    return list(np.asarray(vectors, dtype=np.float32))


def profile_vectors_embedder(
    *,
    goals: Mapping[int, str] | None = None,
    expertise: Mapping[int, str] | None = None,
    embedder: Embedder | None = None,
) -> KeptEmbedder:
    """The product's embedder holding the vectors of these people's texts (user id → text):
    read where kept and matching, the rest embedded in one batch and stored (one query to
    read, and when something was missing one to find the profiles and one to write)."""
    embedder = embedder or product_embedder()
    key = embedder_key(embedder)
    wanted = {
        (user_id, field): text
        for field, texts in ((GOALS, goals or {}), (EXPERTISE, expertise or {}))
        for user_id, text in texts.items()
        if text
    }
    kept: dict[str, np.ndarray] = {}
    rows = ProfileVector.objects.filter(
        profile__user_id__in={user_id for user_id, _ in wanted}, embedder=key
    ).values_list("profile__user_id", "field", "text_hash", "vector")
    for user_id, field, digest, vector in rows:
        text = wanted.get((user_id, field))
        if text is not None and digest == text_hash(text):
            kept[text] = np.frombuffer(vector, dtype="<f4").astype(np.float32)
    missing = {place: text for place, text in wanted.items() if text not in kept}
    if missing:
        texts = sorted(set(missing.values()))
        kept.update(zip(texts, _rows(embedder.embed(texts)), strict=True))
        _store(missing, kept, key)
    return KeptEmbedder(embedder, kept)


def _store(
    texts: Mapping[tuple[int, str], str], vectors: Mapping[str, np.ndarray], key: str
) -> None:
    """Keep the vectors of ``texts`` ((user id, field) → text), replacing what was kept."""
    profiles = dict(
        Profile.objects.filter(user_id__in={user_id for user_id, _ in texts}).values_list(
            "user_id", "pk"
        )
    )
    vectors_kept = [
        ProfileVector(
            profile_id=profiles[user_id],
            field=field,
            embedder=key,
            text_hash=text_hash(text),
            vector=vectors[text].astype("<f4").tobytes(),
        )
        for (user_id, field), text in texts.items()
        if user_id in profiles
    ]
    try:
        with transaction.atomic():  # a savepoint: keeping is an optimisation, never a failure
            ProfileVector.objects.bulk_create(
                vectors_kept,
                update_conflicts=True,
                unique_fields=["profile", "field"],
                update_fields=["embedder", "text_hash", "vector", "updated_at"],
            )
    except IntegrityError:  # a profile deleted meanwhile: the next reader stores the rest
        pass


def profile_vectors_refresh(*, profile_id: int, embedder: Embedder | None = None) -> None:
    """Make the kept vectors of a profile's goals and expertise match its texts now (an empty
    text keeps none)."""
    with transaction.atomic():
        row = Profile.objects.filter(pk=profile_id).values_list("user_id", GOALS, EXPERTISE)
        if row:  # else deleted before this ran
            _keep(profile_id, *row[0], embedder=embedder)


def _keep(
    profile_id: int, user_id: int, goals: str, expertise: str, *, embedder: Embedder | None
) -> None:
    empty = [field for field, text in ((GOALS, goals), (EXPERTISE, expertise)) if not text]
    if empty:
        ProfileVector.objects.filter(profile_id=profile_id, field__in=empty).delete()
    profile_vectors_embedder(
        goals={user_id: goals}, expertise={user_id: expertise}, embedder=embedder
    )


# Here rather than in people.tasks, which imports the services package that saves profiles.
@task()
def profile_vectors_refresh_task(profile_id: int) -> None:
    """Embed a saved profile's texts with a model too slow to run during the save."""
    profile_vectors_refresh(profile_id=profile_id)


def profile_vectors_on_save(*, profile: Profile) -> None:
    """After a profile's goals or expertise were saved (inside the save's transaction): embed
    them now with a fast embedder (microseconds a text), else on a worker once the save has
    committed, so a save never waits for a model."""
    embedder = product_embedder()
    if isinstance(embedder, BuiltinEmbedder):
        _keep(profile.pk, profile.user_id, profile.goals, profile.expertise, embedder=embedder)
    else:
        transaction.on_commit(lambda: profile_vectors_refresh_task.enqueue(profile_id=profile.pk))
