"""Hard constraints and candidate generation: from a :class:`FeatureSpace` to a
:class:`~tandem.matching.graph.CandidateGraph`.

Small inputs (``n * m <= dense_limit``) keep every allowed pair. Large ones keep, per mentee,
the ``top_k`` mentors by a cheap score (the criteria in ``CHEAP_CRITERIA``, computed on dense
blocks of mentees) and, per mentor, its ``top_k`` mentees, so memory grows with ``(n + m) k``.
The full score of a pair outside the graph is at most its cheap score plus the largest possible
contribution of the other criteria; ``outside_bound`` records that bound per mentee, so a solver
can prove how far its answer can be from the optimum over all pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from tandem.matching.features import (
    CHEAP_CRITERIA,
    CRITERIA,
    DEFAULT_CONFLICT_RULES,
    FeatureSpace,
    _overlap,
    combine,
    pair_features,
)
from tandem.matching.graph import CandidateGraph

CONSTRAINTS = ("language", "exclude", "forbidden", "manager", "department", "city", "capacity")
DENSE_LIMIT = 20_000_000
DEFAULT_TOP_K = 50
EDGE_CHUNK = 1_000_000
BOUND_SLACK = 1e-5  # float32 rounding between the dense and the edge computations
PREFERENCE_STEP = 2.0  # explicit rankings sit above every score (scores are <= 1)

UNKNOWN_PAIR_ID = "{kind} {pair!r}: unknown id {id!r}"
PIN_NOT_ALLOWED = "pinned pair {mentee}:{mentor} breaks a hard constraint ({constraint})"


@dataclass
class CandidateSet:
    """A candidate graph plus what candidate generation learned on the way.

    ``removed[i, c]`` counts the mentors that constraint ``CONSTRAINTS[c]`` ruled out for
    mentee ``i`` (a pair broken by two constraints counts for both).
    """

    graph: CandidateGraph
    outside_bound: np.ndarray | None
    removed: np.ndarray
    dense: bool


def pair_keys(space: FeatureSpace, pairs: Iterable[tuple[str, str]], kind: str) -> np.ndarray:
    """Sorted ``i * m + j`` keys for ``(mentee id, mentor id)`` pairs; unknown ids raise."""
    keys = []
    for mentee, mentor in pairs:
        for index, person in ((space.mentee_index, mentee), (space.mentor_index, mentor)):
            if person not in index:
                raise ValueError(UNKNOWN_PAIR_ID.format(kind=kind, pair=(mentee, mentor),
                                                        id=person))
        keys.append(space.mentee_index[mentee] * len(space.mentors) + space.mentor_index[mentor])
    return np.unique(np.asarray(keys, dtype=np.int64))


def blocked_pairs(space: FeatureSpace, forbidden=()) -> dict[str, np.ndarray]:
    """Pairs ruled out by id: ``exclude`` on either side (and a person paired with themself),
    ``manager`` lines, ``forbidden``."""
    excluded, managed = [], []
    for mentee in space.mentees:
        excluded += [(mentee.id, x) for x in mentee.exclude if x in space.mentor_index]
        if mentee.manager in space.mentor_index:
            managed.append((mentee.id, mentee.manager))
    for mentor in space.mentors:
        excluded += [(x, mentor.id) for x in mentor.exclude if x in space.mentee_index]
        if mentor.id in space.mentee_index:  # the same person on both sides
            excluded.append((mentor.id, mentor.id))
        if mentor.manager in space.mentee_index:
            managed.append((mentor.manager, mentor.id))
    return {
        "exclude": pair_keys(space, excluded, "exclude"),
        "manager": pair_keys(space, managed, "manager"),
        "forbidden": pair_keys(space, forbidden, "forbid"),
    }


def _in_keys(keys: np.ndarray, m: int, i, j) -> np.ndarray:
    if i.ndim == 2:  # dense block of consecutive rows i[0, 0]..i[-1, 0]
        mask = np.zeros((i.shape[0], j.shape[1]), dtype=bool)
        lo, hi = np.searchsorted(keys, [i[0, 0] * m, (i[-1, 0] + 1) * m])
        rows, cols = np.divmod(keys[lo:hi], m)
        mask[rows - i[0, 0], cols] = True
        return mask
    return np.isin(i.astype(np.int64) * m + j, keys)


def violations(space: FeatureSpace, i, j, rules: Iterable[str], blocked: Mapping) -> dict:
    """Per constraint, which pairs it forbids (same broadcasting as the feature functions)."""
    a, b = space.mentee, space.mentor
    m = len(space.mentors)
    shared = _overlap(a.languages, b.languages, i, j) > 0
    speaks_a, speaks_b = np.diff(a.languages.indptr)[i] > 0, np.diff(b.languages.indptr)[j] > 0
    both_in_person = (a.format[i] == 1) & (b.format[j] == 1)
    cities_known = (a.city[i] >= 0) & (b.city[j] >= 0)
    found = {
        "language": speaks_a & speaks_b & ~shared,
        "exclude": _in_keys(blocked["exclude"], m, i, j),
        "forbidden": _in_keys(blocked["forbidden"], m, i, j),
        "manager": _in_keys(blocked["manager"], m, i, j) if "manager" in rules else None,
        "department": ((a.department[i] == b.department[j]) & (a.department[i] >= 0)
                       if "department" in rules else None),
        "city": both_in_person & cities_known & (a.city[i] != b.city[j]),
        "capacity": space.capacity[j] <= 0,
    }
    shape = np.broadcast_shapes(np.shape(i), np.shape(j))
    return {name: np.broadcast_to(value if value is not None else False, shape)
            for name, value in found.items()}


def build_candidates(
    space: FeatureSpace,
    weights: Mapping[str, float],
    *,
    rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
    forbidden: Iterable[tuple[str, str]] = (),
    pinned: Iterable[tuple[str, str]] = (),
    top_k: int = DEFAULT_TOP_K,
    dense_limit: int = DENSE_LIMIT,
    block: int = 2048,
    progress: Callable[[int], None] | None = None,
) -> CandidateSet:
    """Apply the hard constraints and score the allowed pairs.

    Parameters
    ----------
    space : FeatureSpace
    weights : mapping
        Resolved weights (see :func:`~tandem.matching.features.resolve_weights`).
    rules : iterable of str
        Conflict rules in force: ``"manager"``, ``"department"``.
    forbidden, pinned : iterables of (mentee id, mentor id)
        Forbidden pairs are removed; pinned pairs are kept even outside the top-k.
    top_k : int
        Candidates per mentee (and per mentor) when ``n * m > dense_limit``.
    progress : callable, optional
        Called with the number of mentees just processed.

    Returns
    -------
    CandidateSet

    Raises
    ------
    ValueError
        ``PIN_NOT_ALLOWED`` when a pinned pair breaks a hard constraint; ``UNKNOWN_PAIR_ID``.

    Notes
    -----
    Dense: O(n m) time, memory O(allowed pairs). Top-k: O(n m d) time for the text dot
    products, done in blocks, and O((n + m) k) memory.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import FeatureSpace, resolve_weights
    >>> space = FeatureSpace([Mentee(id="a", languages=("de",))],
    ...                      [Mentor(id="m", languages=("en",)), Mentor(id="n")])
    >>> found = build_candidates(space, resolve_weights())
    >>> found.graph.mentor.tolist(), found.removed[0, CONSTRAINTS.index("language")].item()
    ([1], 1)
    """
    rules = tuple(rules)
    blocked = blocked_pairs(space, forbidden)
    pins = pair_keys(space, pinned, "pin")
    n, m = len(space.mentees), len(space.mentors)
    removed = np.zeros((n, len(CONSTRAINTS)), dtype=np.int64)
    dense = n * m <= dense_limit
    per_block = EDGE_CHUNK if dense else dense_limit
    rows = max(1, min(block, per_block // max(m, 1)))
    keys, bounds = [], np.zeros(n)
    best = _MentorBest(m, top_k)
    for start in range(0, n, rows):
        i = np.arange(start, min(start + rows, n))[:, None]
        j = np.arange(m)[None, :]
        found = violations(space, i, j, rules, blocked)
        allowed = np.ones((i.shape[0], m), dtype=bool)
        for c, name in enumerate(CONSTRAINTS):
            removed[start : start + i.shape[0], c] = found[name].sum(axis=1)
            allowed &= ~found[name]
        if dense:
            ei, ej = np.nonzero(allowed)
            keys.append((ei + start).astype(np.int64) * m + ej)
        else:
            block_keys, block_bounds = _top_k(space, weights, i, allowed, top_k, best)
            keys.append(block_keys)
            bounds[start : start + i.shape[0]] = block_bounds
        if progress:
            progress(i.shape[0])
    keys.append(best.keys())
    _check_pins(space, pins, rules, blocked)
    all_keys = np.unique(np.concatenate([*keys, pins]))
    graph = _graph(space, weights, all_keys)
    outside = None if dense else bounds + _rest_max(weights) + BOUND_SLACK
    return CandidateSet(graph=graph, outside_bound=outside, removed=removed, dense=dense)


class _MentorBest:
    """Running top-k mentees per mentor across mentee blocks."""

    def __init__(self, m: int, k: int):
        self.k = k
        self.values = np.full((0, m), -np.inf, dtype=np.float32)
        self.rows = np.zeros((0, m), dtype=np.int64)
        self.m = m

    def update(self, cheap: np.ndarray, start: int) -> None:
        values = np.concatenate([self.values, cheap])
        rows = np.concatenate([self.rows, np.broadcast_to(
            np.arange(start, start + cheap.shape[0])[:, None], cheap.shape)])
        if values.shape[0] > self.k:
            keep = np.argpartition(-values, self.k - 1, axis=0)[: self.k]
            values = np.take_along_axis(values, keep, axis=0)
            rows = np.take_along_axis(rows, keep, axis=0)
        self.values, self.rows = values, rows

    def keys(self) -> np.ndarray:
        valid = np.isfinite(self.values)
        cols = np.broadcast_to(np.arange(self.m)[None, :], self.values.shape)
        return self.rows[valid] * self.m + cols[valid]


def _top_k(space, weights, i, allowed, k, best) -> tuple[np.ndarray, np.ndarray]:
    m = len(space.mentors)
    cheap = np.zeros(allowed.shape, dtype=np.float32)
    j = np.arange(m)[None, :]
    for name in CHEAP_CRITERIA:
        if weights[name]:
            cheap += (weights[name] / sum(weights.values())) * _feature_block(space, name, i, j)
    cheap[~allowed] = -np.inf
    best.update(cheap, int(i[0, 0]))
    take = min(k, m)
    if m > take:
        order = np.argpartition(-cheap, take, axis=1)
        bound = np.take_along_axis(cheap, order[:, take : take + 1], axis=1)[:, 0]
    else:
        order = np.tile(np.arange(m), (cheap.shape[0], 1))
        bound = np.full(cheap.shape[0], -np.inf, dtype=np.float32)
    cols = order[:, :take]
    ok = np.isfinite(np.take_along_axis(cheap, cols, axis=1))
    rows = np.broadcast_to(i, cols.shape)
    keys = rows[ok].astype(np.int64) * m + cols[ok]
    return keys, np.where(np.isfinite(bound), bound, 0.0).astype(np.float64)


def _feature_block(space, name, i, j) -> np.ndarray:
    return pair_features(space, i, j, (name,))[name].astype(np.float32)


def _rest_max(weights: Mapping[str, float]) -> float:
    rest = [name for name in CRITERIA if name not in CHEAP_CRITERIA]
    return sum(weights[name] for name in rest) / sum(weights.values())


def _check_pins(space, pins, rules, blocked) -> None:
    m = len(space.mentors)
    if not len(pins):
        return
    i, j = np.divmod(pins, m)
    for name, broken in violations(space, i, j, rules, blocked).items():
        if broken.any():
            e = int(np.flatnonzero(broken)[0])
            raise ValueError(PIN_NOT_ALLOWED.format(
                mentee=space.mentee.ids[i[e]], mentor=space.mentor.ids[j[e]], constraint=name))


def _graph(space: FeatureSpace, weights, keys: np.ndarray) -> CandidateGraph:
    m = len(space.mentors)
    i, j = np.divmod(keys, m) if m else (keys, keys)
    score = np.empty(len(keys))
    for lo in range(0, len(keys), EDGE_CHUNK):
        part = slice(lo, lo + EDGE_CHUNK)
        score[part] = combine(pair_features(space, i[part], j[part]), weights)
    mentee_pref = _preference(score, i, j, space.mentees, space.mentor_index)
    mentor_pref = _preference(score, j, i, space.mentors, space.mentee_index)
    return CandidateGraph.from_edges(len(space.mentees), m, i, j, score, space.capacity,
                                     mentee_pref, mentor_pref)


def _preference(score, own, other, people, other_index) -> np.ndarray | None:
    """Score, lifted above every score for ids the person ranked in ``prefer``."""
    lifted = score.copy()
    listed = [(k, p.prefer) for k, p in enumerate(people) if p.prefer]
    if not listed:
        return None
    bonus: dict[tuple[int, int], float] = {}
    for k, prefer in listed:
        for rank, person in enumerate(prefer):
            if person in other_index:
                bonus[(k, other_index[person])] = (len(prefer) - rank) * PREFERENCE_STEP
    if bonus:
        pairs = np.fromiter((a * (1 << 32) + b for a, b in bonus), dtype=np.int64)
        edge = own.astype(np.int64) * (1 << 32) + other
        where = np.isin(edge, pairs)
        lifted[where] += [bonus[(int(a), int(b))] for a, b in zip(own[where], other[where], strict=False)]
    return lifted
