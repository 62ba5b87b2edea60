"""A proven upper bound over *every* allowed pair, and the missed pairs that close the gap.

Top-k candidate generation solves on a small graph; this module proves how far the answer can
be from the best assignment over all ``n * m`` pairs, and finds the pairs the graph missed.

For any mentor prices ``lam >= 0`` and any ``ub[i, j] >= s[i, j]`` (the exact score on a
candidate edge, the cheap upper bound of :mod:`tandem.matching.candidates.cheap` elsewhere), every
assignment ``M`` (each mentee at most once, mentor ``j`` at most ``c[j]`` times) satisfies::

    sum_{(i,j) in M} s[i, j] = sum_M (s[i, j] - lam[j]) + sum_M lam[j]
                             <= sum_i max(0, max_j (ub[i, j] - lam[j])) + sum_j c[j] lam[j]

(weak duality of the assignment LP, whose optimum is integral). The bound holds whatever the
prices; the optimal flow's node potentials make it tight on the candidate graph, and it stays
tight over all pairs exactly when no pair outside the graph has a positive reduced score
``s[i, j] - lam[j] - u[i]`` (``u[i]`` the mentee's best reduced score inside the graph). Those
pairs are found in one blockwise pass of the cheap bound, scored exactly, added to the graph,
and the problem is solved again: column generation, until the gap is small enough.

What is bounded: the total of the best assignment of *any* cardinality. ``optimal`` first
matches the most mentees and then maximises the total; since scores are >= 0, the best total
among maximum-cardinality assignments is at most the best total overall, so the bound (and the
reported gap) holds for it too. Whether the answer matches the most mentees possible is proven
separately (``matchable``: an upper bound on the maximum cardinality over all allowed pairs).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from tandem.matching.candidates.blocks import (
    Index,
    block_ranges,
    map_blocks,
    nonzero_2d,
    priced_blocks,
)
from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.bounds import flow_duals, shortest_distances
from tandem.matching.solvers.flow import integer_weights

FLOAT32_SLACK = 1e-5  # |cheap bound computed in float32 - the same in exact arithmetic|
TIE = 1e-6  # reduced scores within this of a mentee's own are not checked pair by pair
MAX_NEW_PER_MENTEE = 10  # missed pairs added per mentee and round, best first
MAX_PRICE_ROUNDS = 5_000  # label-correcting rounds for the prices (any prices stay valid)
PRICE_WORK = 30  # arc scans per arc before the label-correcting rounds give up
PRICE_TOLERANCE = 1e-12  # smaller label improvements are float noise, not a negative cycle
OUTSIDE_NEEDS_COUNTS = "check_all_pairs: outside needs counts (skipped rows are never loaded)"

# load(rows, cols) -> (upper bounds of a block of pairs, allowed pairs or None)
BlockLoader = Callable[[Index, Index], tuple[np.ndarray, np.ndarray | None]]
PairScorer = Callable[[np.ndarray, np.ndarray], ArrayLike]  # exact scores of pairs (i, j)


@dataclass
class PairCheck:
    """The outcome of one pass over all pairs (see :func:`check_all_pairs`).

    ``value[i]`` bounds ``max(0, max_j s[i, j] - lam[j])`` over every allowed pair of mentee
    ``i``; ``upper_bound`` is ``sum(value) + sum(c * lam)``. ``missed`` are keys ``i * m + j``
    of pairs outside the graph whose exact reduced score beats the mentee's value inside it
    (best first per mentee, at most ``MAX_NEW_PER_MENTEE`` each), ``missed_score`` their
    exact scores. ``matchable`` bounds how many mentees any assignment can match.
    """

    upper_bound: float
    value: np.ndarray
    prices: np.ndarray
    missed: np.ndarray
    missed_score: np.ndarray
    checked: int
    matchable: int
    stats: dict = field(default_factory=dict)


def edge_ids(graph: CandidateGraph, mentor_of: ArrayLike) -> np.ndarray:
    """Per mentee, the id of the edge to its mentor in ``graph`` (-1 if unmatched)."""
    m = max(graph.n_mentors, 1)
    keys = graph.mentee.astype(np.int64) * m + graph.mentor
    order = np.argsort(keys, kind="stable")
    mentor_of = np.asarray(mentor_of, dtype=np.int64)
    wanted = np.arange(len(mentor_of), dtype=np.int64) * m + np.maximum(mentor_of, 0)
    at = np.minimum(np.searchsorted(keys, wanted, sorter=order), max(len(keys) - 1, 0))
    found = (mentor_of >= 0) & (len(keys) > 0)
    if len(keys):
        found &= keys[order[at]] == wanted
    return np.where(found, order[at] if len(keys) else -1, -1)


def _residual(
    graph: CandidateGraph, edge_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residual arcs of the max-weight assignment ``edge_of`` as a min-cost flow.

    Nodes: mentees ``0..n-1``, mentors ``n..n+m-1``, the sink ``n+m``. Each mentee sends one
    unit to a mentor (cost ``-s``) or straight to the sink (cost 0: staying unmatched), so
    no cardinality is forced.
    """
    n, m = graph.n_mentees, graph.n_mentors
    sink = n + m
    used = np.zeros(graph.n_edges, dtype=bool)
    used[edge_of[edge_of >= 0]] = True
    mentee, mentor = graph.mentee.astype(np.int64), graph.mentor.astype(np.int64) + n
    load = np.bincount(graph.mentor[used], minlength=m)
    matched = edge_of >= 0
    room = np.flatnonzero(load < graph.capacity) + n
    busy = np.flatnonzero(load > 0) + n
    tails = [np.where(used, mentor, mentee), np.flatnonzero(matched), np.full(n, sink)[~matched]]
    heads = [np.where(used, mentee, mentor), np.full(int(matched.sum()), sink)]
    heads.append(np.flatnonzero(~matched))
    tails += [room, np.full(len(busy), sink)]
    heads += [np.full(len(room), sink), busy]
    costs = [np.where(used, graph.score, -graph.score)]
    costs += [np.zeros(len(t)) for t in tails[1:]]
    return np.concatenate(tails), np.concatenate(heads), np.concatenate(costs)


def mentor_prices(graph: CandidateGraph, mentor_of: ArrayLike) -> np.ndarray:
    """Mentor prices (>= 0) that prove ``mentor_of`` optimal on ``graph``, when it is.

    Two candidates, and the one with the lower bound on ``graph`` wins: the node potentials
    of ``mentor_of`` as a max-weight assignment (exact LP duals when it is one), and the
    duals of the solver's cardinality-first flow with the cardinality price folded into the
    mentors. Any prices give a valid bound; only its tightness depends on them.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.9, 0.5], [1])
    >>> mentor_prices(g, [0, -1]).round(6).tolist()
    [0.5]
    """
    if graph.n_edges == 0:
        return np.zeros(graph.n_mentors)
    n, m = graph.n_mentees, graph.n_mentors
    edge_of = edge_ids(graph, mentor_of)
    tail, head, cost = _residual(graph, edge_of)
    dist, _ = shortest_distances(
        n + m + 1,
        tail,
        head,
        cost,
        MAX_PRICE_ROUNDS,
        dtype=np.float64,
        tolerance=PRICE_TOLERANCE,
        max_work=PRICE_WORK * max(len(tail), 1),  # a negative cycle would scan arcs forever
    )
    own = np.maximum(dist[n + m] - dist[n : n + m], 0.0)
    weights = integer_weights(graph.score, n + m)
    duals = flow_duals(graph, weights, edge_of)
    shift = weights.offset + weights.step * duals.shift
    folded = duals.mentor.astype(np.float64) * weights.step + max(shift, 0.0)
    # A mentor without seats costs nothing at any price: price it out of every bound.
    closed = max(float(graph.score.max()), 0.0) + 1.0
    candidates = [np.where(graph.capacity > 0, p, closed) for p in (own, folded)]
    return min(candidates, key=lambda p: graph_bound(graph, p))


def graph_values(graph: CandidateGraph, prices: np.ndarray) -> np.ndarray:
    """``u[i] = max(0, max_j s[i, j] - lam[j])`` over the mentee's edges in ``graph``."""
    value = np.zeros(graph.n_mentees)
    np.maximum.at(value, graph.mentee, graph.score - prices[graph.mentor])
    return value


def dual_total(value: np.ndarray, prices: np.ndarray, capacity: np.ndarray) -> float:
    """``sum(value) + sum(c * lam)``, rounded upwards so that it stays a proven bound."""
    terms = np.concatenate([np.maximum(value, 0.0), np.maximum(capacity, 0) * prices])
    total = math.fsum(terms.tolist())
    return float(total + 4 * np.finfo(float).eps * math.fsum(np.abs(terms).tolist()))


def graph_bound(graph: CandidateGraph, prices: ArrayLike) -> float:
    """The Lagrangian bound of ``graph`` alone (pairs outside it are forbidden).

    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.9, 0.5], [1])
    >>> round(graph_bound(g, [0.5]), 6)
    0.9
    """
    prices = np.maximum(np.asarray(prices, dtype=np.float64), 0.0)
    return dual_total(graph_values(graph, prices), prices, graph.capacity)


def _sorted_keys(graph: CandidateGraph) -> np.ndarray:
    return np.sort(graph.mentee.astype(np.int64) * graph.n_mentors + graph.mentor)


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    at = np.searchsorted(sorted_keys, keys)
    at = np.minimum(at, max(len(sorted_keys) - 1, 0))
    return sorted_keys[at] == keys if len(sorted_keys) else np.zeros(len(keys), dtype=bool)


def _best_per_row(rows: np.ndarray, gain: np.ndarray, limit: int) -> np.ndarray:
    """Indices of each row's ``limit`` largest gains."""
    order = np.lexsort((-gain, rows))
    rows = rows[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    return order[rank < limit]


def check_all_pairs(
    graph: CandidateGraph,
    prices: np.ndarray,
    load: BlockLoader,
    score_pairs: PairScorer,
    *,
    uncounted: float = 0.0,
    counts: tuple[np.ndarray, np.ndarray] | None = None,
    ranges: list[tuple[int, int]] | None = None,
    outside: np.ndarray | None = None,
) -> PairCheck:
    """One pass over every allowed pair: the bound of the module notes, and missed pairs.

    Parameters
    ----------
    graph : CandidateGraph
        The candidate graph the assignment was solved on (exact scores).
    prices : array of float, shape (n_mentors,)
        Mentor prices (any values; negative ones are raised to 0).
    load : callable
        ``load(rows, cols) -> (values, allowed)`` for the mentees ``rows`` and mentors
        ``cols`` (slices, or sorted index arrays): ``values`` (float32, rows x cols; it may be
        overwritten) is an upper bound on the score of each allowed pair, up to
        ``FLOAT32_SLACK + uncounted``; ``allowed`` (bool, same shape) says which pairs the
        hard constraints allow, or is None when ``values`` is ``-inf`` exactly there. Called
        from several threads at once (see :func:`~tandem.matching.candidates.blocks.map_blocks`).
    score_pairs : callable
        ``score_pairs(i, j)`` gives exact scores of pairs (arrays of mentee, mentor indices);
        also called from several threads.
    uncounted : float
        Largest score share the block values leave out.
    counts : (array of bool, array of int), optional
        Upper bounds on which mentees have an allowed pair and on each mentor's number of
        allowed pairs (for ``matchable``); counted from the blocks when not given.
    ranges : list of (start, stop), optional
        The blocks; by default :func:`~tandem.matching.candidates.blocks.block_ranges`
        (not used with ``outside``).
    outside : array of float, shape (n_mentees,), optional
        Per mentee, an upper bound on ``values`` (as ``load`` computes them) of every allowed
        pair outside ``graph``; needs ``counts``. A mentor whose price leaves such a pair no
        room to raise the mentee's value is then not loaded (see Notes).

    Returns
    -------
    PairCheck

    Notes
    -----
    O(n m) for the pass plus the exact scores of the pairs whose bound beats the mentee's
    value by more than ``TIE``; memory O(blocks in flight + n + m). A pair within ``TIE`` of
    the value is not scored: its bound is taken instead, which adds at most
    ``TIE + FLOAT32_SLACK`` per mentee to the bound.

    With ``outside``, pairs outside the graph have ``values - lam[j] <= outside[i] - lam[j]``,
    and pairs inside it have exact reduced scores of at most ``own[i]`` (the mentee's value in
    the graph): only mentors priced below ``outside[i] + slack - own[i]`` can raise the
    value or be missed, and only those are loaded, cheapest first
    (:func:`~tandem.matching.candidates.blocks.priced_blocks`). With the optimal flow's prices
    that is about a tenth of the pairs on the scale benchmark. The best value of a row is
    then taken over the mentors loaded, so the bound is the same or lower (never higher).

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 1], [0, 0], [0.9, 0.5], [1, 1])
    >>> ub = np.array([[0.9, 0.1], [0.5, 0.8]], dtype=np.float32)
    >>> exact = np.array([[0.9, 0.1], [0.5, 0.7]])
    >>> def load(rows, cols):
    ...     return ub[rows][:, cols], None
    >>> found = check_all_pairs(g, np.array([0.5, 0.0]), load, lambda i, j: exact[i, j])
    >>> found.missed.tolist(), round(found.upper_bound, 4)
    ([3], 1.6)
    """
    n, m = graph.n_mentees, graph.n_mentors
    prices = np.maximum(np.asarray(prices, dtype=np.float64), 0.0)
    check = _BlockCheck(graph, prices, load, score_pairs, uncounted, counts)
    if outside is None:
        ranges = ranges if ranges is not None else block_ranges(n, m)
        blocks: list = [(slice(start, stop), slice(None)) for start, stop in ranges]
    elif counts is None:
        raise ValueError(OUTSIDE_NEEDS_COUNTS)
    else:
        blocks = priced_blocks(np.asarray(outside) + check.slack - check.own, prices)
    value = check.own.copy()
    has_edges = counts[0].copy() if counts is not None else np.zeros(n, dtype=bool)
    degree = counts[1] if counts is not None else np.zeros(m, dtype=np.int64)
    found = []
    for block in map_blocks(check, blocks):
        value[block.rows] = block.value
        has_edges[block.rows] = block.has_edges
        if block.degree is not None:
            degree += block.degree
        found.append(block)
    keys = np.concatenate([b.keys for b in found] or [np.zeros(0, np.int64)])
    gain = np.concatenate([b.gain for b in found] or [np.zeros(0)])
    scores = np.concatenate([b.scores for b in found] or [np.zeros(0)])
    checked = sum(b.checked for b in found)
    keep = _best_per_row(keys // max(m, 1), gain, MAX_NEW_PER_MENTEE)
    keep = keep[np.argsort(keys[keep])]
    matchable = int(min(has_edges.sum(), np.minimum(graph.capacity, degree).sum()))
    return PairCheck(
        upper_bound=dual_total(value, prices, graph.capacity),
        value=value,
        prices=prices,
        missed=keys[keep],
        missed_score=scores[keep],
        checked=checked,
        matchable=matchable,
        stats={"missed_pairs": len(keys), "checked_pairs": checked},
    )


@dataclass
class _CheckedBlock:
    """What one block of pairs contributes to a :class:`PairCheck`."""

    rows: Index
    value: np.ndarray
    has_edges: np.ndarray
    degree: np.ndarray | None
    keys: np.ndarray
    gain: np.ndarray
    scores: np.ndarray
    checked: int


class _BlockCheck:
    """The per-block work of :func:`check_all_pairs`; reads shared state, writes none."""

    def __init__(
        self,
        graph: CandidateGraph,
        prices: np.ndarray,
        load: BlockLoader,
        score_pairs: PairScorer,
        uncounted: float,
        counts: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        self.m = graph.n_mentors
        self.prices, self.load, self.score_pairs = prices, load, score_pairs
        self.own, self.known = graph_values(graph, prices), _sorted_keys(graph)
        self.lam32 = prices.astype(np.float32)
        self.slack, self.counts = FLOAT32_SLACK + uncounted, counts

    def __call__(self, block_rows: Index, block_cols: Index) -> _CheckedBlock:
        values, allowed = self.load(block_rows, block_cols)
        if allowed is None:
            allowed = values > -np.inf
        if self.counts is None:
            degree, has_edges = allowed.sum(axis=0), np.asarray(allowed.any(axis=1))
        else:
            degree, has_edges = None, self.counts[0][block_rows]
        values -= self.lam32[None, block_cols]
        base = self.own[block_rows]
        limit = base + TIE - self.slack
        # Pairs not looked at one by one are bounded by min(top, limit) + slack, where top
        # (the row's best, forbidden pairs included) is at least the best allowed one.
        top = np.where(has_edges, values.max(axis=1), -np.inf)
        value = np.maximum(base, np.minimum(top, limit) + self.slack)
        rows, cols = nonzero_2d(values > limit.astype(np.float32)[:, None])
        keep = allowed[rows, cols]
        rows, i = rows[keep], _ids(block_rows, rows[keep])
        j = _ids(block_cols, cols[keep])
        keys = i.astype(np.int64) * self.m + j
        outside = ~_contains(self.known, keys)
        rows, i, j, keys = rows[outside], i[outside], j[outside], keys[outside]
        exact = np.asarray(self.score_pairs(i, j), dtype=np.float64)
        reduced = exact - self.prices[j]
        np.maximum.at(value, rows, reduced)
        gain = reduced - self.own[i]
        beats = gain > TIE
        return _CheckedBlock(
            rows=block_rows,
            value=value,
            has_edges=has_edges,
            degree=degree,
            keys=keys[beats],
            gain=gain[beats],
            scores=exact[beats],
            checked=len(rows),
        )


def _ids(block: Index, at: np.ndarray) -> np.ndarray:
    """Indices in the whole of the positions ``at`` in a block's ``rows`` or ``cols``."""
    if isinstance(block, slice):
        return at + (block.start or 0)
    return block[at]
