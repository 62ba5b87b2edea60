"""The cheap bound: an upper bound on the score of every pair, block by block.

The cheap score of a pair is an upper bound on the weighted sum of every criterion except
``working_style``, built from matrix products so a block of mentees against all mentors costs
a few BLAS calls:

- goals: the exact clipped cosine (on the lexicon's scale: ``features.goals_scale``);
- availability: overlap counted in whole UTC hours (>= the overlap in 15-minute slots);
- skills, cadence: exact, as products of one-hot rows and lookup columns;
- format: exact, city included, as products of (format, city) one-hot rows (with more than
  ``MAX_CITIES`` cities the city is ignored, which can only raise it);
- seniority: levels rounded to half steps in the pair's favour;
- working style: exact when both answered every question (``|a - b|`` of answers 1-5 as a
  product of one-hot rows), 1 when one answered only some, neutral when one answered none;
- identity: the number of shared identities (>= "shares one").

The bound includes a deterministic jitter ``a_i + b_j`` below ``JITTER`` (ties would otherwise
make "the k-th best" ill-defined; per-mentor terms break ties within a mentee's row, per-mentee
terms within a mentor's column, and both ride along in the matrix product for free); a
mentee's non-candidates then have jittered cheap scores at most the
(k+1)-th best, which bounds their full score once ``working_style`` is added at its maximum.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy as sp

from tandem.matching.candidates.blocks import (
    ALL,
    Index,
    ScratchBuffers,
    block_ranges,
    for_each_block,
)
from tandem.matching.candidates.factor import compact, join_float32, low_rank
from tandem.matching.embedders.calibration import calibration_of
from tandem.matching.features import (
    AVAILABILITY_FULL_HOURS,
    NEUTRAL,
    NEUTRAL_GOALS,
    SENIORITY_FULL_GAP,
    FeatureSpace,
    goals_scale,
)

JITTER = 1e-6
UNCOUNTED: tuple[str, ...] = ()  # criteria the cheap score leaves out (bounded by 1)
MAX_CITIES = 64  # more cities: the format bound ignores the city (fewer columns)
_STYLE_LEVELS = 5  # working-style answers are 1..5
HOURS_TABLE_BYTES = 1_000_000_000  # larger: availability is a matrix product per block
_SENIORITY_STEPS = 21  # 0, 0.5, ..., 10; index 21 is "unknown"


def _one_hot(codes: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(codes), width), dtype=np.float32)
    out[np.arange(len(codes)), codes] = 1.0
    return out


def _hours(bits: np.ndarray) -> np.ndarray:
    """Bitsets of 15-minute slots -> 0/1 per UTC hour of the week (n, 168).

    Slot ``s`` is bit ``s % 8`` of byte ``s // 8``, so each byte holds two whole hours: a
    nibble test per hour, instead of unpacking every slot (a tenth of the time).
    """
    octets = bits.view(np.uint8)[:, :84]
    hours = np.empty((len(bits), 168), dtype=np.float32)
    hours[:, 0::2] = (octets & 0x0F) != 0
    hours[:, 1::2] = (octets & 0xF0) != 0
    return hours


def _seniority_codes(values: np.ndarray, round_up: bool) -> np.ndarray:
    steps = np.ceil(values * 2) if round_up else np.floor(values * 2)
    return np.where(np.isnan(values), _SENIORITY_STEPS, np.nan_to_num(steps)).astype(np.int64)


def _seniority_table(reverse: bool) -> np.ndarray:
    mentee = np.arange(_SENIORITY_STEPS + 1)[:, None] / 2
    mentor = np.arange(_SENIORITY_STEPS + 1)[None, :] / 2
    gap = mentee - mentor if reverse else mentor - mentee
    table = np.clip((1.0 + gap) / (1.0 + SENIORITY_FULL_GAP), 0.0, 1.0)
    table[_SENIORITY_STEPS, :] = table[:, _SENIORITY_STEPS] = NEUTRAL
    return table


def _cadence_table() -> np.ndarray:
    codes = np.arange(5)
    table = 1.0 - np.abs(codes[:, None] - codes[None, :]) / 3.0
    table[4, :] = table[:, 4] = NEUTRAL  # code 4: unknown
    return table


_FORMAT_TABLE = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]])


class CheapBound:
    """Per-block cheap upper bound, in the same units as the full score.

    Parameters
    ----------
    space : FeatureSpace
    weights : mapping
        Resolved weights.
    dense_vocabulary : int
        Skill and identity tags up to this many are handled as dense columns of one matrix
        product; more go through a sparse product.

    Notes
    -----
    With non-negative embeddings (the built-in embedder's) the cosine needs no clipping, so
    goals, skills, identity, cadence, format and seniority are one matrix product ``L @ R``
    plus a per-mentee constant; availability is a second product, then capped at 1.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import resolve_weights
    >>> space = FeatureSpace([Mentee(id="a", cadence="weekly")], [Mentor(id="m")])
    >>> bound = CheapBound(space, resolve_weights())
    >>> float(bound.block(0, 1)[0, 0]) >= 0
    True
    """

    def __init__(
        self, space: FeatureSpace, weights: Mapping[str, float], dense_vocabulary: int = 256
    ) -> None:
        total = sum(weights.values())
        self.w = w = {name: value / total for name, value in weights.items()}
        a, b = space.mentee, space.mentor
        left, right = self._categories(space, w)
        self.const_a = np.zeros(len(a.ids), dtype=np.float32)
        self.calibration = calibration_of(space.embedder)
        self.text_linear = self.calibration is None and bool(
            (a.text >= 0).all() and (b.text >= 0).all()
        )
        if self.text_linear:
            left += [w["goals"] * a.text, a.has_text[:, None]]
            right += [b.text.T, w["goals"] * NEUTRAL_GOALS * ~b.has_text[None, :]]
            self.const_a += w["goals"] * NEUTRAL_GOALS * ~a.has_text
        else:
            self.text_a, self.text_b = a.text, np.ascontiguousarray(b.text.T)
            self.text_known_a, self.text_known_b = a.has_text, b.has_text
        tags_a, tags_b = self._tags(space, w)
        self.sparse_a = self.sparse_bt = None
        if tags_a.shape[1] <= dense_vocabulary:
            left.append(tags_a.toarray())
            right.append(tags_b.toarray().T)
        else:
            self.sparse_a, self.sparse_bt = tags_a.tocsr(), tags_b.tocsr().astype(np.float32)
        hours_a, hours_b = _hours(a.availability), _hours(b.availability)
        self.avail_known_a, self.avail_known_b = a.has_availability, b.has_availability
        # (table, code): a mentee's availability term is row code[i] of the table.
        self.hours = _hours_table(hours_a, hours_b, space, w["availability"])
        self.hours_linear = self.hours is None and _cap_never_binds(hours_a, hours_b)
        if self.hours_linear:
            known_a, known_b = a.has_availability, b.has_availability
            left += [w["availability"] / AVAILABILITY_FULL_HOURS * hours_a, known_a[:, None]]
            right += [hours_b.T, w["availability"] * NEUTRAL * ~known_b[None, :]]
            self.const_a += w["availability"] * NEUTRAL * ~known_a
        elif self.hours is None:
            self.hours_a, self.hours_b = hours_a, hours_b.T.copy()
        left.append(np.ones((len(a.ids), 1)))
        right.append(_jitter(len(b.ids), 1)[None, :])
        self.const_a += _jitter(len(a.ids), 2)
        left, right = compact(left, right, self.const_a)
        # The per-mentee constant rides along in the product as one more column.
        left.append(self.const_a[:, None])
        right.append(np.ones((1, len(b.ids))))
        self.left, self.right = low_rank(join_float32(left, axis=1), join_float32(right, axis=0))
        self._scratch = ScratchBuffers()

    @staticmethod
    def _categories(space: FeatureSpace, w: Mapping[str, float]) -> tuple[list, list]:
        a, b = space.mentee, space.mentor
        cad_a, cad_b = np.where(a.cadence < 0, 4, a.cadence), np.where(b.cadence < 0, 4, b.cadence)
        sen_a = _seniority_codes(a.seniority, round_up=space.reverse)
        sen_b = _seniority_codes(b.seniority, round_up=not space.reverse)
        left = [_one_hot(cad_a, 5), _one_hot(sen_a, _SENIORITY_STEPS + 1)]
        right = [
            w["cadence"] * _cadence_table()[:, cad_b],
            w["seniority"] * _seniority_table(space.reverse)[:, sen_b],
        ]
        for extra_left, extra_right in (_format_terms(space), _style_terms(space)):
            left += extra_left
            right += [w[name] * part for name, part in extra_right]
        return left, right

    def _tags(
        self, space: FeatureSpace, w: Mapping[str, float]
    ) -> tuple[sp.sparse.csr_array, sp.sparse.csr_array]:
        """Skills (exact share of wanted) and identity (count shared, for those who asked)."""
        a, b = space.mentee, space.mentor
        wanted, offered = np.diff(a.skills.indptr), np.diff(b.skills.indptr)
        scale = sp.sparse.diags_array(1.0 / np.maximum(wanted, 1))
        asked = sp.sparse.diags_array(a.prefer_identity.astype(np.float64))
        tags_a = sp.sparse.hstack(
            [scale @ a.skills, sp.sparse.csr_array((wanted > 0)[:, None]), asked @ a.identity]
        )
        tags_b = sp.sparse.hstack(
            [
                w["skills"] * b.skills,
                sp.sparse.csr_array(w["skills"] * NEUTRAL * (offered == 0)[:, None]),
                w["identity"] * b.identity,
            ]
        )
        self.const_a += (
            w["skills"] * NEUTRAL * (wanted == 0) + w["identity"] * NEUTRAL * ~a.prefer_identity
        )
        return tags_a, tags_b

    def block(self, start: int, stop: int, out: np.ndarray | None = None) -> np.ndarray:
        """Cheap bound for mentees ``start:stop`` against every mentor, float32 (written to
        ``out``, C-contiguous of that shape, when given: reusing it saves page faults)."""
        return self.take(slice(start, stop), out=out)

    def take(
        self,
        rows: Index,
        cols: Index = ALL,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """Cheap bound for the mentees ``rows`` against the mentors ``cols`` (slices or
        indices; default every mentor)."""
        cheap = np.matmul(self.left[rows], self.right[:, cols], out=out)
        if not self.text_linear:
            text = goals_scale(self.calibration, self.text_a[rows] @ self.text_b[:, cols])
            _fill_unknown(text, self.text_known_a[rows], self.text_known_b[cols], NEUTRAL_GOALS)
            text *= np.float32(self.w["goals"])
            cheap += text
        if self.sparse_a is not None and self.sparse_bt is not None:
            tags = self.sparse_bt[cols] @ self.sparse_a[rows].toarray().T
            cheap += np.ascontiguousarray(np.asarray(tags).T)
        if self.hours is not None:
            table, code = self.hours
            if cols is ALL:
                scratch = self._scratch.get(cheap.shape)
                np.take(table, code[rows], axis=0, out=scratch, mode="clip")
                cheap += scratch
            else:  # gather only the block's cells (the table is mentee patterns x mentors)
                cheap += table[np.ix_(code[rows], np.arange(table.shape[1])[cols])]
        elif not self.hours_linear:
            hours = self.hours_a[rows] @ self.hours_b[:, cols]
            hours *= np.float32(1.0 / AVAILABILITY_FULL_HOURS)
            np.minimum(hours, np.float32(1.0), out=hours)
            _fill_unknown(hours, self.avail_known_a[rows], self.avail_known_b[cols], NEUTRAL)
            hours *= np.float32(self.w["availability"])
            cheap += hours
        return cheap

    def take_columns(self, cols: np.ndarray) -> np.ndarray:
        """Cheap bound of every mentee against the mentors ``cols``, one row per mentor
        (``take(ALL, cols).T``, computed in that orientation when the terms allow it)."""
        plain = self.text_linear and self.sparse_a is None
        if not plain or (self.hours is None and not self.hours_linear):
            return np.ascontiguousarray(self.take(ALL, cols).T)
        cheap = self.right[:, cols].T @ self.left.T
        if self.hours is not None:
            table, code = self.hours
            cheap += table[:, cols].T[:, code]
        return cheap

    def uncounted(self) -> float:
        """Largest score share the cheap bound leaves out."""
        return float(sum(self.w[name] for name in UNCOUNTED))


def _hours_table(
    hours_a: np.ndarray, hours_b: np.ndarray, space: FeatureSpace, weight: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Availability term per (distinct mentee hour pattern, mentor), or None if too large.

    Mentees share a handful of weekly patterns, so a block's availability term is a row
    gather from this table instead of a matrix product (exact: the cap and the neutral value
    for empty availability are applied once, in the table).
    """
    known_a = space.mentee.has_availability
    packed = np.packbits(hours_a > 0, axis=1)
    packed = np.column_stack([packed, known_a.astype(np.uint8)])
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1])))[:, 0]
    _, first, code = np.unique(keys, return_index=True, return_inverse=True)
    if len(first) * hours_b.shape[0] * 4 > HOURS_TABLE_BYTES:
        return None
    patterns, known_patterns = hours_a[first], known_a[first]
    hours_bt, known_b = np.ascontiguousarray(hours_b.T), space.mentor.has_availability
    table = np.empty((len(first), hours_b.shape[0]), dtype=np.float32)

    def fill(lo: int, hi: int) -> None:
        rows = table[lo:hi]
        np.matmul(patterns[lo:hi], hours_bt, out=rows)
        rows *= np.float32(1.0 / AVAILABILITY_FULL_HOURS)
        np.minimum(rows, np.float32(1.0), out=rows)
        _fill_unknown(rows, known_patterns[lo:hi], known_b, NEUTRAL)
        rows *= np.float32(weight)

    for_each_block(fill, block_ranges(*table.shape))
    return table, code.reshape(-1)


def _cap_never_binds(hours_a: np.ndarray, hours_b: np.ndarray) -> bool:
    """True if no pair can overlap more than ``AVAILABILITY_FULL_HOURS`` whole hours: then
    availability is linear (no cap) and joins the main matrix product."""
    most_a = hours_a.sum(axis=1).max(initial=0)
    most_b = hours_b.sum(axis=1).max(initial=0)
    return bool(min(most_a, most_b) <= AVAILABILITY_FULL_HOURS)


def _format_terms(space: FeatureSpace) -> tuple[list, list]:
    """``format_fit`` as ``L @ R``: a table over (format, city known) plus same-city terms."""
    a, b = space.mentee, space.mentor
    cities = int(max(a.city.max(initial=-1), b.city.max(initial=-1))) + 1
    if cities > MAX_CITIES:
        return [_one_hot(a.format, 3)], [("format", _FORMAT_TABLE[:, b.format])]
    table = np.zeros((6, 6))  # code = format * 2 + city known
    for fa, ka, fb, kb in np.ndindex(3, 2, 3, 2):
        clash = {fa, fb} == {0, 1}
        in_person = 1 in (fa, fb)
        value = 0.0 if clash else (1.0 if not in_person else (0.0 if ka and kb else NEUTRAL))
        table[fa * 2 + ka, fb * 2 + kb] = value
    code_a = a.format.astype(np.int64) * 2 + (a.city >= 0)
    code_b = b.format.astype(np.int64) * 2 + (b.city >= 0)
    city_a, city_b = _one_hot_known(a.city, cities), _one_hot_known(b.city, cities)
    left = [
        _one_hot(code_a, 6),
        city_a * (a.format == 1)[:, None],
        city_a * (a.format == 2)[:, None],
    ]
    right = [
        ("format", table[:, code_b]),
        ("format", (city_b * (b.format >= 1)[:, None]).T),
        ("format", (city_b * (b.format == 1)[:, None]).T),
    ]
    return left, right


def _one_hot_known(codes: np.ndarray, width: int) -> np.ndarray:
    """One-hot rows of codes >= 0; all-zero rows for -1 (unknown)."""
    out = np.zeros((len(codes), max(width, 1)), dtype=np.float32)
    known = np.flatnonzero(codes >= 0)
    out[known, codes[known]] = 1.0
    return out


def _style_terms(space: FeatureSpace) -> tuple[list, list]:
    """``style_fit`` bounded as ``L @ R``: exact when both answered every question."""
    a, b = space.mentee, space.mentor
    width = a.style.shape[1]
    kinds = []
    for side in (a, b):
        answered = (~np.isnan(side.style)).sum(axis=1)
        # 0: answered every question, 1: some, 2: none
        kinds.append(np.where(answered == 0, 2, np.where(answered == width, 0, 1)))
    table = np.ones((3, 3))
    table[2, :] = table[:, 2] = NEUTRAL
    left, right = [_one_hot(kinds[0], 3)], [("working_style", table[:, kinds[1]])]
    levels = np.arange(1, _STYLE_LEVELS + 1, dtype=np.float64)
    for key in range(width):
        full_a, full_b = kinds[0] == 0, kinds[1] == 0
        answers_a = np.where(full_a, a.style[:, key], 0).astype(np.int64)
        left.append(_one_hot(answers_a, _STYLE_LEVELS + 1)[:, 1:])  # 0 (not full): no term
        gap = -np.abs(levels[:, None] - np.nan_to_num(b.style[:, key])[None, :]) / (4.0 * width)
        right.append(("working_style", gap * full_b[None, :]))
    return left, right


def _fill_unknown(
    values: np.ndarray, known_rows: np.ndarray, known_cols: np.ndarray, neutral: float
) -> None:
    """Pairs where either side left the field empty score ``neutral``."""
    values[~known_rows, :] = neutral
    values[:, ~known_cols] = neutral


def _jitter(size: int, seed: int) -> np.ndarray:
    """Fixed pseudo-random values in [0, JITTER / 2): the same input, the same candidates."""
    return np.random.default_rng(seed).random(size) * (JITTER / 2)
