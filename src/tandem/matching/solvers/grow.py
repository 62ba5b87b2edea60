"""Where a candidate set's certificate fails on the whole graph, and which pairs to add.

The optimum on a candidate subgraph is optimal on the whole graph when two certificates,
both taken from the subgraph's own flow, hold for *every* pair of the whole graph:

- cardinality (König): in the residual graph of a maximum flow, let ``R`` be the nodes
  reachable from the free mentees (``flow.max_assignment``). Unreachable mentees plus
  reachable mentors form a cut whose capacity is the flow value; it stays a cut of the
  whole graph unless some pair joins a reachable mentee to an unreachable mentor. No such
  pair: no assignment matches more.
- total (LP duality): the flow's duals ``u, v >= 0`` and ``shift`` cover every pair
  (``weight <= u_i + v_j + shift``); a pair outside the subgraph with a positive reduced
  cost is the only kind that could improve the total.

:func:`cut_failures` and :func:`dual_failures` find each kind in one pass;
:func:`best_per_mentee` keeps the few most promising of each mentee, so the subgraph grows only
where the certificate says it is short.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.bounds import Duals
from tandem.matching.solvers.flow import IntegerWeights
from tandem.matching.solvers.order import CHUNK, best_columns, rotation, tie_broken

# Pairs added per mentee and round for the total's certificate.
ADD_PER_MENTEE = 4
# Pairs added per reachable mentee and round for the cardinality's (a max-flow round is cheap,
# but 8 reach the maximum cardinality in one round where 4 took three, and the shortlist it
# leaves needed one min-cost flow fewer on clustered-mixed: 2.3 s of CPU against 2.5 s).
CUT_PER_MENTEE = 8
# Above this many failing pairs, the per-mentee choice uses a padded table, not a sort.
SORT_AT_MOST = 1 << 19
# A pair that reaches a mentor with a free seat completes an augmenting path: try it first.
# In a row that fails, pairs within this fraction of the weight range of failing join too,
# so that the next round's duals (which move) find them already there.
NEAR = 0.02
ROOM_FIRST = 4.0


def _chunks(
    graph: CandidateGraph,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """``(edge ids, mentee, mentor, score)`` of ``graph`` by chunks of ``CHUNK`` edges."""
    for lo in range(0, graph.n_edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        edge = np.arange(lo, min(lo + CHUNK, graph.n_edges))
        yield edge, graph.mentee[part], graph.mentor[part], graph.score[part]


def _joined(ids: list[np.ndarray], keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    if not ids:
        return np.empty(0, np.int64), np.empty(0)
    return np.concatenate(ids), np.concatenate(keys)


def cut_failures(
    graph: CandidateGraph, reach: np.ndarray, room: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``graph`` crossing the cardinality cut ``reach`` (a reachable mentee, an
    unreachable mentor), with their priority: the score, plus ``ROOM_FIRST`` towards a mentor
    with a free seat (``room``)."""
    n, ids, keys = graph.n_mentees, [], []
    for edge, i, j, score in _chunks(graph):
        crossing = np.flatnonzero(reach[i] & ~reach[n + j])
        ids.append(edge[crossing])
        keys.append(score[crossing] + np.where(room[j[crossing]], ROOM_FIRST, 0.0))
    return _joined(ids, keys)


def dual_failures(
    graph: CandidateGraph, weights: IntegerWeights, duals: Duals
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``graph`` with a positive reduced cost under ``duals``, with it as priority;
    ``weights`` gives the integer scale (offset and step) of the duals."""
    low, step, ids, keys = weights.offset, weights.step, [], []
    for edge, i, j, score in _chunks(graph):
        weight = np.rint((score - low) / step).astype(np.int64)
        reduced = weight - duals.mentee[i] - duals.mentor[j] - duals.shift
        positive = np.flatnonzero(reduced > 0)
        ids.append(edge[positive])
        keys.append(reduced[positive].astype(np.float64))
    return _joined(ids, keys)


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
        key = tie_broken(key, mentee, graph.mentor[ids], graph.n_mentors)  # ties: spread
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
    if width <= per_mentee:
        return np.sort(ids)
    table = np.full((len(starts), width), -np.inf)
    table[row, column] = key
    best = best_columns(
        table, per_mentee, starts, graph.mentor[ids], mentee[starts], graph.n_mentors
    )
    real = best < counts[:, None]
    return np.sort(ids[(starts[:, None] + best)[real]])


@dataclass(frozen=True)
class Table:
    """A nearly complete graph as a mentee x mentor table of the integer weight of each pair.
    Certificates are then checked with broadcasting instead of gathers, and each mentee's best
    pairs with one partial sort.

    ``cells`` holds ``weight + 1`` as uint32 (weights are at most ``flow.COST_RANGE``), 0
    where there is no edge, and is read block by block as float64 weights with -inf there
    (:func:`_weights`): half the memory of float64, so half the page faults on a fresh
    process (building the 10,000 x 2,000 table: 0.13-0.22 s of CPU against 0.19-0.38 s) and
    half the bytes each check reads.

    A cell's edge id, for edges in row order (by mentee, then mentor), is its flat index less
    the ``absent`` cells before it (5 ms for 120,000 cells; a binary search in the mentee's
    edges took 27 ms), else ``edge`` (edge ids, -1 where absent: a second table costs its
    memory and page faults, 0.02-0.17 s of CPU for 10,000 x 2,000 on this machine).
    """

    cells: np.ndarray
    top: float  # the largest weight
    mentor_of: np.ndarray  # the graph's mentor per edge id
    absent: np.ndarray | None  # edges in row order: the flat index of each cell without one
    edge: np.ndarray | None = None  # otherwise: the edge id of each cell

    def edge_at(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Edge ids (int64) of the present cells ``(rows, columns)``."""
        if self.edge is not None:
            return self.edge[rows, columns].astype(np.int64)
        assert self.absent is not None
        cell = rows.astype(np.int64) * self.cells.shape[1] + columns
        order = np.argsort(cell, kind="stable")
        before = np.empty_like(cell)
        before[order] = np.searchsorted(self.absent, cell[order])
        return cell - before

    def best(self, k: int, per_mentor: int) -> np.ndarray:
        """Edge ids of each mentee's ``k`` best pairs, and of each mentor that fewer than
        ``per_mentor`` of those lists name, its ``per_mentor`` best mentees (an id may come
        twice here and in the checks below: they only mark a mask)."""
        rows = self.edge_at(*_row_best(self.cells, k))
        named = np.bincount(self.edge_mentor(rows), minlength=self.cells.shape[1])
        short = np.flatnonzero(named < per_mentor)
        if len(short) == 0:
            return rows
        column, mentee = _row_best(np.ascontiguousarray(self.cells[:, short].T), per_mentor)
        return np.concatenate([rows, self.edge_at(mentee, short[column])])

    def edge_mentor(self, ids: np.ndarray) -> np.ndarray:
        """The mentor (table column) of each edge id in ``ids``."""
        return self.mentor_of[ids]

    def cut_failures(
        self, reach: np.ndarray, room: np.ndarray, per_mentee: int | None = None
    ) -> np.ndarray:
        """Per reachable mentee, its ``per_mentee`` best pairs crossing the cardinality cut
        (those towards a mentor with a free seat first), and per mentor with a free seat
        beyond the cut, its ``2 * per_mentee`` best reachable mentees (see
        :func:`cut_failures`): edge ids, empty when the cardinality is proven."""
        n, per_mentee = len(self.cells), per_mentee or CUT_PER_MENTEE
        if not reach[:n].any():
            return np.empty(0, np.int64)
        rows, beyond = np.flatnonzero(reach[:n]), ~reach[n:]
        bonus = np.where(beyond, np.where(room, 2 * self.top + 1, 0.0), -np.inf)
        open_ = np.flatnonzero(room & beyond)
        # The reachable rows are read block by block (reachable mentors priced out): a copy
        # of them all is up to the whole table.
        row, column = _row_best(self.cells, per_mentee, rows=rows, add=bonus)
        found = [self.edge_at(rows[row], column)]
        key = _weights(self.cells[np.ix_(rows, open_)]) + bonus[open_]
        column, row = _row_best(np.ascontiguousarray(key.T), 2 * per_mentee)
        found.append(self.edge_at(rows[row], open_[column]))
        return np.concatenate(found)

    def dual_failures(self, duals: Duals, per_mentee: int | None = None) -> np.ndarray:
        """Per mentee with a pair of positive reduced cost, its ``per_mentee`` pairs of
        highest reduced cost and any within ``NEAR`` of the weight range of failing (see
        :func:`dual_failures`): edge ids, empty when the total is proven."""
        n, per_mentee = len(self.cells), per_mentee or ADD_PER_MENTEE
        price = duals.mentor.astype(np.float64)
        cover = (duals.mentee + duals.shift).astype(np.float64)
        margin, found_rows, found_columns = -NEAR * self.top, [], []
        buffer = np.empty((BLOCK_ROWS, self.cells.shape[1]))  # one, refilled: cache-warm
        for lo in range(0, n, BLOCK_ROWS):  # blocks of rows stay in cache
            block = slice(lo, lo + BLOCK_ROWS)
            # Integers: every step below is exact. A missing pair (cell 0) reads -1 - price
            # here, so a row may be kept that fails nowhere: its exact weights decide.
            reduced = buffer[: len(self.cells[block])]
            np.copyto(reduced, self.cells[block])
            reduced -= price + 1
            rows = np.flatnonzero(reduced.max(axis=1) > cover[block])
            failing = reduced[rows] - cover[lo + rows, None]
            failing[self.cells[lo + rows] == 0] = -np.inf
            fails = failing.max(axis=1) > 0
            if fails.any():
                row, column = _row_best(failing[fails], per_mentee, margin)
                found_rows.append(lo + rows[fails][row])
                found_columns.append(column)
        if not found_rows:
            return np.empty(0, np.int64)
        return self.edge_at(np.concatenate(found_rows), np.concatenate(found_columns))


def tie_spread(rows: int, width: int) -> np.ndarray:
    """A ``rows x width`` table in ``(0, 0.5]`` that orders each row's columns by a rotation
    of its own: row ``r`` prefers column ``offset_r``, then the next ones (cyclically), with
    the offsets spread over the columns (:func:`~tandem.matching.solvers.order.rotation`).

    Added to integer keys, it only orders equal keys. Without it, equal keys (all scores
    tied) are picked by position: every mentee then shortlists the same few mentors and
    the first max-flow matches a handful, where spread ties match nearly everyone.

    >>> tie_spread(2, 4).tolist()
    [[0.5, 0.375, 0.25, 0.125], [0.25, 0.125, 0.5, 0.375]]
    """
    rotated = (np.arange(width) - rotation(np.arange(rows), width)[:, None]) % width
    return 0.5 * (1.0 - rotated / width)


def _block_spread(rows: int, width: int) -> np.ndarray:
    """:func:`tie_spread` for a block of ``rows`` rows (a block of fewer rows takes its
    first ones): of ``BLOCK_ROWS`` rows, or of the power of two at or above ``rows`` when
    fewer (a transposed table of 37 mentors' columns is 10,000 wide: 256 rows of spread there
    cost 0.05 s), computed once per shape: the checks call :func:`_row_best` per block."""
    return _spread(min(BLOCK_ROWS, 1 << max(rows - 1, 0).bit_length()), width)


@lru_cache(maxsize=16)
def _spread(rows: int, width: int) -> np.ndarray:
    spread = tie_spread(rows, width)
    spread.flags.writeable = False
    return spread


def _row_best(
    key: np.ndarray,
    k: int,
    above: float = -np.inf,
    *,
    rows: np.ndarray | None = None,
    add: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(row, column)`` of each row's ``k`` highest keys that are ``> above`` (``key`` is a
    table of integers, or a :class:`Table`'s cells), by blocks of ``BLOCK_ROWS`` rows: the
    partial sort's temporaries stay in cache. Equal keys at the ``k``-th place are taken in
    each row's own rotation of the columns (:func:`tie_spread`), so that tied rows pick
    different columns. With ``rows``, the table is ``key[rows]`` (and ``row`` indexes
    ``rows``); with ``add``, each row is ``key`` plus ``add`` (per column): both read block by
    block, never copied whole."""
    width = key.shape[1]
    count = len(key) if rows is None else len(rows)
    if width == 0 or count == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    k, found_rows, columns = min(k, width), [], []
    filler = FILLER * (2 - np.arange(width) / width)  # distinct, below every real key
    spread = _block_spread(count, width)
    buffer = np.empty(spread.shape)
    for lo in range(0, count, BLOCK_ROWS):
        keys = key[lo : lo + BLOCK_ROWS] if rows is None else key[rows[lo : lo + BLOCK_ROWS]]
        least = max(above, FILLER)
        if keys.dtype == np.uint32 and add is None:  # weight + 1, 0 where missing: in order
            block = buffer[: len(keys)]  # converted into one buffer, refilled: cache-warm
            np.copyto(block, keys)
            block += spread[: len(keys)]
            least = max(above + 1, 0)
        else:
            keys = _weights(keys) if keys.dtype == np.uint32 else keys
            keys = keys if add is None else keys + add
            block = np.maximum(keys, filler, out=buffer[: len(keys)])  # -inf: the filler
            block += spread[: len(block)]
        best = _largest(block, k)
        row, at = np.nonzero(np.take_along_axis(keys, best, 1) > least)
        found_rows.append(row + lo)
        columns.append(best[row, at])
    return np.concatenate(found_rows).astype(np.int64), np.concatenate(columns).astype(np.int64)


def _largest(block: np.ndarray, k: int) -> np.ndarray:
    """Column of each row's ``k`` largest values (distinct within a row), as a partial sort
    would find them, but several times faster on wide rows: the ``k``-th largest of every
    ``stride``-th column is a lower bound of the row's own, so only the values at or above it
    (about ``k * stride`` a row) go into the partial sort.

    >>> np.sort(_largest(np.array([[5.0, 1.0, 4.0, 2.0, 3.0, 0.0]]), 2)).tolist()
    [[0, 2]]
    """
    rows, width = block.shape
    stride = width // (SAMPLE_PER_PICK * k)
    if stride < 2:
        return np.argpartition(block, width - k, axis=1)[:, width - k :]
    sample = block[:, ::stride]
    bound = np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k]
    flat = np.flatnonzero(block >= bound[:, None])  # not (row, column) pairs: 35 % faster
    row = flat // width
    column = flat - row * width
    counts = np.bincount(row, minlength=rows)
    starts = np.cumsum(counts) - counts
    wide = int(counts.max())
    kept = np.full((rows, wide), -np.inf)  # below every value: never among a row's k
    kept.ravel()[row * wide + np.arange(len(row)) - starts[row]] = np.ravel(block)[flat]
    at = np.sort(np.argpartition(kept, wide - k, axis=1)[:, wide - k :], axis=1)
    return column[starts[:, None] + at]


# Columns sampled per pick in :func:`_largest` (a sample of ``SAMPLE_PER_PICK * k`` columns).
SAMPLE_PER_PICK = 32
# Absent pairs (-inf) are many equal keys, on which a partial sort is several times slower;
# :func:`_row_best` replaces them by distinct values below this, far below any real key.
FILLER = -1e300
# A table of at most this many cells (two arrays of 8 and 4 bytes a cell) is worth building.
MAX_TABLE_CELLS = 40_000_000
BLOCK_ROWS = 256


def table_of(
    graph: CandidateGraph, weights: IntegerWeights, floor: float | None = None
) -> Table | None:
    """:class:`Table` of ``graph`` if it is nearly complete and small enough, else None.

    With ``floor``, the pairs scoring below it are left out (as if absent from the graph).
    """
    n, m, edges = graph.n_mentees, graph.n_mentors, graph.n_edges
    if n * m > MAX_TABLE_CELLS or n * m > edges + edges // 4 or edges >= 2**31:
        return None
    flat = np.zeros(n * m, np.uint32)  # filled by flat index: far faster than by (i, j)
    ordered, last = True, -1  # whether the cells come in increasing order (row order)
    absent: list[np.ndarray] = []
    for lo in range(0, edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        cell = graph.mentee[part].astype(np.int64) * m + graph.mentor[part]
        ordered = ordered and _skipped(cell, last, absent)
        last = int(cell[-1])
        score = graph.score[part]
        if floor is not None:
            cell, score = cell[score >= floor], score[score >= floor]
        flat[cell] = np.rint((score - weights.offset) / weights.step).astype(np.uint32) + 1
    top, cells = float(flat.max()) - 1, flat.reshape(n, m)
    if ordered:
        absent.append(np.arange(last + 1, n * m))
        return Table(cells, top, graph.mentor, np.concatenate(absent))
    flat_edge = np.full(n * m, -1, dtype=np.int32)
    for lo in range(0, edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        keep = slice(None) if floor is None else graph.score[part] >= floor
        cell = graph.mentee[part].astype(np.int64) * m + graph.mentor[part]
        flat_edge[cell[keep]] = np.arange(lo, lo + len(cell), dtype=np.int32)[keep]
    return Table(cells, top, graph.mentor, None, edge=flat_edge.reshape(n, m))


def _skipped(cell: np.ndarray, last: int, absent: list[np.ndarray]) -> bool:
    """Whether ``cell`` increases from ``last``; if so, the cells it skips join ``absent``."""
    step = np.diff(cell, prepend=last)
    if step.min() <= 0:
        return False
    gap = np.flatnonzero(step != 1)
    length, first = step[gap] - 1, cell[gap] - step[gap] + 1
    offset = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    absent.append(np.repeat(first, length) + offset)
    return True


def _weights(cells: np.ndarray) -> np.ndarray:
    """The integer weights (float64, -inf where there is no edge) of some of a
    :class:`Table`'s cells."""
    weight = cells.astype(np.float64)
    weight -= 1
    weight[cells == 0] = -np.inf
    return weight
