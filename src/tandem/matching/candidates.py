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

from tandem.matching.blocks import (
    BLOCK_PAIRS,
    ScratchBuffers,
    block_ranges,
    for_each_block,
    map_blocks,
    nonzero_2d,
)
from tandem.matching.features import (
    DEFAULT_CONFLICT_RULES,
    FeatureSpace,
    _overlap,
    combine,
    pair_features,
)
from tandem.matching.graph import CandidateGraph
from tandem.matching.topk import CheapBound, top_per_row

CONSTRAINTS = ("language", "exclude", "forbidden", "manager", "department", "city", "capacity")
DENSE_LIMIT = 20_000_000
DEFAULT_TOP_K = 20  # enough with the all-pairs bound: missed pairs are added back
EDGE_CHUNK = 1_000_000
SCORE_CHUNK = 131_072  # pairs scored at once: their gathered features stay in cache
ROW_TABLE_LIMIT = 256_000_000  # bytes of the allowed-row table of PairRules
BOUND_SLACK = 1e-5  # float32 rounding between the dense and the edge computations
NO_ROWS = np.zeros(0, dtype=np.int64)
MENTOR_SIDE_PAIRS = 16_000_000  # per block of mentor columns: a wider product, run less often
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
    rules: PairRules | None = None


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
    values = ScratchBuffers()

    def top_of_block(start: int, stop: int):
        scores = cheap.block(start, stop, out=values.get((stop - start, m)))
        allowed = _allowed_block(pair_rules, start, stop, removed)
        rows, cols, left_out = top_per_row(scores, top_k, allowed)
        return start, stop, (rows + start).astype(np.int64) * m + cols, left_out

    keys, bounds = [], np.full(n, -np.inf)
    for start, stop, found, left_out in map_blocks(top_of_block, _ranges(n, m, block)):
        keys.append(found)
        bounds[start:stop] = left_out
        if progress:
            progress(stop - start)
    keys = np.concatenate(keys)
    more = _mentor_side(cheap, pair_rules, keys, top_k, MENTOR_SIDE_PAIRS)
    graph = _graph(space, weights, _unique(np.concatenate([keys, more, pins])))
    # A mentee with no allowed pair left outside: any bound holds, and 0 is the floor.
    outside = np.maximum(bounds, 0.0) + cheap.uncounted() + BOUND_SLACK
    return CandidateSet(
        graph=graph,
        outside_bound=outside,
        removed=removed,
        dense=False,
        cheap=cheap,
        rules=pair_rules,
    )


def _mentor_side(cheap: CheapBound, pair_rules: PairRules, keys, top_k: int, pairs: int):
    """Keys of the ``top_k`` best allowed mentees of every open mentor that fewer than
    ``top_k`` mentees listed (the others already have enough candidates), by columns."""
    n, m = len(pair_rules.space.mentees), len(pair_rules.space.mentors)
    degree = np.bincount(keys % max(m, 1), minlength=m)
    short = np.flatnonzero((degree < top_k) & ~pair_rules.full)

    def top_of_columns(lo: int, hi: int) -> np.ndarray:
        cols = short[lo:hi]
        values = cheap.take_columns(cols)
        at, mentee, _ = top_per_row(values, top_k, pair_rules.allowed_columns(cols))
        return mentee.astype(np.int64) * m + cols[at]

    found = map_blocks(top_of_columns, block_ranges(len(short), n, pairs))
    return np.concatenate([np.zeros(0, dtype=np.int64), *found])


def _ranges(n: int, m: int, block: int) -> list[tuple[int, int]]:
    """Blocks of at most ``block`` mentees and about ``BLOCK_PAIRS`` pairs."""
    return block_ranges(n, m, pairs=min(BLOCK_PAIRS, block * max(m, 1)))


def cheap_block_loader(found: CandidateSet, skip: np.ndarray = NO_ROWS):
    """``load(start, stop) -> (values, allowed)`` for mentees ``start:stop`` (top-k mode
    only): the cheap upper bound of every pair in float32 (in a per-thread buffer, valid
    until that thread's next call) and which pairs the hard constraints allow; the mentees
    ``skip`` (sorted) are allowed no pair. Safe to call from several threads at once."""
    m = found.graph.n_mentors
    values = ScratchBuffers()

    def load(start: int, stop: int):
        block = found.cheap.block(start, stop, out=values.get((stop - start, m)))
        allowed = found.rules.allowed(start, stop)
        lo, hi = np.searchsorted(skip, [start, stop])
        allowed[skip[lo:hi] - start] = False
        return block, allowed

    return load


def edge_scores(
    space: FeatureSpace, weights, i: np.ndarray, j: np.ndarray, workers: int | None = None
) -> np.ndarray:
    """Exact scores of the pairs ``(i[e], j[e])``, in chunks of ``SCORE_CHUNK`` on
    ``workers`` threads (by default every core; 1 from inside another pass's worker)."""
    score = np.empty(len(i))

    def score_chunk(lo: int, hi: int) -> None:
        score[lo:hi] = combine(pair_features(space, i[lo:hi], j[lo:hi]), weights)

    for_each_block(score_chunk, block_ranges(len(i), 1, SCORE_CHUNK), workers)
    return score


def add_pairs(space: FeatureSpace, weights, found: CandidateSet, keys: np.ndarray) -> int:
    """Add the allowed pairs ``keys`` (``i * m + j``, not yet in the graph) to ``found``."""
    if len(keys):
        found.graph = _merge(found.graph, _graph(space, weights, np.sort(keys)))
    return len(keys)


def _dense_pass(space, weights, pair_rules, removed, block, progress) -> CandidateGraph:
    """Every allowed pair, scored on dense blocks of mentees (matrix products, no gathers)."""
    n, m = len(space.mentees), len(space.mentors)
    rows = max(1, min(block, EDGE_CHUNK // max(m, 1)))
    mentees, mentors, scores = [], [], []
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        allowed = _allowed_block(pair_rules, start, stop, removed)
        ei, ej = nonzero_2d(allowed)
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
    mentees, mentors = np.sort(np.asarray(mentees)), np.asarray(mentors)

    def best_of(lo: int, hi: int) -> np.ndarray:
        chunk = mentees[lo:hi]
        values = found.cheap.take(chunk)[:, mentors]
        values[~found.rules.allowed_rows(chunk)[:, mentors]] = -np.inf
        rows, cols, _ = top_per_row(values, top_k)
        return chunk[rows].astype(np.int64) * m + mentors[cols]

    keys = map_blocks(best_of, block_ranges(len(mentees), m))
    graph = found.graph
    old = graph.mentee.astype(np.int64) * m + graph.mentor
    new = np.setdiff1d(np.concatenate([np.zeros(0, dtype=np.int64), *keys]), old)
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
        self.rows = self._row_table()

    def _row_table(self):
        """Mentees with the same language group and in-person city share one row of allowed
        mentors (capacity included): a block is then one row gather. None if too large."""
        pairs = np.stack([self.lang_a, self.city_a if self.check_city else 0 * self.lang_a])
        if not pairs.shape[1]:
            return None
        combos, code = np.unique(pairs, axis=1, return_inverse=True)
        if combos.shape[1] * len(self.lang_b) > ROW_TABLE_LIMIT:
            return None
        table = self.lang_ok[combos[0]][:, self.lang_b]
        if self.check_city:
            ca, cb = combos[1][:, None], self.city_b[None, :]
            table &= (ca < 0) | (cb < 0) | (ca == cb)
        table[:, self.full] = False
        # Row gathers from a C-ordered table copy whole rows; the fancy index above leaves
        # it column-ordered, which made each block's gather some twenty times slower.
        return np.ascontiguousarray(table), code.reshape(-1)

    def allowed(self, start: int, stop: int) -> np.ndarray:
        """Allowed pairs of mentees ``start:stop`` against every mentor."""
        m = len(self.space.mentors)
        hits = []
        for keys in self.keys:
            lo, hi = np.searchsorted(keys, [start * m, stop * m])
            rows, cols = np.divmod(keys[lo:hi], m)
            hits.append((rows - start, cols))
        return self._allowed(slice(start, stop), hits)

    def allowed_rows(self, rows: np.ndarray) -> np.ndarray:
        """Allowed pairs of the mentees ``rows`` (sorted indices) against every mentor:
        ``allowed_rows(rows) == allowed(0, n)[rows]``."""
        m = len(self.space.mentors)
        hits = []
        for keys in self.keys:
            i, j = np.divmod(keys, m)
            at, hit = _positions(rows, i)
            hits.append((at[hit], j[hit]))
        return self._allowed(rows, hits)

    def _allowed(self, rows, hits) -> np.ndarray:
        """The allowed matrix of ``rows`` (a slice or indices); ``hits`` are the (row in
        the block, mentor) pairs ruled out by id."""
        if self.rows is not None:
            table, code = self.rows
            ok = table[code[rows]]
        else:
            ok = self.lang_ok[self.lang_a[rows]][:, self.lang_b]
        if self.check_city and self.rows is None:
            ca = self.city_a[rows, None]
            ok &= (ca < 0) | (self.city_b[None, :] < 0) | (ca == self.city_b[None, :])
        if self.check_department:
            da = self.space.mentee.department[rows, None]
            ok &= (da < 0) | (da != self.space.mentor.department[None, :])
        if self.rows is None:
            ok[:, self.full] = False
        for block_rows, cols in hits:
            ok[block_rows, cols] = False
        return ok

    def counts(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Upper bounds on which mentees have an allowed mentor and on each mentor's number
        of allowed mentees, from the row table (pairs ruled out by id or department are not
        subtracted); None without the table."""
        if self.rows is None:
            return None
        table, code = self.rows
        per_row = np.bincount(code, minlength=len(table)).astype(np.int64)
        return table.any(axis=1)[code], per_row @ table.astype(np.int64)

    def allowed_columns(self, cols: np.ndarray) -> np.ndarray:
        """Allowed pairs of the mentors ``cols`` (sorted indices) against every mentee, one
        row per mentor: ``allowed_columns(cols) == allowed(0, n)[:, cols].T``."""
        space, m = self.space, len(self.space.mentors)
        if self.rows is not None:
            table, code = self.rows
            ok = table[:, cols].T[:, code]
        else:
            ok = self.lang_ok[self.lang_a][:, self.lang_b[cols]].T.copy()
            if self.check_city:
                ca, cb = self.city_a[None, :], self.city_b[cols][:, None]
                ok &= (ca < 0) | (cb < 0) | (ca == cb)
            ok[self.full[cols], :] = False
        if self.check_department:
            da, db = space.mentee.department[None, :], space.mentor.department[cols][:, None]
            ok &= (da < 0) | (da != db)
        for keys in self.keys:
            i, j = np.divmod(keys, m)
            at, hit = _positions(cols, j)
            ok[at[hit], i[hit]] = False
        return ok

    def removed(self, mentees: np.ndarray) -> np.ndarray:
        """Per mentee in ``mentees``, how many mentors each constraint rules out."""
        i = np.asarray(mentees)[:, None]
        j = np.arange(len(self.space.mentors))[None, :]
        found = violations(self.space, i, j, self.rules, self.blocked)
        return np.stack([found[name].sum(axis=1) for name in CONSTRAINTS], axis=1)


def _positions(sorted_values: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``wanted`` stands in ``sorted_values``, and whether it is there at all."""
    if not len(sorted_values):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, wanted), len(sorted_values) - 1)
    return at, sorted_values[at] == wanted


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
    return _graph_from(space, i, j, edge_scores(space, weights, i, j))


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
