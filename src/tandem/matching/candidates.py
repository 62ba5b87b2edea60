"""Hard constraints and candidate generation: from a :class:`FeatureSpace` to a
:class:`~tandem.matching.graph.CandidateGraph`.

Small inputs (``n * m <= dense_limit``) keep every allowed pair. Large ones keep, per mentee,
the ``top_k`` mentors by a cheap upper bound on the score (:mod:`tandem.matching.topk`, computed
on dense blocks of mentees) and, per mentor, its ``top_k`` mentees, so memory grows with
``(n + m) k``.
The full score of a pair outside the graph is at most its cheap score plus the largest possible
contribution of the other criteria; ``outside_bound`` records that bound per mentee, so a solver
can prove how far its answer can be from the optimum over all pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from tandem.matching.features import (
    DEFAULT_CONFLICT_RULES,
    FeatureSpace,
    _overlap,
    combine,
    pair_features,
)
from tandem.matching.graph import CandidateGraph
from tandem.matching.topk import CheapBound, MentorBest, top_per_row

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
    mentee ``i`` (a pair broken by two constraints counts for both); it is filled only for
    mentees left with no allowed pair, the ones whose reason names a constraint.
    """

    graph: CandidateGraph
    outside_bound: np.ndarray | None
    removed: np.ndarray
    dense: bool
    cheap: CheapBound | None = None


def pair_keys(space: FeatureSpace, pairs: Iterable[tuple[str, str]], kind: str) -> np.ndarray:
    """Sorted ``i * m + j`` keys for ``(mentee id, mentor id)`` pairs; unknown ids raise."""
    keys = []
    for mentee, mentor in pairs:
        for index, person in ((space.mentee_index, mentee), (space.mentor_index, mentor)):
            if person not in index:
                raise ValueError(
                    UNKNOWN_PAIR_ID.format(kind=kind, pair=(mentee, mentor), id=person)
                )
        keys.append(space.mentee_index[mentee] * len(space.mentors) + space.mentor_index[mentor])
    return _unique(np.asarray(keys, dtype=np.int64))


def _unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (a sort is faster than np.unique's hashing for millions)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


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
    consecutive = i.ndim == 2 and i[-1, 0] - i[0, 0] == i.shape[0] - 1
    if consecutive:  # a dense block of rows i[0, 0]..i[-1, 0]
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
    if a.language_bits is not None:
        bits_a, bits_b = a.language_bits[i], b.language_bits[j]
        shared, speaks_a, speaks_b = (bits_a & bits_b) != 0, bits_a != 0, bits_b != 0
    else:
        shared = _overlap(a.languages, b.languages, i, j) > 0
        speaks_a = np.diff(a.languages.indptr)[i] > 0
        speaks_b = np.diff(b.languages.indptr)[j] > 0
    both_in_person = (a.format[i] == 1) & (b.format[j] == 1)
    cities_known = (a.city[i] >= 0) & (b.city[j] >= 0)
    found = {
        "language": speaks_a & speaks_b & ~shared,
        "exclude": _in_keys(blocked["exclude"], m, i, j),
        "forbidden": _in_keys(blocked["forbidden"], m, i, j),
        "manager": _in_keys(blocked["manager"], m, i, j) if "manager" in rules else None,
        "department": (
            (a.department[i] == b.department[j]) & (a.department[i] >= 0)
            if "department" in rules
            else None
        ),
        "city": both_in_person & cities_known & (a.city[i] != b.city[j]),
        "capacity": space.capacity[j] <= 0,
    }
    shape = np.broadcast_shapes(np.shape(i), np.shape(j))
    return {
        name: np.broadcast_to(value if value is not None else False, shape)
        for name, value in found.items()
    }


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
    Dense: O(n m) time, memory O(allowed pairs). Top-k: O(n m d) time for the matrix
    products of :class:`~tandem.matching.topk.CheapBound`, done in blocks of mentees, and
    O((n + m) k) memory for the result.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import FeatureSpace, resolve_weights
    >>> space = FeatureSpace([Mentee(id="a", languages=("de",))],
    ...                      [Mentor(id="m", languages=("en",)), Mentor(id="n", capacity=0)])
    >>> found = build_candidates(space, resolve_weights())
    >>> found.graph.n_edges, dict(zip(CONSTRAINTS, found.removed[0].tolist()))["language"]
    (0, 1)
    """
    rules = tuple(rules)
    blocked = blocked_pairs(space, forbidden)
    pins = pair_keys(space, pinned, "pin")
    _check_pins(space, pins, rules, blocked)
    pair_rules = PairRules(space, rules, blocked)
    n, m = len(space.mentees), len(space.mentors)
    removed = np.zeros((n, len(CONSTRAINTS)), dtype=np.int64)
    if n * m <= dense_limit:
        graph = _dense_pass(space, weights, pair_rules, removed, block, progress)
        return CandidateSet(graph=graph, outside_bound=None, removed=removed, dense=True)
    cheap = CheapBound(space, weights)
    rows = max(1, min(block, dense_limit // max(m, 1)))
    keys, bounds = [], np.full(n, -np.inf)
    best = MentorBest(m, top_k, -(-n // rows))
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        values = cheap.block(start, stop)
        values[~_allowed_block(pair_rules, start, stop, removed)] = -np.inf
        best.update(values, start)
        ei, ej, bounds[start:stop] = top_per_row(values, top_k)
        keys.append((ei + start).astype(np.int64) * m + ej)
        if progress:
            progress(stop - start)
    graph = _graph(space, weights, _unique(np.concatenate([*keys, best.keys(), pins])))
    # A mentee with no allowed pair left outside: any bound holds, and 0 is the floor.
    outside = np.maximum(bounds, 0.0) + cheap.uncounted() + BOUND_SLACK
    return CandidateSet(
        graph=graph, outside_bound=outside, removed=removed, dense=False, cheap=cheap
    )


def _dense_pass(space, weights, pair_rules, removed, block, progress) -> CandidateGraph:
    """Every allowed pair, scored on dense blocks of mentees (matrix products, no gathers)."""
    n, m = len(space.mentees), len(space.mentors)
    rows = max(1, min(block, EDGE_CHUNK // max(m, 1)))
    mentees, mentors, scores = [], [], []
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        allowed = _allowed_block(pair_rules, start, stop, removed)
        ei, ej = np.nonzero(allowed)
        features = pair_features(space, np.arange(start, stop)[:, None], np.arange(m)[None, :])
        scores.append(combine(features, weights)[ei, ej])
        mentees.append(ei + start)
        mentors.append(ej)
        if progress:
            progress(stop - start)
    i = np.concatenate(mentees) if mentees else np.zeros(0, dtype=np.int64)
    j = np.concatenate(mentors) if mentors else np.zeros(0, dtype=np.int64)
    score = np.concatenate(scores) if scores else np.zeros(0)
    return _graph_from(space, i, j, score)


def repair(
    space: FeatureSpace,
    weights: Mapping[str, float],
    found: CandidateSet,
    mentees: np.ndarray,
    mentors: np.ndarray,
    *,
    rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
    forbidden: Iterable[tuple[str, str]] = (),
    top_k: int = DEFAULT_TOP_K,
) -> int:
    """Add, for each of ``mentees`` (left unmatched), its ``top_k`` best allowed pairs among
    ``mentors`` (those with room) to ``found.graph``; returns how many edges were added.

    The repair pass of top-k candidate generation: a mentee whose candidates all filled up
    gets a second chance with the mentors who still have room. ``outside_bound`` stays valid
    (fewer pairs are outside the graph).
    """
    m = len(space.mentors)
    if not (len(mentees) and len(mentors)) or found.cheap is None:
        return 0
    rules, blocked = tuple(rules), blocked_pairs(space, forbidden)
    mentees, mentors = np.asarray(mentees), np.asarray(mentors)
    keys = []
    for chunk in np.array_split(mentees, -(-len(mentees) * m // DENSE_LIMIT)):
        values = found.cheap.take(chunk)[:, mentors]
        broken = violations(space, chunk[:, None], mentors[None, :], rules, blocked)
        values[np.logical_or.reduce(list(broken.values()))] = -np.inf
        rows, cols, _ = top_per_row(values, top_k)
        keys.append(chunk[rows].astype(np.int64) * m + mentors[cols])
    graph = found.graph
    old = graph.mentee.astype(np.int64) * m + graph.mentor
    new = np.setdiff1d(np.concatenate(keys), old)
    if len(new):
        found.graph = _merge(graph, _graph(space, weights, new))
    return len(new)


def _merge(a: CandidateGraph, b: CandidateGraph) -> CandidateGraph:
    def join(x, y):
        return None if x is None else np.concatenate([x, y])

    return CandidateGraph.from_edges(
        a.n_mentees,
        a.n_mentors,
        np.concatenate([a.mentee, b.mentee]),
        np.concatenate([a.mentor, b.mentor]),
        np.concatenate([a.score, b.score]),
        a.capacity,
        join(a.mentee_pref, b.mentee_pref),
        join(a.mentor_pref, b.mentor_pref),
    )


def _group_codes(rows_a: list[tuple], rows_b: list[tuple]) -> tuple[np.ndarray, np.ndarray, list]:
    """Code each side's values (hashable) so that equal values share a code."""
    table: dict[tuple, int] = {}
    codes = [
        np.array([table.setdefault(v, len(table)) for v in rows], dtype=np.int64)
        for rows in (rows_a, rows_b)
    ]
    return codes[0], codes[1], list(table)


class PairRules:
    """The hard constraints of a run as small lookup tables over value groups.

    A block's allowed matrix is then a few table gathers (languages, in-person city,
    department), a column mask (capacity) and scattered id pairs (exclude, manager,
    forbidden), instead of one full pass per constraint.
    """

    def __init__(self, space: FeatureSpace, rules: Iterable[str], blocked: Mapping):
        a, b = space.mentee, space.mentor
        self.space, self.rules, self.blocked = space, tuple(rules), blocked
        langs = (
            [tuple(p.languages) for p in space.mentees],
            [tuple(p.languages) for p in space.mentors],
        )
        self.lang_a, self.lang_b, values = _group_codes(*langs)
        self.lang_ok = np.array(
            [[not (x and y) or bool(set(x) & set(y)) for y in values] for x in values], dtype=bool
        ).reshape(len(values), len(values))
        self.city_a = np.where(a.format == 1, a.city, -1)
        self.city_b = np.where(b.format == 1, b.city, -1)
        self.check_city = (self.city_a >= 0).any() and (self.city_b >= 0).any()
        self.check_department = "department" in self.rules
        self.full = space.capacity <= 0
        self.keys = [
            blocked[name]
            for name in ("exclude", "forbidden", "manager")
            if name != "manager" or "manager" in self.rules
        ]

    def allowed(self, start: int, stop: int) -> np.ndarray:
        """Allowed pairs of mentees ``start:stop`` against every mentor."""
        m = len(self.space.mentors)
        ok = self.lang_ok[self.lang_a[start:stop]][:, self.lang_b]
        if self.check_city:
            ca = self.city_a[start:stop, None]
            ok &= (ca < 0) | (self.city_b[None, :] < 0) | (ca == self.city_b[None, :])
        if self.check_department:
            da = self.space.mentee.department[start:stop, None]
            ok &= (da < 0) | (da != self.space.mentor.department[None, :])
        ok[:, self.full] = False
        for keys in self.keys:
            lo, hi = np.searchsorted(keys, [start * m, stop * m])
            rows, cols = np.divmod(keys[lo:hi], m)
            ok[rows - start, cols] = False
        return ok

    def removed(self, mentees: np.ndarray) -> np.ndarray:
        """Per mentee in ``mentees``, how many mentors each constraint rules out."""
        i = np.asarray(mentees)[:, None]
        j = np.arange(len(self.space.mentors))[None, :]
        found = violations(self.space, i, j, self.rules, self.blocked)
        return np.stack([found[name].sum(axis=1) for name in CONSTRAINTS], axis=1)


def _allowed_block(pair_rules: PairRules, start, stop, removed) -> np.ndarray:
    """Allowed pairs of mentees ``start:stop``; fills ``removed`` for those with none."""
    allowed = pair_rules.allowed(start, stop)
    empty = np.flatnonzero(~allowed.any(axis=1))
    if len(empty):
        removed[start + empty] = pair_rules.removed(start + empty)
    return allowed


def _check_pins(space, pins, rules, blocked) -> None:
    m = len(space.mentors)
    if not len(pins):
        return
    i, j = np.divmod(pins, m)
    for name, broken in violations(space, i, j, rules, blocked).items():
        if broken.any():
            e = int(np.flatnonzero(broken)[0])
            raise ValueError(
                PIN_NOT_ALLOWED.format(
                    mentee=space.mentee.ids[i[e]], mentor=space.mentor.ids[j[e]], constraint=name
                )
            )


def _graph(space: FeatureSpace, weights, keys: np.ndarray) -> CandidateGraph:
    """Score the pairs ``keys`` (``i * m + j``) edge by edge and build the graph."""
    m = len(space.mentors)
    i, j = np.divmod(keys, m) if m else (keys, keys)
    score = np.empty(len(keys))
    for lo in range(0, len(keys), EDGE_CHUNK):
        part = slice(lo, lo + EDGE_CHUNK)
        score[part] = combine(pair_features(space, i[part], j[part]), weights)
    return _graph_from(space, i, j, score)


def _graph_from(space: FeatureSpace, i, j, score) -> CandidateGraph:
    mentee_pref = _preference(score, i, j, space.mentees, space.mentor_index)
    mentor_pref = _preference(score, j, i, space.mentors, space.mentee_index)
    return CandidateGraph.from_edges(
        len(space.mentees),
        len(space.mentors),
        i,
        j,
        score,
        space.capacity,
        mentee_pref,
        mentor_pref,
    )


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
        pairs_here = zip(own[where].tolist(), other[where].tolist(), strict=True)
        lifted[where] += [bonus[pair] for pair in pairs_here]
    return lifted
