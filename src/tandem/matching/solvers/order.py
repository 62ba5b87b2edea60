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
