"""Checks on any assignment: blocking pairs (stability) and why each unmatched mentee is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.constraints import allowed_edges, find_edges
from tandem.matching.solvers.order import CHUNK, rotation
from tandem.matching.solvers.stable import preferences

NO_EDGES = "no_edges"
ALL_COMPATIBLE_FULL = "all_compatible_full"
NOT_SELECTED = "not_selected"
GROUP_FLOOR = "group_floor"  # solve() with a floor: NOT_SELECTED, which only the floor causes
ASSIGNED_NOT_AN_EDGE = (
    "Mentee {mentee} is assigned to mentor {mentor}, which is not an allowed pair of the graph."
)


def assigned_edges(graph: CandidateGraph, mentor_of: Sequence[int] | np.ndarray) -> np.ndarray:
    """Edge id used by each mentee (-1 if unmatched); raises ValueError on a non-edge."""
    mentor_of = np.asarray(mentor_of, dtype=np.int64).reshape(-1)
    matched = np.flatnonzero(mentor_of >= 0)
    ids = find_edges(graph, np.column_stack([matched, mentor_of[matched]]))
    if (ids < 0).any():
        i = int(matched[np.flatnonzero(ids < 0)[0]])
        raise ValueError(ASSIGNED_NOT_AN_EDGE.format(mentee=i, mentor=int(mentor_of[i])))
    edge_of = np.full(graph.n_mentees, -1, dtype=np.int64)
    edge_of[matched] = ids
    return edge_of


def _mentor_worst(
    graph: CandidateGraph, edge_of: np.ndarray, mentor_pref: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per mentor: seats used, and the (preference, mentee) of the least preferred holder."""
    held = edge_of[edge_of >= 0]
    load = np.bincount(graph.mentor[held], minlength=graph.n_mentors)
    worst = np.full(graph.n_mentors, np.inf)
    np.minimum.at(worst, graph.mentor[held], mentor_pref[held])
    worst_mentee = np.full(graph.n_mentors, -1, dtype=np.int64)
    at_worst = held[mentor_pref[held] == worst[graph.mentor[held]]]
    np.maximum.at(worst_mentee, graph.mentor[at_worst], graph.mentee[at_worst])
    return load, worst, worst_mentee


def count_blocking_pairs(
    graph: CandidateGraph,
    mentor_of: Sequence[int] | np.ndarray,
    *,
    forbidden: Iterable = (),
    break_ties: bool = False,
) -> int:
    """Number of allowed pairs (i, j) who both strictly prefer each other to what they have.

    Parameters
    ----------
    graph : CandidateGraph
        Preferences are ``mentee_pref`` / ``mentor_pref`` (default: the score).
    mentor_of : sequence of int
        Mentor index per mentee, -1 if unmatched.
    forbidden : iterable of (mentee, mentor)
        Pairs that may not be matched and so never block.
    break_ties : bool
        Compare equal preferences as the stable solver does (a mentor prefers the lower
        mentee index, a mentee the mentor first in its ``order.rotation``); by default a tie
        never blocks.

    Returns
    -------
    int
        Mentee i prefers j to its mentor (or is unmatched) and mentor j has a free seat or
        prefers i to its least preferred mentee.

    Raises
    ------
    ValueError
        An assigned pair is not an edge of the graph.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.2, 0.9], [1])
    >>> count_blocking_pairs(g, [0, -1]), count_blocking_pairs(g, [-1, 0])
    (1, 0)
    """
    edge_of = assigned_edges(graph, mentor_of)
    return blocking_count(graph, edge_of, allowed_edges(graph, forbidden), break_ties)


def blocking_count(
    graph: CandidateGraph, edge_of: np.ndarray, allowed: np.ndarray, break_ties: bool = False
) -> int:
    """:func:`count_blocking_pairs` on used edge ids (-1 if unmatched) and an allowed mask."""
    mentee_pref, mentor_pref = preferences(graph)
    matched = np.flatnonzero(edge_of >= 0)
    mine = np.full(graph.n_mentees, -np.inf)
    mine[matched] = mentee_pref[edge_of[matched]]
    # Mentee ties are broken in each mentee's rotation of the mentors (see ``mentee_order``).
    m, turn = max(graph.n_mentors, 1), rotation(np.arange(graph.n_mentees), graph.n_mentors)
    mine_place = np.full(graph.n_mentees, m, dtype=np.int64)
    mine_place[matched] = (graph.mentor[edge_of[matched]] - turn[matched]) % m
    load, worst, worst_mentee = _mentor_worst(graph, edge_of, mentor_pref)
    room = load < graph.capacity
    every_pair_allowed = bool(allowed.all())
    total = 0
    for lo in range(0, graph.n_edges, CHUNK):  # chunks: no edge-sized temporaries
        # Few pairs are wanted by their mentee after a good assignment: the mentor's side is
        # read for those only.
        i = graph.mentee[lo : lo + CHUNK]
        wants = mentee_pref[lo : lo + CHUNK] > mine[i]  # never true on the mentee's own edge
        if break_ties:
            j = graph.mentor[lo : lo + CHUNK]
            tied = mentee_pref[lo : lo + CHUNK] == mine[i]
            wants |= tied & ((j - turn[i]) % m < mine_place[i])
        edge = np.flatnonzero(wants) + lo
        if not every_pair_allowed:
            edge = edge[allowed[edge]]
        i, j, pref = graph.mentee[edge], graph.mentor[edge], mentor_pref[edge]
        liked = room[j] | (pref > worst[j])
        if break_ties:
            liked |= (pref == worst[j]) & (i < worst_mentee[j])
        total += int(np.count_nonzero(liked))
    return total


def unmatched_causes(
    graph: CandidateGraph, mentor_of: Sequence[int] | np.ndarray, *, forbidden: Iterable = ()
) -> list[str | None]:
    """Why each mentee is unmatched: the input of the explanation for the unmatched.

    Returns
    -------
    list of str or None
        Per mentee: None if matched; ``"no_edges"`` if no allowed pair exists at all (hard
        constraints removed every mentor); ``"all_compatible_full"`` if every allowed mentor
        is at capacity; ``"not_selected"`` if some allowed mentor still had room (no
        maximum matching leaves this; :func:`~tandem.matching.solve.solve` with a group floor
        calls it ``"group_floor"``).

    Examples
    --------
    >>> g = CandidateGraph.from_edges(3, 1, [0, 1], [0, 0], [0.2, 0.9], [1])
    >>> unmatched_causes(g, [-1, 0, -1])
    ['all_compatible_full', None, 'no_edges']
    """
    edge_of = assigned_edges(graph, mentor_of)
    return causes_of(graph, edge_of, allowed_edges(graph, forbidden))


def causes_of(graph: CandidateGraph, edge_of: np.ndarray, allowed: np.ndarray) -> list[str | None]:
    """:func:`unmatched_causes` on used edge ids (-1 if unmatched) and an allowed mask."""
    if np.all(edge_of >= 0):
        return [None] * graph.n_mentees
    load = np.bincount(graph.mentor[edge_of[edge_of >= 0]], minlength=graph.n_mentors)
    room = load < graph.capacity
    degree = np.zeros(graph.n_mentees, dtype=np.int64)
    has_room = np.zeros(graph.n_mentees, dtype=bool)
    for lo in range(0, graph.n_edges, CHUNK):
        part = slice(lo, lo + CHUNK)
        i, ok = graph.mentee[part], allowed[part]
        degree += np.bincount(i[ok], minlength=graph.n_mentees)
        has_room[i[ok & room[graph.mentor[part]]]] = True
    causes = np.where(degree == 0, NO_EDGES, np.where(has_room, NOT_SELECTED, ALL_COMPATIBLE_FULL))
    return [None if e >= 0 else str(c) for e, c in zip(edge_of.tolist(), causes, strict=True)]
