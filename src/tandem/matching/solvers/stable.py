"""Mentee-proposing deferred acceptance (hospitals/residents with capacities).

Preferences are strict: a mentee ranks its allowed mentors by ``mentee_pref`` descending,
ties in its own rotation of the mentor indices (``order.rotation``: tied mentees spread over
the mentors instead of all proposing to the same ones, a round per mentor); a mentor ranks
mentees by ``mentor_pref`` descending, ties to the lower mentee index. Any strict order that
breaks ties keeps the matching weakly stable (no pair strictly prefers each other). Deferred
acceptance does not depend on the order in which proposals are processed (McVitie and
Wilson, 1970), so proposals are handled in vectorised rounds (every free mentee proposes to
its next choice; each mentor keeps its best ``capacity``) while many mentees are free, and
one at a time with a heap per mentor for the long tail of rejection chains.
Both give the mentee-optimal stable matching.
"""

from __future__ import annotations

import heapq

import numpy as np

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.order import PreferenceLists

# Below this many proposals per round, a Python loop beats a vectorised round.
SEQUENTIAL_BELOW = 256


def preferences(graph: CandidateGraph) -> tuple[np.ndarray, np.ndarray]:
    """The (mentee_pref, mentor_pref) arrays, defaulting to the score."""
    mentee_pref = graph.score if graph.mentee_pref is None else graph.mentee_pref
    mentor_pref = graph.score if graph.mentor_pref is None else graph.mentor_pref
    return mentee_pref, mentor_pref


class _State:
    """Deferred-acceptance state shared by the vectorised rounds and the sequential tail."""

    def __init__(self, graph: CandidateGraph):
        self.graph = graph
        self.mentee_pref, self.mentor_pref = preferences(graph)
        self.lists = PreferenceLists(graph, self.mentee_pref)
        self.order = self.lists.order  # sorted as far as read: see ``lists.ensure``
        starts = self.lists.starts
        self.next, self.end = starts[:-1].copy(), starts[1:]
        self.held = np.full(graph.n_mentees, -1, dtype=np.int64)  # edge held per mentee
        self.count = np.zeros(graph.n_mentors, dtype=np.int64)
        self.worst_pref = np.where(graph.capacity > 0, -np.inf, np.inf)
        self.worst_mentee = np.zeros(graph.n_mentors, dtype=np.int64)

    def free(self) -> np.ndarray:
        return np.flatnonzero((self.held < 0) & (self.next < self.end))


def _propose(state: _State, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each free mentee proposes to its next choice; drop proposals that surely fail."""
    g = state.graph
    state.lists.ensure(free, state.next[free])
    edges = state.order[state.next[free]]
    state.next[free] += 1
    mentor, pref = g.mentor[edges], state.mentor_pref[edges]
    worst = state.worst_pref[mentor]
    room = state.count[mentor] < g.capacity[mentor]
    beats = room | (pref > worst) | ((pref == worst) & (free < state.worst_mentee[mentor]))
    return free[beats], edges[beats]


def _round(state: _State, free: np.ndarray) -> None:
    """One vectorised round: mentors keep their best ``capacity`` of held plus proposals."""
    g = state.graph
    mentees, edges = _propose(state, free)
    if len(edges) == 0:
        return
    touched = np.zeros(g.n_mentors, dtype=bool)
    touched[g.mentor[edges]] = True
    holders = np.flatnonzero((state.held >= 0) & touched[g.mentor[np.maximum(state.held, 0)]])
    mentees = np.concatenate([holders, mentees])
    edges = np.concatenate([state.held[holders], edges])
    mentor = g.mentor[edges]
    ranked = np.lexsort((mentees, -state.mentor_pref[edges], mentor))
    mentees, edges, mentor = mentees[ranked], edges[ranked], mentor[ranked]
    first = np.r_[True, mentor[1:] != mentor[:-1]]
    starts = np.flatnonzero(first)
    rank = np.arange(len(mentor)) - np.repeat(starts, np.diff(np.r_[starts, len(mentor)]))
    keep = rank < g.capacity[mentor]
    state.held[mentees[~keep]] = -1
    state.held[mentees[keep]] = edges[keep]
    group = mentor[starts]
    state.count[group] = np.minimum(np.diff(np.r_[starts, len(mentor)]), g.capacity[group])
    full = state.count[group] >= g.capacity[group]
    last = starts + state.count[group] - 1
    state.worst_pref[group] = np.where(full, state.mentor_pref[edges[last]], -np.inf)
    state.worst_mentee[group] = mentees[last]


def _sequential(state: _State, free: np.ndarray) -> None:
    """Finish with one proposal at a time, a min-heap of held mentees per mentor.

    The per-mentee state is read into Python lists for the loop (a NumPy scalar read costs
    several times a list's) and written back at the end.
    """
    g, pref, order, lists = state.graph, state.mentor_pref, state.order, state.lists
    heaps: dict[int, list] = {}
    holders = np.flatnonzero(state.held >= 0)
    by_mentor = g.mentor[state.held[holders]]
    sort = np.argsort(by_mentor, kind="stable")
    bounds = np.searchsorted(by_mentor[sort], np.arange(g.n_mentors + 1))

    def heap_of(j: int) -> list:  # the mentees mentor j held when the loop began
        held = holders[sort[bounds[j] : bounds[j + 1]]].tolist()
        heap = [(float(pref[state.held[i]]), -i, i) for i in held]
        heapq.heapify(heap)
        heaps[j] = heap
        return heap

    position, end, ready = state.next.tolist(), state.end.tolist(), lists.ready
    held, capacity, mentor = state.held.tolist(), g.capacity.tolist(), g.mentor
    stack = free.tolist()[::-1]
    while stack:
        i = stack.pop()
        k, stop, sorted_to = position[i], end[i], int(ready[i])
        while k < stop:
            if k >= sorted_to:
                lists.ensure(np.array([i]), np.array([k]))
                sorted_to = int(ready[i])
            e = int(order[k])
            k += 1
            j, entry = int(mentor[e]), (float(pref[e]), -i, i)
            heap = heaps.get(j)
            if heap is None:
                heap = heap_of(j)
            if len(heap) < capacity[j]:
                heapq.heappush(heap, entry)
            elif heap and entry > heap[0]:
                loser = heapq.heapreplace(heap, entry)[2]
                held[loser] = -1
                stack.append(loser)
            else:
                continue
            held[i] = e
            break
        position[i] = k
    state.next[:] = position
    state.held[:] = held


def deferred_acceptance(graph: CandidateGraph) -> np.ndarray:
    """Mentee-optimal stable matching: the held edge id per mentee, or -1.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.2, 0.9], [1])
    >>> deferred_acceptance(g).tolist()
    [-1, 1]
    """
    state = _State(graph)
    free = state.free()
    while len(free) >= SEQUENTIAL_BELOW:
        _round(state, free)
        free = state.free()
    _sequential(state, free)
    return state.held
