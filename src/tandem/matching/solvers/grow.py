"""Where a candidate set's certificate fails on the whole graph, and which pairs to add.

The optimum on a candidate subgraph is optimal on the whole graph when two certificates,
both taken from the subgraph's own flow, hold for *every* pair of the whole graph:

- cardinality (König): in the residual graph of a maximum flow, let ``R`` be the nodes
  reachable from the free mentees. Unreachable mentees plus reachable mentors form a cut whose
  capacity is the flow value; it stays a cut of the whole graph unless some pair joins a
  reachable mentee to an unreachable mentor. No such pair: no assignment matches more.
- total (LP duality): the flow's duals ``u, v >= 0`` and ``shift`` cover every pair
  (``weight <= u_i + v_j + shift``); a pair outside the subgraph with a positive reduced
  cost is the only kind that could improve the total.

:func:`failures` finds both kinds in one pass; :func:`best_per_mentee` keeps the few most
promising of each mentee, so the subgraph grows only where the certificate says it is short.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy as sp

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.bounds import Duals
from tandem.matching.solvers.flow import IntegerWeights
from tandem.matching.solvers.order import CHUNK

# Pairs added per mentee and round, for each of the two certificates.
ADD_PER_MENTEE = 4
# Above this many failing pairs, the per-mentee choice uses a padded table, not a sort.
SORT_AT_MOST = 1 << 19
# A pair that reaches a mentor with a free seat completes an augmenting path: try it first.
# In a row that fails, pairs within this fraction of the weight range of failing join too,
# so that the next round's duals (which move) find them already there.
NEAR = 0.02
ROOM_FIRST = 4.0


def residual_reach(graph: CandidateGraph, edge_of: np.ndarray) -> np.ndarray:
    """Bool over the ``n + m`` nodes: reachable from a free mentee in the residual graph.

    ``edge_of`` must be a maximum assignment of ``graph`` (then no mentor with a free seat
    is reachable, and the sink never is).

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 1], [0, 0], [1.0, 1.0], [1, 1])
    >>> residual_reach(g, np.array([0, -1])).tolist()  # mentee 1 -> mentor 0 -> mentee 0
    [True, True, True, False]
    """
    n, m = graph.n_mentees, graph.n_mentors
    used = np.zeros(graph.n_edges, dtype=bool)
    used[edge_of[edge_of >= 0]] = True
    free = np.flatnonzero(edge_of < 0)  # with edges here or not: the whole graph may have some
    root = n + m
    mentee, mentor = graph.mentee.astype(np.int64), graph.mentor.astype(np.int64) + n
    tails = np.concatenate([np.where(used, mentor, mentee), np.full(len(free), root)])
    heads = np.concatenate([np.where(used, mentee, mentor), free])
    arcs = sp.sparse.csr_matrix(
        (np.ones(len(tails), dtype=np.int8), (tails, heads)), shape=(root + 1, root + 1)
    )
    order = sp.sparse.csgraph.breadth_first_order(
        arcs, root, directed=True, return_predecessors=False
    )
    reach = np.zeros(root + 1, dtype=bool)
    reach[order] = True
    return reach[:root]


def failures(
    graph: CandidateGraph,
    weights: IntegerWeights,
    duals: Duals,
    reach: np.ndarray,
    room: np.ndarray,
    ids: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of ``graph`` (or of its edges ``ids``) where a certificate fails, with priorities.

    Returns ``(cut_ids, cut_key, dual_ids, dual_key)``: pairs crossing the cardinality cut
    (key: score, plus ``ROOM_FIRST`` towards a mentor with a free seat) and pairs with a
    positive reduced cost (key: the reduced cost). ``weights`` gives the integer scale
    (offset and step) of the duals; ``room`` is True for mentors with a free seat.
    """
    n, low, step = graph.n_mentees, weights.offset, weights.step
    total = graph.n_edges if ids is None else len(ids)
    cut_ids, cut_key, dual_ids, dual_key = [], [], [], []
    for lo in range(0, total, CHUNK):
        edge = np.arange(lo, min(lo + CHUNK, total)) if ids is None else ids[lo : lo + CHUNK]
        i, j, score = graph.mentee[edge], graph.mentor[edge], graph.score[edge]
        crossing = np.flatnonzero(reach[i] & ~reach[n + j])
        cut_ids.append(edge[crossing])
        bonus = np.where(room[j[crossing]], ROOM_FIRST, 0.0)
        cut_key.append(score[crossing] + bonus)
        weight = np.rint((score - low) / step).astype(np.int64)
        reduced = weight - duals.mentee[i] - duals.mentor[j] - duals.shift
        positive = np.flatnonzero(reduced > 0)
        dual_ids.append(edge[positive])
        dual_key.append(reduced[positive].astype(np.float64))
    empty = [np.empty(0, np.int64)]
    return (
        np.concatenate(cut_ids or empty),
        np.concatenate(cut_key or empty),
        np.concatenate(dual_ids or empty),
        np.concatenate(dual_key or empty),
    )


def best_per_mentee(
    graph: CandidateGraph, ids: np.ndarray, key: np.ndarray, per_mentee: int | None = None
) -> np.ndarray:
    """The ``per_mentee`` highest-``key`` pairs of each mentee among ``ids`` (edge ids).

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 3, [0, 0, 0, 1], [0, 1, 2, 0], [0, 0, 0, 0], [1] * 3)
    >>> best_per_mentee(g, np.array([0, 1, 2, 3]), np.array([0.1, 0.9, 0.5, 0.2]), 2).tolist()
    [1, 2, 3]
    """
    per_mentee = per_mentee or ADD_PER_MENTEE
    if len(ids) == 0:
        return ids
    mentee = graph.mentee[ids]
    grouped = len(ids) > SORT_AT_MOST and bool(np.all(np.diff(mentee) >= 0))
    if not grouped:
        order = np.lexsort((-key, mentee))
        mentee = mentee[order]
        first = np.r_[True, mentee[1:] != mentee[:-1]]
        starts = np.flatnonzero(first)
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        return np.sort(ids[order[rank < per_mentee]])
    # ids grouped by mentee: one row per mentee in a padded table, one partial sort per row.
    starts = np.flatnonzero(np.r_[True, mentee[1:] != mentee[:-1]])
    counts = np.diff(np.r_[starts, len(ids)])
    row = np.repeat(np.arange(len(starts)), counts)
    column = np.arange(len(ids)) - starts[row]
    width = int(counts.max())
    table = np.full((len(starts), width), -np.inf)
    table[row, column] = key
    take = min(per_mentee, width)
    best = np.argpartition(-table, take - 1, axis=1)[:, :take]
    real = best < counts[:, None]
    return np.sort(ids[(starts[:, None] + best)[real]])


@dataclass(frozen=True)
class Table:
    """A nearly complete graph as two mentee x mentor tables: the integer weight of each pair
    (-inf where there is no edge) and its edge id (-1). Certificates are then checked with
    broadcasting instead of gathers, and each mentee's best pairs with one partial sort."""

    weight: np.ndarray
    edge: np.ndarray
    top: float  # the largest weight
    mentor_of: np.ndarray  # the graph's mentor per edge id

    def best(self, k: int, per_mentor: int) -> np.ndarray:
        """Edge ids of each mentee's ``k`` best pairs, and of each mentor that fewer than
        ``per_mentor`` of those lists name, its ``per_mentor`` best mentees."""
        rows = _row_best(self.edge, self.weight, k)
        named = np.bincount(self.edge_mentor(rows), minlength=self.weight.shape[1])
        short = np.flatnonzero(named < per_mentor)
        if len(short) == 0:
            return rows
        weight = np.ascontiguousarray(self.weight[:, short].T)
        edge = np.ascontiguousarray(self.edge[:, short].T)
        return np.union1d(rows, _row_best(edge, weight, per_mentor))

    def edge_mentor(self, ids: np.ndarray) -> np.ndarray:
        """The mentor (table column) of each edge id in ``ids``."""
        return self.mentor_of[ids]

    def failures(
        self, duals: Duals, reach: np.ndarray, room: np.ndarray, per_mentee: int | None = None
    ) -> np.ndarray:
        """Per mentee, the ``per_mentee`` best pairs of each kind where a certificate fails
        (see :func:`failures`): edge ids, empty when the solution is proven. A mentor with a
        free seat beyond the cut also gets its ``2 * per_mentee`` best reachable mentees."""
        n, per_mentee = len(self.weight), per_mentee or ADD_PER_MENTEE
        found = []
        if reach[:n].any():  # cardinality: reachable mentee -> unreachable mentor
            rows, columns = np.flatnonzero(reach[:n]), np.flatnonzero(~reach[n:])
            key = self.weight[np.ix_(rows, columns)]
            key += np.where(room[columns], 2 * self.top + 1, 0.0)
            edge = self.edge[np.ix_(rows, columns)]
            open_ = np.flatnonzero(room[columns])  # and each mentor with room, its best ones
            found.append(_row_best(edge, key, per_mentee))
            found.append(_row_best(edge[:, open_].T, key[:, open_].T, 2 * per_mentee))
        price = duals.mentor.astype(np.float64)
        cover = (duals.mentee + duals.shift).astype(np.float64)
        margin = -NEAR * self.top
        for lo in range(0, n, BLOCK_ROWS):  # blocks of rows stay in cache
            block = slice(lo, lo + BLOCK_ROWS)
            reduced = self.weight[block] - price
            reduced -= cover[block, None]
            rows = np.flatnonzero(reduced.max(axis=1) > 0)
            if len(rows):
                found.append(_row_best(self.edge[block][rows], reduced[rows], per_mentee, margin))
        return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)


def _row_best(edge: np.ndarray, key: np.ndarray, k: int, above: float = -np.inf) -> np.ndarray:
    """Edge ids of each row's ``k`` highest keys that are ``> above`` (``key`` is a table)."""
    width = key.shape[1]
    if width == 0:
        return np.empty(0, np.int64)
    k = min(k, width)
    best = np.argpartition(key, width - k, axis=1)[:, width - k :]
    good = np.take_along_axis(key, best, 1) > above
    return np.take_along_axis(edge, best, 1)[good].astype(np.int64)


# A table of at most this many cells (two arrays of 8 and 4 bytes a cell) is worth building.
MAX_TABLE_CELLS = 40_000_000
BLOCK_ROWS = 256


def table_of(graph: CandidateGraph, weights: IntegerWeights) -> Table | None:
    """:class:`Table` of ``graph`` if it is nearly complete and small enough, else None."""
    n, m, edges = graph.n_mentees, graph.n_mentors, graph.n_edges
    if n * m > MAX_TABLE_CELLS or n * m > edges + edges // 4 or edges >= 2**31:
        return None
    if edges == n * m and _row_major(graph):  # every pair, in order: the table is a view
        weight = np.rint((graph.score - weights.offset) / weights.step).reshape(n, m)
        edge = np.arange(edges, dtype=np.int32).reshape(n, m)
        return Table(weight, edge, float(weight.max()), graph.mentor)
    weight = np.full((n, m), -np.inf)
    edge = np.full((n, m), -1, dtype=np.int32)
    for lo in range(0, edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        i, j = graph.mentee[part], graph.mentor[part]
        weight[i, j] = np.rint((graph.score[part] - weights.offset) / weights.step)
        edge[i, j] = np.arange(lo, lo + len(i), dtype=np.int32)
    return Table(weight, edge, float(weight.max()), graph.mentor)


def _row_major(graph: CandidateGraph) -> bool:
    """Whether edge ``i * m + j`` is the pair (i, j) for every mentee i and mentor j."""
    n, m = graph.n_mentees, graph.n_mentors
    return bool(
        np.array_equal(graph.mentor.reshape(n, m), np.broadcast_to(np.arange(m), (n, m)))
        and np.array_equal(graph.mentee[::m], np.arange(n))
        and np.all(np.diff(graph.mentee) >= 0)
    )
