"""Proven upper bounds on the best total score, from LP duality.

The assignment LP is: maximise ``sum s_ij x_ij`` subject to ``sum_j x_ij <= 1`` per mentee,
``sum_i x_ij <= c_j`` per mentor, ``x >= 0``. For *any* mentor prices ``p >= 0``, let
``v_i = max_j (s_ij - p_j)`` over the mentee's allowed pairs. For every assignment ``M``
with at most ``K`` mentees matched::

    sum_{(i,j) in M} s_ij = sum_M (s_ij - p_j) + sum_M p_j
                          <= sum_{i matched} v_i + sum_j c_j p_j        (p >= 0, load <= c)
                          <= topK(max(v, 0)) + sum_j c_j p_j

and if exactly ``K`` mentees are matched the ``max(v, 0)`` can be dropped. So the bound is
valid whatever prices are used; good prices (the LP duals, which are the node potentials of
an optimal flow) make it tight, because the bipartite LP has integral optima.

Non-candidate pairs: if every pair outside the candidate graph scores at most
``outside_bound[i]``, then ``v_i = max(v_i, outside_bound[i] - min_j p_j)`` keeps the bound
valid for the dense problem (every mentor, every pair), since ``-p_j <= -min p``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import NegativeCycleError, bellman_ford

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.flow import IntegerWeights
from tandem.matching.solvers.order import CHUNK

# Label-correcting rounds before giving up on exact potentials (the bound stays valid), unless
# they are cheap: past it, rounds go on (up to the node count, which Bellman-Ford needs at
# most) while all the arcs scanned stay within this many scans of every arc, or within
# ``MIN_POTENTIAL_WORK`` scans (about 1.5 s of CPU). A shortest path may pass through every
# mentor: on a ladder (mentee i allowed mentors i and i + 1, every seat needed) it does, and
# stopping at 2,000 rounds left a proven gap of half the total from 2,000 mentees on; now
# ladders up to about 9,000 mentees are proven (where OR-Tools' own flow takes 15-25 s: its
# cost scaling is quadratic there too).
MAX_POTENTIAL_ROUNDS = 2_000
MIN_POTENTIAL_WORK = 1 << 27
# On a mentor-level graph of at most this many node pairs, label-correcting from scratch hands
# over to SciPy's Bellman-Ford (each node times each merged arc, in C) once it has scanned as
# many arcs as that would, ``SCAN_RATIO`` times cheaper a scan: so at most about twice the
# better of the two. The shortest paths of a complete 3,000 x 600 rank-1 graph pass through
# every mentor (600 rounds of 1.8 million arcs, 4.1 s), where SciPy takes 0.3 s on the
# 360,000 merged arcs; rank-1 10,000 x 2,000 (50 or 200 pairs a mentee) converges first.
DENSE_PAIRS = 1 << 22
SCAN_RATIO = 8


def _residual_arcs(
    graph: CandidateGraph, weight: np.ndarray, edge_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, m = graph.n_mentees, graph.n_mentors
    source, sink = n + m, n + m + 1
    used = np.zeros(graph.n_edges, dtype=bool)
    used[edge_of[edge_of >= 0]] = True
    mentee, mentor = graph.mentee.astype(np.int64), graph.mentor.astype(np.int64) + n
    load = np.bincount(graph.mentor[used], minlength=m)
    has_edges = np.bincount(graph.mentee, minlength=n) > 0
    matched = edge_of >= 0
    free_i, matched_i = np.flatnonzero(has_edges & ~matched), np.flatnonzero(matched)
    room_j = np.flatnonzero(load < graph.capacity) + n
    busy_j = np.flatnonzero(load > 0) + n
    tails = [np.where(used, mentor, mentee), np.full(len(free_i), source), matched_i, room_j]
    heads = [np.where(used, mentee, mentor), free_i, np.full(len(matched_i), source)]
    heads += [np.full(len(room_j), sink)]
    tails.append(np.full(len(busy_j), sink))
    heads.append(busy_j)
    costs = [np.where(used, weight, -weight)] + [np.zeros(len(a), np.int64) for a in tails[1:]]
    return np.concatenate(tails), np.concatenate(heads), np.concatenate(costs)


def shortest_distances(
    n_nodes: int,
    tail: np.ndarray,
    head: np.ndarray,
    cost: np.ndarray,
    max_rounds: int,
    *,
    dtype: type = np.int64,
    tolerance: float = 0,
    max_work: int | None = None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """Shortest distances from a virtual root joined to every node at cost 0.

    With ``start`` (labels <= 0, e.g. the potentials of a slightly different graph) the
    rounds begin there instead of at 0: the labels converge to *a* feasible potential
    (``dist[head] <= dist[tail] + cost`` on every arc), which is all a dual certificate needs,
    usually in far fewer rounds.

    Label-correcting in vectorised rounds: only arcs leaving a node whose label changed in
    the previous round are scanned. A label improves only by more than ``tolerance`` (float
    costs), and at most ``max_work`` arc scans are made in all (a negative cycle would scan
    forever). Returns the labels and whether they converged (they do unless there is a
    negative cycle, or ``max_rounds`` or ``max_work`` is too small).

    Examples
    --------
    >>> tail, head, cost = np.array([0, 1]), np.array([1, 2]), np.array([-2, -3])
    >>> dist, converged = shortest_distances(3, tail, head, cost, 10)
    >>> dist.tolist(), converged
    ([0, -2, -5], True)
    """
    # Grouping by tail: a radix sort when node ids fit 16 bits (6x faster than on int64).
    order = np.argsort(tail.astype(np.uint16) if n_nodes <= 1 << 16 else tail, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    first = np.searchsorted(tail, np.arange(n_nodes + 1))
    dist: np.ndarray = np.zeros(n_nodes, dtype=dtype)
    if start is not None:
        dist = np.minimum(start, 0).astype(dtype)
    active = np.arange(n_nodes)
    touched = np.zeros(n_nodes, dtype=bool)
    budget = math.inf if max_work is None else max_work
    for _ in range(max_rounds):
        counts = first[active + 1] - first[active]
        total = int(counts.sum())
        budget -= total
        if budget < 0:
            break
        arcs = np.repeat(first[active] - (np.cumsum(counts) - counts), counts) + np.arange(total)
        cand = np.repeat(dist[active], counts) + cost[arcs]  # arcs grouped by (active) tail
        ends = head[arcs]
        better = cand < (dist[ends] - tolerance if tolerance else dist[ends])
        if not better.any():
            return dist, True
        improved = ends[better]
        np.minimum.at(dist, improved, cand[better])
        touched[improved] = True
        active = np.flatnonzero(touched)
        touched[active] = False
    return dist, False


@dataclass(frozen=True)
class Duals:
    """Integer LP duals of an optimal flow: ``weight_ij <= mentee[i] + mentor[j] + shift``.

    ``mentee`` and ``mentor`` are >= 0 and zero where complementary slackness needs it
    (unmatched mentee, mentor with a free seat); ``shift`` prices the fixed cardinality.
    ``converged`` is False if the potentials could not be computed exactly.
    """

    mentee: np.ndarray
    mentor: np.ndarray
    shift: int
    converged: bool
    potential: np.ndarray | None = None  # node potentials (n + m + 2), to warm-start again


def _mentor_level(
    graph: CandidateGraph, weight: np.ndarray, edge_of: np.ndarray, start: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The residual graph of ``_residual_arcs`` with the mentees taken out.

    A mentee has one residual arc in (from its mentor, or from the source if it is free), so
    its label is that arc's tail's label plus its cost (or its own start, if lower), and each
    path through it is one arc between mentor-level nodes (mentors ``0..m-1``, source ``m``,
    sink ``m + 1``): ``pred -> mentor`` for each unused edge, ``pred -> source`` for a
    matched mentee. Shortest distances then take half the label-correcting rounds.

    Returns the arcs (tail, head, cost), the nodes' start labels (every path that starts at a
    mentee's own label folded in), and per mentee its in-arc's tail, cost and start label.
    """
    n, m = graph.n_mentees, graph.n_mentors
    source, sink = m, m + 1
    used = np.zeros(graph.n_edges, dtype=bool)
    used[edge_of[edge_of >= 0]] = True
    matched = edge_of >= 0
    pred = np.where(matched, graph.mentor[np.maximum(edge_of, 0)], source).astype(np.int64)
    pred_cost = np.where(matched, weight[np.maximum(edge_of, 0)], 0)
    own = np.zeros(n, np.int64) if start is None else np.minimum(start[:n], 0)
    free = np.flatnonzero(~used)
    mentee, mentor = graph.mentee[free], graph.mentor[free].astype(np.int64)
    load = np.bincount(graph.mentor[used], minlength=m)
    room, busy = np.flatnonzero(load < graph.capacity), np.flatnonzero(load > 0)
    matched_i = np.flatnonzero(matched)
    tail = [pred[mentee], pred[matched_i], room, np.full(len(busy), sink)]
    head = [mentor, np.full(len(matched_i), source), np.full(len(room), sink), busy]
    cost = [pred_cost[mentee] - weight[free], pred_cost[matched_i]]
    cost.append(np.zeros(len(room) + len(busy), np.int64))
    label = np.zeros(m + 2, np.int64) if start is None else np.minimum(start[n:], 0)
    np.minimum.at(label, mentor, own[mentee] - weight[free])
    np.minimum.at(label, np.full(len(matched_i), source), own[matched_i])
    arcs = (np.concatenate(tail), np.concatenate(head), np.concatenate(cost))
    return (*arcs, label.astype(np.int64), pred, pred_cost, own)


def _bellman_ford(
    n_nodes: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, bool]:
    """:func:`shortest_distances` from ``start`` (labels <= 0) by SciPy's Bellman-Ford, on the
    graph with parallel arcs merged (the cheapest kept) and a root joined to each node at its
    start label. Float64 is exact here (integer sums far below 2**53)."""
    cheapest = np.full(n_nodes * n_nodes, np.iinfo(np.int64).max)
    np.minimum.at(cheapest, tail * n_nodes + head, cost)
    cells = np.flatnonzero(cheapest < np.iinfo(np.int64).max)
    root = n_nodes
    rows = np.concatenate([cells // n_nodes, np.full(n_nodes, root)])
    columns = np.concatenate([cells % n_nodes, np.arange(n_nodes)])
    length = np.concatenate([cheapest[cells], start]).astype(np.float64)
    matrix = csr_array((length, (rows, columns)), shape=(n_nodes + 1, n_nodes + 1))
    try:  # explicit zeros stay arcs in SciPy's sparse graphs
        dist = bellman_ford(matrix, directed=True, indices=root)
    except NegativeCycleError:
        return np.minimum(start, 0), False
    return np.minimum(dist[:n_nodes], 0).astype(np.int64), True


def residual_potentials(
    graph: CandidateGraph, weight: np.ndarray, edge_of: np.ndarray, start: np.ndarray | None
) -> tuple[np.ndarray, bool]:
    """Node potentials (``n + m + 2``, numbered as in ``flow``) of the residual graph of the
    assignment ``edge_of``: ``cost + d[tail] - d[head] >= 0`` on every residual arc when it
    is a least-cost flow, found on the mentor-level graph (``_mentor_level``). ``start``:
    potentials of a similar flow to begin from. Returns them and whether they converged."""
    n, m = graph.n_mentees, graph.n_mentors
    tail, head, cost, label, pred, pred_cost, own = _mentor_level(graph, weight, edge_of, start)
    dense = start is None and (m + 2) ** 2 <= DENSE_PAIRS
    rounds = max(MAX_POTENTIAL_ROUNDS, m + 3)
    work = max(MAX_POTENTIAL_ROUNDS * len(tail), MIN_POTENTIAL_WORK)
    if dense:
        merged = int(np.count_nonzero(np.bincount(tail * (m + 2) + head, minlength=(m + 2) ** 2)))
        rounds, work = MAX_POTENTIAL_ROUNDS, (m + 2) * merged // SCAN_RATIO
    level, converged = shortest_distances(
        m + 2, tail, head, cost, rounds, start=label, max_work=work
    )
    if dense and not converged:
        level, converged = _bellman_ford(m + 2, tail, head, cost, label)
    has_edges = np.bincount(graph.mentee, minlength=n) > 0
    mentee = np.where(has_edges, np.minimum(own, level[pred] + pred_cost), own)
    return np.concatenate([mentee, level]), converged


def flow_duals(
    graph: CandidateGraph,
    weights: IntegerWeights,
    edge_of: np.ndarray,
    start: np.ndarray | None = None,
) -> Duals:
    """Duals from the node potentials of an optimal flow's residual graph.

    ``start``: potentials of a previous, similar flow (``Duals.potential``) to begin from.

    With ``d`` the potentials: mentor ``max(d[t] - d[j], 0)``, shift ``d[s] - d[t]``, and a
    matched mentee takes the slack of its own edge (0 if unmatched). The residual arcs
    (i->j unused, j->i used, i->s, s->i, j->t, t->j) give feasibility on every edge of
    ``graph``, non-negativity, and complementary slackness: a proof ``edge_of`` is optimal.
    """
    n, m = graph.n_mentees, graph.n_mentors
    if graph.n_edges == 0:
        return Duals(np.zeros(n, np.int64), np.zeros(m, np.int64), 0, True)
    dist, converged = residual_potentials(graph, weights.weight, edge_of, start)
    shift = int(dist[n + m] - dist[n + m + 1])
    mentor = np.maximum(dist[n + m + 1] - dist[n : n + m], 0)
    used = np.maximum(edge_of, 0)
    tight = weights.weight[used] - mentor[graph.mentor[used]] - shift
    mentee = np.where(edge_of >= 0, tight, 0)
    return Duals(mentee, mentor, shift, converged, dist)


def flow_prices(graph: CandidateGraph, weights: IntegerWeights, edge_of: np.ndarray) -> np.ndarray:
    """Mentor prices (float, >= 0) from the potentials of an optimal flow's residual graph.

    ``edge_of`` must be optimal for ``weights`` (as from
    :func:`~tandem.matching.solvers.flow.optimal_edges`); then the residual graph has no
    negative cycle and the potentials are LP duals. Any prices give a valid bound anyway.
    """
    return flow_duals(graph, weights, edge_of).mentor.astype(np.float64) * weights.step


def _maximum_by(value: np.ndarray, key: np.ndarray, new: np.ndarray) -> None:
    """``np.maximum.at(value, key, new)``, by segments when ``key`` is grouped (far faster)."""
    heads = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    if len(heads) * 8 < len(key) and np.all(key[1:] >= key[:-1]):
        np.maximum.at(value, key[heads], np.maximum.reduceat(new, heads))
    else:
        np.maximum.at(value, key, new)


def lagrangian_bound(
    graph: CandidateGraph,
    prices: np.ndarray,
    n_slots: int,
    *,
    exact_cardinality: bool = False,
    outside_bound: np.ndarray | None = None,
) -> float:
    """``topK(v) + sum_j c_j p_j``: an upper bound on any assignment's total (module notes).

    ``n_slots`` is K, the most mentees any assignment can match; with
    ``exact_cardinality`` the bound only covers assignments matching exactly K mentees.
    """
    prices = np.maximum(np.asarray(prices, dtype=np.float64), 0.0)
    value = np.full(graph.n_mentees, -np.inf)
    for lo in range(0, graph.n_edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        _maximum_by(value, graph.mentee[part], graph.score[part] - prices[graph.mentor[part]])
    open_mentors = graph.capacity > 0
    if outside_bound is not None and open_mentors.any():
        cheapest = float(prices[open_mentors].min())
        value = np.maximum(value, np.asarray(outside_bound, dtype=np.float64) - cheapest)
    if not exact_cardinality:
        value = np.maximum(value, 0.0)
    k = min(int(n_slots), graph.n_mentees)
    top = np.partition(value, graph.n_mentees - k)[graph.n_mentees - k :] if k else value[:0]
    terms = np.concatenate([top, graph.capacity * prices])
    if not np.isfinite(terms).all():
        return math.inf
    # fsum is exact to one rounding; the margin covers it so the bound stays proven.
    total = math.fsum(terms.tolist())
    return total + 4 * np.finfo(float).eps * math.fsum(np.abs(terms).tolist())
