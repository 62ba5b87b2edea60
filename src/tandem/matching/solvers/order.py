"""Per-mentee preference lists of a COO graph, sorted without edge-sized temporaries."""

from __future__ import annotations

import numpy as np

from tandem.matching.graph import CandidateGraph

# Edges are keyed in chunks so that no temporary as large as the edge list is allocated.
CHUNK = 1 << 20


def _descending_key(pref: np.ndarray, mentee: np.ndarray, bits: int) -> np.ndarray:
    """``mentee << bits`` plus the leading bits of ``pref``'s rank, descending."""
    key = pref.view(np.int64).copy()
    key ^= (key >> 63) & np.int64(0x7FFFFFFFFFFFFFFF)  # float order == signed int order
    key += (key >> 63) & 1  # -0.0 joins +0.0
    key >>= 64 - bits
    np.subtract(np.int64((1 << (bits - 1)) - 1), key, out=key)  # descending, >= 0
    key |= mentee.astype(np.int64) << bits
    return key


GOLDEN = (5**0.5 - 1) / 2  # spreads consecutive rows evenly over the columns


def rotation(rows: np.ndarray, width: int) -> np.ndarray:
    """Per row, the column its ties start from: rows spread over ``range(width)`` by the
    golden ratio, so that rows with equal keys prefer different columns.

    >>> rotation(np.arange(4), 10).tolist()
    [0, 6, 2, 8]
    """
    return np.floor(rows * GOLDEN % 1.0 * width).astype(np.int64)


def tie_broken(
    key: np.ndarray, mentee: np.ndarray, mentor: np.ndarray, n_mentors: int
) -> np.ndarray:
    """int64 keys in the order of the float ``key`` (larger first), equal keys in each
    mentee's :func:`rotation` of the mentors: for picking a row's best pairs, never for
    scoring them (floats that differ only in their last ``log2(n_mentors)`` bits tie).

    >>> key = tie_broken(np.full(8, 0.5), np.repeat([0, 1], 4), np.tile(np.arange(4), 2), 4)
    >>> int(key[:4].argmax()), int(key[4:].argmax())  # mentee 1's rotation starts at 2
    (0, 2)
    """
    bits = max(1, int(n_mentors).bit_length())
    order = key.astype(np.float64).view(np.int64)
    order = order ^ ((order >> 63) & np.int64(0x7FFFFFFFFFFFFFFF))  # float order == int order
    place = (mentor.astype(np.int64) - rotation(mentee, n_mentors)) % max(n_mentors, 1)
    return ((order >> bits) << bits) | ((1 << bits) - 1 - place)


def best_columns(
    table: np.ndarray,
    k: int,
    first: np.ndarray,
    mentor: np.ndarray,
    row_mentee: np.ndarray,
    n_mentors: int,
) -> np.ndarray:
    """Columns of each row's ``k`` largest values in a padded table (``-inf`` padding, more
    than ``k`` columns). In a row whose ``k``-th and ``(k+1)``-th values are equal, ties go by
    :func:`tie_broken`; cell ``(r, c)`` is the pair of mentee ``row_mentee[r]`` and mentor
    ``mentor[first[r] + c]``. Rows without such a tie cost one partial sort only.

    >>> table = np.array([[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]])
    >>> best_columns(table, 1, np.array([0, 4]), np.tile(np.arange(4), 2), np.arange(2), 4)
    array([[0],
           [2]])
    """
    width = table.shape[1]
    best = np.argpartition(table, (width - k - 1, width - k), axis=1)
    edge = np.take_along_axis(table, best[:, width - k - 1 : width - k + 1], axis=1)
    best = best[:, width - k :]
    tied = np.flatnonzero(edge[:, 0] == edge[:, 1])
    if len(tied):
        cell = np.minimum(first[tied, None] + np.arange(width), len(mentor) - 1)
        values = table[tied]
        key = tie_broken(values, row_mentee[tied, None], mentor[cell], n_mentors)
        key[~np.isfinite(values)] = np.iinfo(np.int64).min
        best[tied] = np.argpartition(key, width - k, axis=1)[:, width - k :]
    return best


def mentee_order(graph: CandidateGraph, mentee_pref: np.ndarray) -> np.ndarray:
    """Edge ids sorted by (mentee, preference descending, mentor from the mentee's
    :func:`rotation` on): each mentee's list. Equal preferences in the same order for every
    mentee would send them all to the same mentors (one stable-matching round per mentor).

    One int64 sort on (mentee, leading bits of the preference); edges whose keys collide
    (equal or nearly equal preferences) are then re-sorted exactly.
    """
    bits = 62 - max(1, int(graph.n_mentees).bit_length())
    key = np.empty(graph.n_edges, dtype=np.int64)
    for lo in range(0, graph.n_edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        key[part] = _descending_key(mentee_pref[part], graph.mentee[part], bits)
    order = np.argsort(key)
    ties = []
    for lo in range(0, graph.n_edges, CHUNK):
        sorted_key = key[order[max(lo - 1, 0) : lo + CHUNK]]
        ties.append(np.flatnonzero(sorted_key[1:] == sorted_key[:-1]) + max(lo - 1, 0))
    tie = np.concatenate(ties) if ties else np.empty(0, np.int64)
    if len(tie):
        slot = np.zeros(graph.n_edges, dtype=bool)  # a mask: np.union1d hashes (seconds)
        slot[tie] = True
        slot[tie + 1] = True
        slots = np.flatnonzero(slot)
        tied = order[slots]
        rotated = (graph.mentor[tied] - rotation(graph.mentee[tied], graph.n_mentors)) % max(
            graph.n_mentors, 1
        )
        exact = np.lexsort((rotated, -mentee_pref[tied], key[tied]))
        order[slots] = tied[exact]
    return order


def list_starts(graph: CandidateGraph) -> np.ndarray:
    """Offsets of each mentee's list in :func:`mentee_order` (length ``n_mentees + 1``)."""
    counts = np.zeros(graph.n_mentees, dtype=np.int64)
    for lo in range(0, graph.n_edges, CHUNK):
        counts += np.bincount(graph.mentee[lo : lo + CHUNK], minlength=graph.n_mentees)
    return np.r_[0, np.cumsum(counts)]


# Per mentee, the best this many edges are sorted up front; the rest only if the list gets there.
PREFIX = 64


class PreferenceLists:
    """:func:`mentee_order`, sorted only as far as it is read (most mentees of a stable
    matching stop near the top of their lists).

    ``order[starts[i] : ready[i]]`` is mentee ``i``'s list so far, exactly as in
    :func:`mentee_order`; :meth:`ensure` sorts the rest of a list when it is reached. Up front,
    each mentee's first ``PREFIX`` edges in that order are sorted (:meth:`_prefix`). Edges
    not grouped by mentee, or preferences with NaN, are sorted whole at once. ``placed`` marks
    the edges already in ``order``.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(1, 3, [0, 0, 0], [0, 1, 2], [0.2, 0.9, 0.9], [1] * 3)
    >>> lists = PreferenceLists(g, g.score)
    >>> lists.ensure(np.array([0]), np.array([0]))
    >>> lists.order.tolist(), lists.ready.tolist()
    ([1, 2, 0], [3])
    """

    def __init__(self, graph: CandidateGraph, pref: np.ndarray):
        self.graph, self.pref = graph, pref
        self.starts = list_starts(graph)
        n, edges = graph.n_mentees, graph.n_edges
        grouped = edges > 2 * PREFIX * n and bool(np.all(graph.mentee[1:] >= graph.mentee[:-1]))
        if not grouped or bool(np.isnan(pref).any()):
            self.order = mentee_order(graph, pref)
            self.ready = self.starts[1:].copy()
            self.placed = np.ones(edges, dtype=bool)
            return
        self.order = np.empty(edges, dtype=np.int64)
        self.ready = self.starts[:-1].copy()
        self.placed = self._prefix()
        self._place(np.flatnonzero(self.placed))

    def _prefix(self) -> np.ndarray:
        """Per edge, whether it is among the first ``PREFIX`` of its mentee's list: the
        preferences above the ``PREFIX``-th highest, then of those equal to it the first in
        the mentee's :func:`rotation`. Every edge level with the ``PREFIX``-th was taken
        before, so with two-valued or equal scores whole lists were sorted up front, ties and
        all (families check: stable 8x slower on two-valued scores than on uniform ones)."""
        g, starts, n = self.graph, self.starts, self.graph.n_mentees
        prefix = np.ones(g.n_edges, dtype=bool)
        for lo in range(0, n, 256):  # a padded table of 256 rows at a time
            hi = min(lo + 256, n)
            degree = starts[lo + 1 : hi + 1] - starts[lo:hi]
            width = int(degree.max(initial=0))
            if width <= PREFIX:
                continue
            ids = np.arange(starts[lo], starts[hi])
            row = g.mentee[ids] - lo
            flat = np.full((hi - lo) * width, -np.inf)  # filled by flat index (fast)
            flat[row * width + ids - starts[lo + row]] = self.pref[ids]
            table = flat.reshape(hi - lo, width)
            kth = np.partition(table, width - PREFIX, axis=1)[:, width - PREFIX][row]
            long = (degree > PREFIX)[row]
            pref = self.pref[ids]
            keep = ~long | (pref > kth)
            tied = np.flatnonzero(long & (pref == kth))
            if len(tied):  # each row's first tied cells in its rotation, by a partial sort
                room = PREFIX - np.bincount(row[keep], minlength=hi - lo)
                flat_place = np.full((hi - lo) * width, np.iinfo(np.int64).max)
                turn = rotation(g.mentee[ids[tied]], g.n_mentors)
                flat_place[row[tied] * width + ids[tied] - starts[lo + row[tied]]] = (
                    g.mentor[ids[tied]] - turn
                ) % max(g.n_mentors, 1)
                place = flat_place.reshape(hi - lo, width)
                first = np.argpartition(place, PREFIX - 1, axis=1)[:, :PREFIX]
                first = np.take_along_axis(
                    first, np.take_along_axis(place, first, axis=1).argsort(axis=1), axis=1
                )
                chosen = np.arange(PREFIX) < room[:, None]
                chosen &= np.take_along_axis(place, first, axis=1) < np.iinfo(np.int64).max
                r, c = np.nonzero(chosen)
                keep[starts[lo + r] + first[r, c] - starts[lo]] = True
            prefix[ids] = keep
        return prefix

    def _place(self, ids: np.ndarray) -> None:
        """Sort edges ``ids`` (the next part of their mentees' lists) into ``order``."""
        g, pref = self.graph, self.pref[ids]
        part = CandidateGraph(
            g.n_mentees, g.n_mentors, g.mentee[ids], g.mentor[ids], pref, g.capacity
        )
        ids = ids[mentee_order(part, pref)]
        mentee = g.mentee[ids]
        count = np.bincount(mentee, minlength=g.n_mentees)
        rank = np.arange(len(ids)) - np.repeat(np.cumsum(count) - count, count)
        self.order[self.ready[mentee] + rank] = ids
        self.ready += count

    def ensure(self, mentees: np.ndarray, position: np.ndarray) -> None:
        """Sort the rest of the lists of ``mentees`` that have read up to ``position``."""
        end = self.starts[mentees + 1]
        need = mentees[(position >= self.ready[mentees]) & (self.ready[mentees] < end)]
        if len(need) == 0:
            return
        need = np.unique(need)
        first, count = self.starts[need], self.starts[need + 1] - self.starts[need]
        ids = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
        rest = ids[~self.placed[ids]]
        self.placed[rest] = True
        self._place(rest)
