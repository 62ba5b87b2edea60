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


def mentee_order(graph: CandidateGraph, mentee_pref: np.ndarray) -> np.ndarray:
    """Edge ids sorted by (mentee, preference descending, mentor): each mentee's list.

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
        slots = np.union1d(tie, tie + 1)
        tied = order[slots]
        exact = np.lexsort((graph.mentor[tied], -mentee_pref[tied], key[tied]))
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
    each mentee's edges scoring at least its ``PREFIX``-th best preference are sorted. Edges
    not grouped by mentee, or preferences with NaN, are sorted whole at once.

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
            self.ready, self.cut = self.starts[1:].copy(), np.full(n, -np.inf)
            return
        self.order = np.empty(edges, dtype=np.int64)
        self.ready = self.starts[:-1].copy()
        self.cut = self._cuts()
        prefix = [
            np.flatnonzero(pref[lo : lo + CHUNK] >= self.cut[graph.mentee[lo : lo + CHUNK]]) + lo
            for lo in range(0, edges, CHUNK)
        ]
        self._place(np.concatenate(prefix))

    def _cuts(self) -> np.ndarray:
        """Per mentee, its ``PREFIX``-th highest preference (-inf if it has fewer edges)."""
        starts, n = self.starts, self.graph.n_mentees
        cut = np.full(n, -np.inf)
        for lo in range(0, n, 256):  # a padded table of 256 rows at a time
            hi = min(lo + 256, n)
            degree = starts[lo + 1 : hi + 1] - starts[lo:hi]
            width = int(degree.max(initial=0))
            if width <= PREFIX:
                continue
            ids = np.arange(starts[lo], starts[hi])
            row = self.graph.mentee[ids] - lo
            flat = np.full((hi - lo) * width, -np.inf)  # filled by flat index (fast)
            flat[row * width + ids - starts[lo + row]] = self.pref[ids]
            table = flat.reshape(hi - lo, width)
            kth = np.partition(table, width - PREFIX, axis=1)[:, width - PREFIX]
            cut[lo:hi] = np.where(degree > PREFIX, kth, -np.inf)
        return cut

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
        rest = ids[~(self.pref[ids] >= self.cut[self.graph.mentee[ids]])]
        self.cut[need] = -np.inf
        self._place(rest)
