"""Profiles' goals and expertise as text vectors, kept with the profile so that a ranked list or
a match run reads them instead of waiting for the model (docs/matching.md, "Vectors kept with
profiles").

A kept vector is only a copy: every reader checks that it came from the embedder in use (its
name and a fingerprint of its definition and output) and from the text the record holds now
(sha256), and recomputes, in one batch, and stores whatever does not match. A missing one is
filled by the readers, the save hooks and a periodic fill. So a vector is never stale,
only sometimes missing, and scores are exactly those of embedding on the spot.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from tandem.matching.embedders.choose import choose_embedder, embedder_name
from tandem.matching.embedders.fingerprint import digest, embedder_fingerprint
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
# Texts a request may embed with a model (tens of milliseconds each) instead of reading them;
# a request that would need more raises VectorsNotReady and the caller does without.
INLINE_LIMIT = 8
FILL_CHUNK = 64  # profiles embedded and stored together by a fill (a stored step every second)
# Profiles one fill task embeds before it queues the rest behind whatever was queued meanwhile.
TASK_SHARE = 1024
FILL_PER_TICK = 240  # profiles a periodic tick fills at most (seconds of a worker's core)
FILL_SOON_SECONDS = 15 * 60  # a list's missing vectors are queued again after this at most
_keys: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_keys_lock = threading.Lock()
_loaded: dict[str, Embedder] = {}  # by setting: the product's embedder, loaded once a process
_load_lock = threading.Lock()
logger = logging.getLogger(__name__)


class VectorsNotReady(Exception):
    """More texts lack a kept vector than a request may embed with a model: a worker is (or
    will soon be) filling them. ``user_ids``: the people whose texts lack one."""

    def __init__(self, user_ids: Iterable[int] = ()):
        super().__init__()
        self.user_ids = sorted(set(user_ids))


def product_embedder() -> Embedder:
    """The embedder of every ranked list, run and profile save: the ``TANDEM_TEXT_EMBEDDER``
    setting's (all-MiniLM-L6-v2 unless set), or the built-in lexicon when that one cannot be
    loaded (missing or changed weights: one error logged per process, see ``people.checks``),
    so no save or page fails for it."""
    return _chosen(settings.TANDEM_TEXT_EMBEDDER)


def _chosen(name: str) -> Embedder:
    """One embedder object per name and process (read-only): loaded once (a failure too, so
    no request re-reads the weights), its key worked out once."""
    with _load_lock:
        embedder = _loaded.get(name)
        if embedder is None:
            embedder, problem = _load(name)
            if embedder is None:
                logger.error("text embedder %r cannot be loaded: %s", name, problem)
                embedder = BuiltinEmbedder()  # ranked lists, runs and saves go on with it
            _loaded[name] = embedder
    return embedder


def _load(name: str) -> tuple[Embedder | None, str]:
    """The embedder called ``name``, or None and why it cannot be loaded."""
    try:
        return choose_embedder(name), ""
    except (ImportError, ValueError, OSError) as error:  # not installed, changed, unknown
        return None, str(error)


def embedder_problem(name: str) -> str:
    """Why the embedder called ``name`` cannot be loaded, or "" (loads it: a startup check)."""
    return _load(name)[1]


def product_runs_inline() -> bool:
    """Whether the product's embedder runs where a vector is missing, decided without loading
    a model: the one already loaded here says; else only the setting ``builtin`` does."""
    name = settings.TANDEM_TEXT_EMBEDDER
    if name == "builtin":
        return True
    loaded = _loaded.get(name)
    return loaded is not None and runs_inline(loaded)


def runs_inline(embedder: Embedder) -> bool:
    """Whether ``embedder`` is fast enough (microseconds a text) to run wherever a vector is
    missing: the built-in lexicon; anything else is a model, filled on a worker."""
    return isinstance(embedder, BuiltinEmbedder)


def embedder_key(embedder: Embedder) -> str:
    """``embedder``'s name and a digest of its definition (:func:`embedder_fingerprint`: the
    lexicon's concepts and constants, the model's weights, vocabulary, token limit and pooling)
    and, as a second guard, of its vectors for :data:`PROBE` (worked out once per embedder
    object: a model is loaded once per process)."""
    with _keys_lock:
        key = _keys.get(embedder)
    if key is None:
        probe = np.ascontiguousarray(embedder.embed(list(PROBE)), dtype="<f4")
        fingerprint = digest(embedder_fingerprint(embedder), probe.tobytes())
        key = f"{embedder_name(embedder)}@{fingerprint[:16]}"
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
    inline_limit: int | None = None,
) -> KeptEmbedder:
    """The product's embedder holding the vectors of these people's texts (user id → text):
    read where kept and matching, the rest embedded in one batch and stored (one query to
    read, and when something was missing one to find the profiles and one to write).

    With ``inline_limit``, a model that would have to embed more texts than that is not run:
    VectorsNotReady is raised after the one query that reads what is kept."""
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
    for user_id, field, kept_hash, vector in rows:
        text = wanted.get((user_id, field))
        if text is not None and kept_hash == text_hash(text):
            kept[text] = np.frombuffer(vector, dtype="<f4").astype(np.float32)
    missing = {place: text for place, text in wanted.items() if text not in kept}
    slow = inline_limit is not None and not runs_inline(embedder)
    if slow and len(set(missing.values())) > (inline_limit or 0):
        raise VectorsNotReady(user_id for user_id, _ in missing)
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
    if product_runs_inline():
        _keep(profile.pk, profile.user_id, profile.goals, profile.expertise, embedder=None)
    else:
        transaction.on_commit(lambda: profile_vectors_refresh_task.enqueue(profile_id=profile.pk))


def _lacking(key: str) -> Q:
    """Profiles with a text and no vector of ``key`` for it (missing, or another embedder's)
    or one kept before the profile last changed (its text may differ now: the fill compares
    the hashes, and marks a vector that still matches as checked)."""

    def kept(field: str) -> Exists:
        return Exists(
            ProfileVector.objects.filter(
                profile=OuterRef("pk"),
                field=field,
                embedder=key,
                updated_at__gte=OuterRef("updated_at"),
            )
        )

    return (~Q(goals="") & ~kept(GOALS)) | (~Q(expertise="") & ~kept(EXPERTISE))


def profile_vectors_fill(*, user_ids: Iterable[int] | None = None, limit: int | None = None) -> int:
    """Embed and keep, FILL_CHUNK profiles at a time, the texts of these people's profiles
    (``user_ids``: each one's texts are checked against its kept hashes, so an import's changed
    text is caught too) or, without ``user_ids``, of the first ``limit`` profiles lacking a
    vector of the product's embedder. Returns the profiles looked at."""
    embedder = product_embedder()
    key = embedder_key(embedder)
    profiles = Profile.objects.order_by("pk")
    if user_ids is None:
        profiles = profiles.filter(_lacking(key))
    else:
        profiles = profiles.filter(user_id__in=sorted(set(user_ids)))
    rows = list(profiles.values_list("user_id", GOALS, EXPERTISE)[:limit])
    for start in range(0, len(rows), FILL_CHUNK):
        chunk = rows[start : start + FILL_CHUNK]
        profile_vectors_embedder(
            goals={user_id: goals for user_id, goals, _ in chunk},
            expertise={user_id: expertise for user_id, _, expertise in chunk},
            embedder=embedder,
        )
        # Every vector of these profiles matches its text now: checked, not lacking.
        ProfileVector.objects.filter(
            profile__user_id__in=[user_id for user_id, _, _ in chunk], embedder=key
        ).update(updated_at=timezone.now())
    return len(rows)


@task()
def profile_vectors_fill_task(user_ids: list[int] | None = None) -> int:
    """Embed profiles written in bulk (an import, the demo) with a model, on a worker,
    ``TASK_SHARE`` people a task: the rest is queued again first, behind whatever was queued
    meanwhile. A 50,000-row import's one task held the only worker for half an hour, and the
    next upload's check, match runs and invitation emails waited "for a worker" all that time
    (I/O review, on PostgreSQL). Without ``user_ids`` (everyone lacking a vector: the demo's
    14,000 on each ``tandem run`` held it six minutes) a task that found a full share queues
    the next; a filled profile no longer lacks, so the chain ends."""
    if user_ids is None:
        looked_at = profile_vectors_fill(limit=TASK_SHARE)
        if looked_at == TASK_SHARE:
            profile_vectors_fill_task.enqueue(user_ids=None)
        return looked_at
    if len(user_ids) > TASK_SHARE:
        profile_vectors_fill_task.enqueue(user_ids=user_ids[TASK_SHARE:])
        user_ids = user_ids[:TASK_SHARE]
    return profile_vectors_fill(user_ids=user_ids)


def profile_vectors_fill_later(*, user_ids: Iterable[int] | None = None) -> None:
    """After profiles were written in bulk, past the save service (inside their transaction):
    once it commits, one task embeds those people's texts (``None``: every profile lacking a
    vector), so no page waits for the model. The built-in lexicon needs none: readers embed
    with it on use."""
    ids = None if user_ids is None else sorted(set(user_ids))
    if ids == [] or product_runs_inline():
        return
    transaction.on_commit(lambda: profile_vectors_fill_task.enqueue(user_ids=ids))


def profile_vectors_fill_soon(*, user_ids: Iterable[int]) -> None:
    """A ranked list found these people's texts without kept vectors (VectorsNotReady): one
    task embeds them, queued once (not by every request meanwhile) until it has had time."""
    ids = sorted(set(user_ids))
    key = hashlib.sha256(repr((product_embedder_key(), ids)).encode()).hexdigest()[:32]
    if ids and cache.add(f"people:vectors-soon:{key}", True, timeout=FILL_SOON_SECONDS):
        transaction.on_commit(lambda: profile_vectors_fill_task.enqueue(user_ids=ids))
