"""Vectorised pair features and hard constraints.

Every feature is a number in [0, 1] for a (mentee, mentor) pair. Feature functions take index
arrays ``i`` (mentees) and ``j`` (mentors) that broadcast against each other: two 1-d arrays
of equal length score a list of edges, ``i[:, None]`` against ``j[None, :]`` scores a dense
block. A value a person left empty counts as "no preference" and scores ``NEUTRAL`` (goals:
``NEUTRAL_GOALS``, close to a typical similarity, so that an empty profile is no advantage).

Hard constraints never lower a score: they say whether the pair may exist at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import scipy as sp
from numpy.typing import ArrayLike

from tandem.matching.embedders.calibration import GoalsCalibration, calibration_of
from tandem.matching.embedders.choose import default_embedder
from tandem.matching.profiles import (
    REFERENCE_WEEK,
    WORDS_PER_WEEK,
    Mentee,
    Mentor,
    availability_bits,
    normalise_tag,
)
from tandem.matching.records.cells import CADENCES, skill_slug
from tandem.matching.text import Embedder
from tandem.matching.weights import CONFLICT_RULES as CONFLICT_RULES
from tandem.matching.weights import CRITERIA as CRITERIA
from tandem.matching.weights import DEFAULT_CONFLICT_RULES as DEFAULT_CONFLICT_RULES
from tandem.matching.weights import DEFAULT_WEIGHTS as DEFAULT_WEIGHTS
from tandem.matching.weights import UNKNOWN_RULE as UNKNOWN_RULE
from tandem.matching.weights import check_rules as check_rules
from tandem.matching.weights import resolve_weights as resolve_weights

if TYPE_CHECKING:  # a mentor side is built from a feature space (mentor_side imports this)
    from tandem.matching.mentor_side import MentorSide

CONSTRAINTS = ("language", "exclude", "manager", "department", "city", "capacity")
NEUTRAL = 0.5
NEUTRAL_GOALS = 0.25
TEXT_CHUNK = 65_536
AVAILABILITY_FULL_HOURS = 4.0  # this much weekly overlap scores 1
SENIORITY_FULL_GAP = 3.0  # the mentor this many levels above scores 1; equal scores 0.25


VOCABULARIES = ("skill", "lang", "id", "city", "dept", "style")
_FORMAT_CODES = {"virtual": 0, "in_person": 1, "any": 2, "": 2}
# Identity tags are normalised without the process-wide cache, so that a long-running worker
# keeps no copy of them after a run (withdrawn identity must leave nothing behind).
uncached_tag = normalise_tag.__wrapped__


def _codes(values: Sequence[str], vocabulary: dict[str, int]) -> np.ndarray:
    """Integer code per value; '' is -1. Extends ``vocabulary``."""
    return np.array(
        [vocabulary.setdefault(v, len(vocabulary)) if v else -1 for v in values], dtype=np.int32
    )


def _incidence(rows: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> sp.sparse.csr_array:
    indptr, indices = [0], []
    known: dict[tuple, list[int]] = {}  # most people share their languages and tag sets
    for row in rows:
        key = tuple(row)
        codes = known.get(key)
        if codes is None:
            codes = known[key] = sorted({vocabulary.setdefault(t, len(vocabulary)) for t in key})
        indices.extend(codes)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.sparse.csr_array((data, indices, indptr), shape=(len(rows), 1 << 20))


def _availability_matrix(people: Sequence, week: date) -> np.ndarray:
    """Everyone's UTC bitsets in ``week``, ``(n, WORDS_PER_WEEK)``: each distinct (windows,
    time zone) is converted once, then spread by row gather (people share a few patterns)."""
    codes: dict[tuple, int] = {}
    index = np.fromiter(
        (codes.setdefault((tuple(p.availability), p.timezone), len(codes)) for p in people),
        dtype=np.int64,
        count=len(people),
    )
    patterns = np.zeros((len(codes), WORDS_PER_WEEK), dtype=np.uint64)
    for row, (windows, timezone) in enumerate(codes):
        patterns[row] = availability_bits(windows, timezone, week)
    return patterns[index]


def _fix_width(matrix: sp.sparse.csr_array, width: int) -> sp.sparse.csr_array:
    return sp.sparse.csr_array(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], max(width, 1))
    )


@dataclass
class Side:
    """One side's profile fields as arrays (rows follow the input order)."""

    ids: list[str]
    text: np.ndarray  # (n, D) float32, zero rows for empty text
    has_text: np.ndarray
    skills: sp.sparse.csr_array  # (n, S) 0/1
    languages: sp.sparse.csr_array
    identity: sp.sparse.csr_array
    availability: np.ndarray  # (n, WORDS_PER_WEEK) uint64, UTC bitsets
    has_availability: np.ndarray
    cadence: np.ndarray  # int8 index into CADENCES, -1 unknown
    format: np.ndarray  # 0 virtual, 1 in_person, 2 any / unknown
    city: np.ndarray  # int32 code, -1 unknown
    department: np.ndarray
    seniority: np.ndarray  # float, nan unknown
    style: np.ndarray  # (n, K) float, nan where not answered
    prefer_identity: np.ndarray
    language_bits: np.ndarray | None = None  # uint64 per person while <= 64 languages


def _bits(matrix: sp.sparse.csr_array) -> np.ndarray:
    """Each row's columns as bits of one uint64 (matrix has at most 64 columns)."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    bits = np.zeros(matrix.shape[0], dtype=np.uint64)
    np.bitwise_or.at(bits, rows, np.left_shift(np.uint64(1), matrix.indices.astype(np.uint64)))
    return bits


class FeatureSpace:
    """Both sides as arrays over shared vocabularies; the input of every feature function.

    Parameters
    ----------
    mentees, mentors : sequences of Mentee and Mentor
    embedder : Embedder, optional
        Defaults to :func:`~tandem.matching.embedders.choose.default_embedder` (the built-in one).
    reverse : bool
        Reverse mentoring: the junior mentors the senior, so the seniority feature flips.
    week : date
        A day of the week the program runs: availability overlaps with that week's UTC
        offsets (see :func:`~tandem.matching.profiles.availability_bits`).

    Examples
    --------
    >>> space = FeatureSpace([Mentee(id="a", cadence="weekly")],
    ...                      [Mentor(id="m", cadence="monthly")])
    >>> round(float(cadence_fit(space, np.array([0]), np.array([0]))[0]), 3)
    0.333
    """

    def __init__(
        self,
        mentees: Sequence[Mentee],
        mentors: Sequence[Mentor],
        *,
        embedder: Embedder | None = None,
        reverse: bool = False,
        week: date = REFERENCE_WEEK,
    ):
        self.mentees, self.mentors, self.reverse = list(mentees), list(mentors), reverse
        self.week = week
        self.embedder = embedder or default_embedder()
        vocab: dict[str, dict[str, int]] = {k: {} for k in VOCABULARIES}
        self.mentee = self._side(self.mentees, [p.goals for p in self.mentees], vocab)
        self.mentor = self._side(self.mentors, [p.expertise for p in self.mentors], vocab)
        self._finish(vocab)

    @classmethod
    def joined(
        cls,
        mentees: Sequence[Mentee],
        mentors: MentorSide,
        *,
        capacity: ArrayLike,
        embedder: Embedder | None = None,
        reverse: bool = False,
    ) -> FeatureSpace:
        """``mentees`` against a mentor side built earlier
        (:meth:`~tandem.matching.mentor_side.MentorSide.build`), with the mentors' places left
        now: the same features as ``FeatureSpace(mentees, mentors.mentors)``, without
        converting every mentor again. ``embedder`` must be the one the side was built with.
        Nothing of ``mentors`` is changed."""
        space = cls.__new__(cls)
        space.mentees, space.mentors = list(mentees), list(mentors.mentors)
        space.reverse, space.week = reverse, mentors.week
        space.embedder = embedder or default_embedder()
        vocab = {name: dict(codes) for name, codes in mentors.vocab.items()}
        space.mentee = space._side(space.mentees, [p.goals for p in space.mentees], vocab)
        space.mentor = replace(mentors.side)
        space._finish(vocab)
        space.capacity = np.asarray(capacity, dtype=np.int64)
        return space

    def _finish(self, vocab: dict[str, dict[str, int]]) -> None:
        """Both sides over the final vocabularies, and the indexes."""
        self.vocab = vocab
        for side in (self.mentee, self.mentor):
            side.skills = _fix_width(side.skills, len(vocab["skill"]))
            side.languages = _fix_width(side.languages, len(vocab["lang"]))
            side.language_bits = _bits(side.languages) if len(vocab["lang"]) <= 64 else None
            side.identity = _fix_width(side.identity, len(vocab["id"]))
            width = len(vocab["style"])
            side.style = np.pad(
                side.style, ((0, 0), (0, width - side.style.shape[1])), constant_values=np.nan
            )
        self.capacity = np.array([p.capacity for p in self.mentors], dtype=np.int64)
        self.mentee_index = {p.id: k for k, p in enumerate(self.mentees)}
        self.mentor_index = {p.id: k for k, p in enumerate(self.mentors)}

    def _side(self, people: list, texts: list[str], vocab: dict) -> Side:
        text = self.embedder.embed(texts) if people else np.zeros((0, 1), dtype=np.float32)
        text = np.asarray(text, dtype=np.float32)
        extra: list[tuple[int, int, int]] = []
        for row, person in enumerate(people):
            for key, value in person.working_style.items():
                extra.append((row, vocab["style"].setdefault(key, len(vocab["style"])), value))
        style = np.full((len(people), len(vocab["style"])), np.nan)
        for row, col, value in extra:
            style[row, col] = value
        return Side(
            ids=[p.id for p in people],
            text=text,
            has_text=np.abs(text).sum(axis=1) > 0 if len(people) else np.zeros(0, dtype=bool),
            skills=_incidence([map(skill_slug, p.skills) for p in people], vocab["skill"]),
            languages=_incidence([p.languages for p in people], vocab["lang"]),
            identity=_incidence([map(uncached_tag, p.identity) for p in people], vocab["id"]),
            availability=_availability_matrix(people, self.week),
            has_availability=np.array([bool(p.availability) for p in people], dtype=bool),
            cadence=np.array(
                [CADENCES.index(p.cadence) if p.cadence else -1 for p in people], dtype=np.int8
            ),
            format=np.array([_FORMAT_CODES[p.format] for p in people], dtype=np.int8),
            city=_codes([normalise_tag(p.city) for p in people], vocab["city"]),
            department=_codes([normalise_tag(p.department) for p in people], vocab["dept"]),
            seniority=np.array(
                [np.nan if p.seniority is None else p.seniority for p in people], dtype=np.float64
            ),
            style=style,
            prefer_identity=np.array([p.prefer_shared_identity for p in people], dtype=bool),
        )


def _is_dense(i: np.ndarray) -> bool:
    return i.ndim == 2


def _overlap(
    a: sp.sparse.csr_array, b: sp.sparse.csr_array, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Count of shared tags per pair, dense block or edge list."""
    if _is_dense(i):
        # Dense rows times the sparse side: no sparse result to convert, whatever its density.
        return np.asarray(b[j[0]] @ a[i[:, 0]].toarray().T).T
    return np.asarray(a[i].multiply(b[j]).sum(axis=1)).reshape(-1)


def _counts(matrix: sp.sparse.csr_array) -> np.ndarray:
    return np.diff(matrix.indptr)


def goals_similarity(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosine of goals and expertise embeddings on the lexicon's scale (:func:`goals_scale`)."""
    a, b = space.mentee.text, space.mentor.text
    if _is_dense(i):
        cols = j[0]
        # Every mentor in order (one mentee's ranking): no copy of the whole text matrix.
        every = len(cols) == len(b) and np.array_equal(cols, np.arange(len(b)))
        cos = a[i[:, 0]] @ (b if every else b[cols]).T
    else:  # in chunks: gathering both sides' rows costs 2 * d floats per edge
        cos = np.empty(len(i), dtype=np.float32)
        for lo in range(0, len(i), TEXT_CHUNK):
            part = slice(lo, lo + TEXT_CHUNK)
            cos[part] = np.einsum("ij,ij->i", a[i[part]], b[j[part]])
    known = space.mentee.has_text[i] & space.mentor.has_text[j]
    return np.where(known, goals_scale(calibration_of(space.embedder), cos), NEUTRAL_GOALS)


def goals_scale(calibration: GoalsCalibration | None, cos: np.ndarray) -> np.ndarray:
    """Cosines clipped to [0, 1] and, for an embedder with a calibration, mapped onto the
    lexicon's scale, which the goals reasons' thresholds and the fit bands were set on
    (:func:`~tandem.matching.embedders.calibration.calibration_of` the embedder's); every
    goals value, the cheap bound's too, goes through here."""
    return np.clip(cos, 0.0, 1.0) if calibration is None else calibration.scale(cos)


def skills_overlap(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Share of the mentee's wanted skills that the mentor offers."""
    shared = _overlap(space.mentee.skills, space.mentor.skills, i, j)
    wanted, offered = _counts(space.mentee.skills)[i], _counts(space.mentor.skills)[j]
    known = (wanted > 0) & (offered > 0)
    return np.where(known, shared / np.maximum(wanted, 1), NEUTRAL)


def overlap_hours(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Weekly hours both are available, in UTC (edge lists only)."""
    common = space.mentee.availability[i] & space.mentor.availability[j]
    return np.bitwise_count(common).sum(axis=-1) * 0.25


def availability_fit(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Weekly overlap in hours over ``AVAILABILITY_FULL_HOURS``, capped at 1."""
    hours = overlap_hours(space, i, j)
    known = space.mentee.has_availability[i] & space.mentor.has_availability[j]
    return np.where(known, np.minimum(hours / AVAILABILITY_FULL_HOURS, 1.0), NEUTRAL)


def cadence_fit(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """1 for the same cadence, minus a third per step apart on weekly..quarterly."""
    a, b = space.mentee.cadence[i].astype(float), space.mentor.cadence[j].astype(float)
    return np.where((a >= 0) & (b >= 0), 1.0 - np.abs(a - b) / 3.0, NEUTRAL)


def format_fit(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Meeting format (and city for in-person): 1 compatible, 0 virtual vs in-person."""
    a, b = space.mentee.format[i], space.mentor.format[j]
    ca, cb = space.mentee.city[i], space.mentor.city[j]
    city = np.where((ca >= 0) & (cb >= 0), (ca == cb).astype(float), NEUTRAL)
    in_person = (a == 1) | (b == 1)
    clash = ((a == 0) & (b == 1)) | ((a == 1) & (b == 0))
    return np.where(clash, 0.0, np.where(in_person, city, 1.0))


def seniority_fit(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Mentor more senior (mentee more senior for reverse programs) scores higher."""
    gap = space.mentor.seniority[j] - space.mentee.seniority[i]
    if space.reverse:
        gap = -gap
    value = np.clip((1.0 + gap) / (1.0 + SENIORITY_FULL_GAP), 0.0, 1.0)
    return np.where(np.isnan(gap), NEUTRAL, value)


def style_fit(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """1 minus the mean gap (out of 4) on working-style questions both answered."""
    diff = np.abs(space.mentee.style[i] - space.mentor.style[j])
    answered = ~np.isnan(diff)
    shared = answered.sum(axis=-1)
    mean = np.where(answered, diff, 0.0).sum(axis=-1) / np.maximum(shared, 1)
    return np.where(shared > 0, 1.0 - mean / 4.0, NEUTRAL)


def identity_fit(space: FeatureSpace, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Only for mentees who opted in: 1 if the mentor shares an identity, else 0."""
    shared = _overlap(space.mentee.identity, space.mentor.identity, i, j) > 0
    asked = space.mentee.prefer_identity[i]
    return np.where(asked, shared.astype(float), NEUTRAL)


FEATURES = {
    "goals": goals_similarity,
    "skills": skills_overlap,
    "availability": availability_fit,
    "cadence": cadence_fit,
    "format": format_fit,
    "seniority": seniority_fit,
    "working_style": style_fit,
    "identity": identity_fit,
}


def pair_features(
    space: FeatureSpace, i: ArrayLike, j: ArrayLike, criteria: Iterable[str] = CRITERIA
) -> dict[str, np.ndarray]:
    """Feature values for edges ``(i[e], j[e])`` (or a dense block), each in [0, 1].

    >>> space = FeatureSpace([Mentee(id="a", skills_wanted=("sql", "python"))],
    ...                      [Mentor(id="m", skills_offered=("SQL",))])
    >>> float(pair_features(space, np.array([0]), np.array([0]))["skills"][0])
    0.5
    """
    i, j = np.asarray(i), np.asarray(j)
    return {name: np.asarray(FEATURES[name](space, i, j), dtype=np.float64) for name in criteria}


def combine(features: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of the features over the sum of all weights, so a partial sum is a
    partial score (weights from :func:`resolve_weights`).

    >>> combine({"goals": np.array([1.0]), "skills": np.array([0.0])},
    ...         {"goals": 3.0, "skills": 1.0}).tolist()
    [0.75]
    """
    total = sum(weights.values())
    score = sum(weights[name] * values for name, values in features.items())
    return np.asarray(score, dtype=np.float64) / total
