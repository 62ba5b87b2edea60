"""Hard constraints shared by every solver: pinned pairs are forced, forbidden pairs removed.

Each solver works on a *residual* graph: the same mentee and mentor indices, without the
forbidden edges, without the pinned mentees' edges, and with the pinned seats taken out of
each mentor's capacity. The pins are laid back over the solver's answer at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from tandem.matching.graph import CandidateGraph

PAIR_OUT_OF_RANGE = (
    "{kind} pair (mentee {mentee}, mentor {mentor}) is out of range: there are {n_mentees} "
    "mentees and {n_mentors} mentors. Use indices from the candidate graph."
)
PIN_NOT_ALLOWED = (
    "Pinned pair (mentee {mentee}, mentor {mentor}) is not an allowed pair: it is not in the "
    "candidate graph or it is also forbidden. Remove the pin or the constraint that blocks it."
)
PIN_MENTEE_TWICE = (
    "Mentee {mentee} is pinned to more than one mentor ({mentors}). Keep one pin per mentee."
)
PIN_OVER_CAPACITY = (
    "Mentor {mentor} has {pins} pinned mentees but capacity {capacity}. "
    "Raise the capacity or remove pins."
)


@dataclass(frozen=True)
class Residual:
    """The problem left for a solver once pins and forbidden pairs are applied.

    ``graph`` keeps every index of the original; ``edge_ids[k]`` is the original edge of its
    edge ``k`` (None: the same edges, nothing was removed). ``pinned_edges`` are original
    edge ids, one per pinned mentee.
    """

    graph: CandidateGraph
    edge_ids: np.ndarray | None
    pinned_edges: np.ndarray
    pinned_mentees: np.ndarray
    allowed: np.ndarray  # bool per original edge: not forbidden


def _pairs_array(pairs: Iterable, kind: str, graph: CandidateGraph) -> np.ndarray:
    arr = np.asarray([tuple(map(int, p)) for p in pairs], dtype=np.int64).reshape(-1, 2)
    bad = (arr[:, 0] < 0) | (arr[:, 0] >= graph.n_mentees)
    bad |= (arr[:, 1] < 0) | (arr[:, 1] >= graph.n_mentors)
    if bad.any():
        i, j = arr[np.flatnonzero(bad)[0]]
        raise ValueError(
            PAIR_OUT_OF_RANGE.format(
                kind=kind,
                mentee=int(i),
                mentor=int(j),
                n_mentees=graph.n_mentees,
                n_mentors=graph.n_mentors,
            )
        )
    return arr


def find_edges(graph: CandidateGraph, pairs: np.ndarray) -> np.ndarray:
    """Edge id of each (mentee, mentor) row of ``pairs``; -1 where the pair is not an edge."""
    if len(pairs) == 0:
        return np.empty(0, dtype=np.int64)
    keys = graph.mentee.astype(np.int64) * graph.n_mentors + graph.mentor
    wanted = pairs[:, 0] * graph.n_mentors + pairs[:, 1]
    if len(pairs) <= 8:
        found = [np.flatnonzero(keys == k) for k in wanted]
        return np.array([f[0] if len(f) else -1 for f in found], dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    pos = np.searchsorted(keys, wanted, sorter=order).clip(max=len(keys) - 1)
    hit = keys[order[pos]] == wanted if len(keys) else np.zeros(len(wanted), bool)
    return np.where(hit, order[pos] if len(keys) else -1, -1).astype(np.int64)


def allowed_edges(graph: CandidateGraph, forbidden: Iterable = ()) -> np.ndarray:
    """Boolean mask over edges: True unless the pair is in ``forbidden``."""
    allowed = np.ones(graph.n_edges, dtype=bool)
    ids = find_edges(graph, _pairs_array(forbidden, "Forbidden", graph))
    allowed[ids[ids >= 0]] = False
    return allowed


def _check_pins(
    graph: CandidateGraph, pins: np.ndarray, ids: np.ndarray, allowed: np.ndarray
) -> None:
    for (i, j), e in zip(pins, ids, strict=True):
        if e < 0 or not allowed[e]:
            raise ValueError(PIN_NOT_ALLOWED.format(mentee=int(i), mentor=int(j)))
    mentees, counts = np.unique(pins[:, 0], return_counts=True)
    for i in mentees[counts > 1]:
        mentors = sorted(int(j) for j in pins[pins[:, 0] == i, 1])
        raise ValueError(PIN_MENTEE_TWICE.format(mentee=int(i), mentors=mentors))
    taken = np.bincount(pins[:, 1], minlength=graph.n_mentors)
    over = np.flatnonzero(taken > graph.capacity)
    if len(over):
        j = int(over[0])
        raise ValueError(
            PIN_OVER_CAPACITY.format(mentor=j, pins=int(taken[j]), capacity=int(graph.capacity[j]))
        )


def subgraph(
    graph: CandidateGraph, keep: np.ndarray, capacity: np.ndarray | None = None
) -> CandidateGraph:
    """The graph restricted to the edges where ``keep`` is True (same node indices)."""

    def pick(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[keep]

    return CandidateGraph(
        n_mentees=graph.n_mentees,
        n_mentors=graph.n_mentors,
        mentee=graph.mentee[keep],
        mentor=graph.mentor[keep],
        score=graph.score[keep],
        capacity=graph.capacity if capacity is None else capacity,
        mentee_pref=pick(graph.mentee_pref),
        mentor_pref=pick(graph.mentor_pref),
    )


def apply_constraints(
    graph: CandidateGraph, pinned: Iterable = (), forbidden: Iterable = ()
) -> Residual:
    """Validate pins and forbidden pairs and build the :class:`Residual` problem.

    Raises
    ------
    ValueError
        A pair is out of range, a pin is not an allowed edge, a mentee is pinned twice, or
        a mentor has more pins than capacity. Repeating the same pin is harmless.
    """
    allowed = allowed_edges(graph, forbidden)
    pins = np.unique(_pairs_array(pinned, "Pinned", graph), axis=0)
    pin_ids = find_edges(graph, pins)
    _check_pins(graph, pins, pin_ids, allowed)
    capacity = graph.capacity - np.bincount(pins[:, 1], minlength=graph.n_mentors)
    capacity = capacity.astype(np.int64)
    if len(pins) == 0 and allowed.all() and (capacity > 0).all():
        graph = replace(graph, capacity=capacity)  # nothing to remove: share the arrays
        return Residual(graph, None, pin_ids, pins[:, 0], allowed)
    pinned_mentee = np.zeros(graph.n_mentees, dtype=bool)
    pinned_mentee[pins[:, 0]] = True
    keep = allowed & ~pinned_mentee[graph.mentee] & (capacity[graph.mentor] > 0)
    return Residual(
        graph=subgraph(graph, keep, capacity),
        edge_ids=np.flatnonzero(keep),
        pinned_edges=pin_ids,
        pinned_mentees=pins[:, 0],
        allowed=allowed,
    )


def lift(residual: Residual, edge_of: np.ndarray) -> np.ndarray:
    """Map a residual solution (edge id per mentee, -1 if none) back to original edge ids."""
    ids = residual.edge_ids
    if ids is None:
        out = edge_of.astype(np.int64, copy=True)
    else:
        out = np.where(edge_of >= 0, ids[np.maximum(edge_of, 0)] if len(ids) else -1, -1)
        out = out.astype(np.int64)
    out[residual.pinned_mentees] = residual.pinned_edges
    return out
