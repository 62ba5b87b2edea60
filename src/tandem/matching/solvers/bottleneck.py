"""The bottleneck of a maximum assignment, by one descending sweep that keeps its matching.

The floor of ``fair`` is the largest score ``t`` such that the edges scoring ``>= t`` still
match ``k`` mentees. The sweep takes the edges by score, highest first, and keeps a matching
of the edges taken: after each step the matching is grown to a maximum one by augmenting
paths from the one it has, never solved again from scratch.

Growing is local. Augmenting paths start at a free mentee: while few mentees are missing, a
search from all of them at once (vectorised by layer) flips one path per search tree, the trees
being disjoint; otherwise, or when those searches stall, a max-flow runs on the region
reachable from the free mentees in the residual graph alone (no path leaves it). When the
matching is maximum but short, the region is a König cut: its mentees ``X`` are matched to its
mentors only, and those are full. Hall's condition then bounds every lower floor: the edges
below can add no more seats to ``X`` than the capacity of the new mentors they reach, so the
sweep skips at once to the first level where those mentors have enough seats for the deficit.
The first step that matches ``k`` holds the floor; it is found by bisecting inside that step,
each probe starting from the short matching kept before it or from the matching that fits
without its pairs below the probe, whichever matches more. The first probes are where the one
that fits loses only a few pairs (the floor is often just below the step's end, and a few paths
are found by the cheap searches), and every short probe's Hall bound narrows the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow

from tandem.matching.graph import CandidateGraph
from tandem.matching.solvers.flow import SOLVER_FAILED

CANNOT_MATCH = "The graph cannot match {k} mentees: pass its maximum cardinality."
# Edges taken per step of the sweep, per mentee, beyond what the Hall bound skips.
STEP_PER_MENTEE = 4
# Search phases (one path per tree each) before one max-flow on the reachable region instead,
# and the largest deficit they are tried for: few paths, but each may be long.
MAX_PHASES = 12
PHASES_UP_TO = 32
# In the last step, probe first where the matching that fits loses this many pairs (doubling
# after each probe that fits): the floor is often just below that step's end.
NEAR_FIT = 8


def _grouped(keys: np.ndarray) -> np.ndarray:
    """Stable argsort of non-negative integer keys below 2**32: two radix passes of 16 bits
    (NumPy sorts 16-bit keys by radix, wider ones by comparisons)."""
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if int(keys.max(initial=0)) <= 0xFFFF:
        return order
    high = (keys[order] >> 16).astype(np.uint16)
    return order[np.argsort(high, kind="stable")]


@dataclass(frozen=True)
class _Kept:
    """A matching of the first ``end`` edges (in descending score order)."""

    end: int
    mate: np.ndarray  # per mentee, the position of its edge, or -1
    load: np.ndarray  # per mentor, mentees matched

    def within(self, end: int, mentor: np.ndarray) -> _Kept:
        """The matching's edges among the first ``end`` (``mentor``: per position)."""
        mate = np.where(self.mate < end, self.mate, -1)
        load = np.bincount(mentor[mate[mate >= 0]], minlength=len(self.load))
        return _Kept(end, mate, load)

    def size(self) -> int:
        return int(np.count_nonzero(self.mate >= 0))

    def lost_from(self, ends: np.ndarray) -> np.ndarray:
        """Per end in ``ends``, how many of the matching's edges are at or past it."""
        used = np.sort(self.mate[self.mate >= 0])
        return len(used) - np.searchsorted(used, ends)


class _Sweep:
    """The edges of a graph by descending score, the prefix taken so far and its matching."""

    def __init__(self, graph: CandidateGraph, k: int) -> None:
        n, m = graph.n_mentees, graph.n_mentors
        order = np.argsort(-graph.score)  # the order inside a level does not matter
        self.score = graph.score[order]
        self.descending = -self.score
        self.mentee = graph.mentee[order].astype(np.int64)
        self.mentor = graph.mentor[order].astype(np.int64)
        self.capacity = graph.capacity.astype(np.int64)
        self.k = k
        self.row = _grouped(self.mentee)  # each mentee's edges, best first
        self.row_start = np.searchsorted(self.mentee[self.row], np.arange(n))
        self.taken = np.zeros(n, dtype=np.int64)  # per mentee, how many of its edges
        self.kept = _Kept(0, np.full(n, -1, dtype=np.int64), np.zeros(m, dtype=np.int64))

    @property
    def end(self) -> int:
        return self.kept.end

    def level_end(self, position: int) -> int:
        """The end of the level (run of equal scores) that holds ``position - 1``."""
        if position >= len(self.score):
            return len(self.score)
        last = self.descending[max(position, 1) - 1]
        return int(np.searchsorted(self.descending, last, side="right"))

    def level_ends(self, first: int, last: int) -> np.ndarray:
        """Every level end in ``[first, last]`` (both level ends themselves)."""
        lo, score = first - 1, self.score
        inside = np.flatnonzero(score[lo : last - 1] != score[lo + 1 : last]) + lo + 1
        return np.r_[inside, last]

    def restore(self, kept: _Kept, end: int) -> None:
        """Start again from ``kept`` (a matching of fewer edges) with the first ``end`` taken."""
        n = len(self.taken)
        self.taken = np.bincount(self.mentee[: kept.end], minlength=n)
        self.kept = _Kept(kept.end, kept.mate.copy(), kept.load.copy())
        self.take(end)

    def take(self, end: int) -> None:
        """Take the edges at positions ``< end``; the matching stays as it is."""
        start = self.kept.end
        self.taken += np.bincount(self.mentee[start:end], minlength=len(self.taken))
        self.kept = _Kept(end, self.kept.mate, self.kept.load)

    def size(self) -> int:
        return self.kept.size()

    def _edges_of(self, mentees: np.ndarray) -> np.ndarray:
        """Positions of the taken edges of ``mentees``."""
        count = self.taken[mentees]
        first = np.repeat(self.row_start[mentees] - np.cumsum(count) + count, count)
        return self.row[first + np.arange(len(first))]

    def _by_mentor(self) -> tuple[np.ndarray, np.ndarray]:
        """The matched mentees grouped by mentor, and where each mentor's group starts."""
        mate, load = self.kept.mate, self.kept.load
        matched = np.flatnonzero(mate >= 0)
        by_mentor = matched[_grouped(self.mentor[mate[matched]])]
        return by_mentor, np.cumsum(load) - load

    def _reach(self) -> tuple[np.ndarray, np.ndarray]:
        """Mentees and mentors reachable from the free mentees in the residual graph."""
        mate, load = self.kept.mate, self.kept.load
        m = len(load)
        by_mentor, mentor_start = self._by_mentor()
        mentees, mentors = mate < 0, np.zeros(m, dtype=bool)
        frontier = np.flatnonzero(mentees)
        while len(frontier):
            j = self.mentor[self._edges_of(frontier)]
            j = j[~mentors[j]]  # a matched edge leads back to a mentor already reached
            new = np.flatnonzero(np.bincount(j, minlength=m))
            mentors[new] = True
            count = load[new]
            first = np.repeat(mentor_start[new] - np.cumsum(count) + count, count)
            frontier = by_mentor[first + np.arange(len(first))]
            mentees[frontier] = True
        return mentees, mentors

    def _augment(self, mentees: np.ndarray, mentors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Maximum matching by a max-flow on the residual graph of the reachable region (no
        path leaves it); returns the region reachable afterwards (a minimum cut)."""
        mate, n = self.kept.mate, len(self.kept.mate)
        pos = self._edges_of(np.flatnonzero(mentees))
        i, j = self.mentee[pos], self.mentor[pos] + n
        used = mate[i] == pos  # the residual arc runs back, from the mentor
        free = np.flatnonzero(mentees & (mate < 0))
        room = self.capacity - self.kept.load
        open_ = np.flatnonzero(mentors & (room > 0))
        source, sink = n + len(room), n + len(room) + 1
        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(
            np.concatenate([np.where(used, j, i), np.full(len(free), source), open_ + n]),
            np.concatenate([np.where(used, i, j), free, np.full(len(open_), sink)]),
            np.concatenate([np.ones(len(pos) + len(free), np.int64), room[open_]]),
        )
        status = solver.solve(source, sink)
        if status != solver.OPTIMAL:
            raise RuntimeError(SOLVER_FAILED.format(solver="max-flow", status=status))
        moved = solver.flows(np.arange(len(pos), dtype=np.int64)) > 0
        mate = mate.copy()
        mate[i[moved & ~used]] = pos[moved & ~used]
        load = np.bincount(self.mentor[mate[mate >= 0]], minlength=len(room))
        self.kept = _Kept(self.kept.end, mate, load)
        side = np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)
        reach = np.zeros(source, dtype=bool)
        reach[side[side < source]] = True
        return reach[:n], reach[n:]

    def grow(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Grow the matching to a maximum one of the edges taken. None if it matches ``k``;
        otherwise the König cut that proves it short (reachable mentees and mentors)."""
        for _ in range(MAX_PHASES):
            if self.size() >= self.k:
                return None
            if self.k - self.size() > PHASES_UP_TO or not self._phase():
                break
        mentees, mentors = self._reach()
        if (mentors & (self.kept.load < self.capacity)).any():
            mentees, mentors = self._augment(mentees, mentors)
        return None if self.size() >= self.k else (mentees, mentors)

    def _phase(self) -> int:
        """Flip one augmenting path per tree of a search from every free mentee at once (the
        trees are disjoint, so the paths are); how many were flipped."""
        mate, load = self.kept.mate, self.kept.load
        n, m = len(mate), len(load)
        by_mentor, mentor_start = self._by_mentor()
        root = np.where(mate < 0, np.arange(n), -1)
        done, seen = np.zeros(n, dtype=bool), np.zeros(m, dtype=bool)
        via = np.full(m, -1, dtype=np.int64)  # per mentor reached, the edge that reached it
        room = self.capacity - load
        ends: list[np.ndarray] = []
        frontier = np.flatnonzero(mate < 0)
        while len(frontier):
            pos = self._edges_of(frontier)
            pos = pos[mate[self.mentee[pos]] != pos]
            j, owner = self.mentor[pos], root[self.mentee[pos]]
            at_room = room[j] > 0
            if at_room.any():
                ends.append(self._accept(pos[at_room], owner[at_room], room, done))
            onward = ~at_room & ~seen[j] & ~done[owner]
            pos, j = pos[onward], j[onward]
            via[j] = pos  # any one edge per mentor: each mentor joins one tree
            new = np.flatnonzero(np.bincount(j, minlength=m))
            seen[new] = True
            count = load[new]
            first = np.repeat(mentor_start[new] - np.cumsum(count) + count, count)
            frontier = by_mentor[first + np.arange(len(first))]
            root[frontier] = root[self.mentee[via[self.mentor[mate[frontier]]]]]
        return self._flip(np.concatenate(ends), via) if ends else 0

    def _accept(
        self, pos: np.ndarray, owner: np.ndarray, room: np.ndarray, done: np.ndarray
    ) -> np.ndarray:
        """Path ends among ``pos`` (edges to mentors with room): one per tree not yet done,
        within each mentor's room; ``room`` and ``done`` are updated."""
        keep = ~done[owner]
        pick = np.full(len(done), -1, dtype=np.int64)
        pick[owner[keep]] = pos[keep]  # any one per tree
        roots = np.flatnonzero(pick >= 0)
        order = np.argsort(self.mentor[pick[roots]], kind="stable")
        roots, pos = roots[order], pick[roots[order]]
        j = self.mentor[pos]
        starts = np.flatnonzero(np.r_[True, j[1:] != j[:-1]])
        rank = np.arange(len(j)) - np.repeat(starts, np.diff(np.r_[starts, len(j)]))
        fits = rank < room[j]
        np.subtract.at(room, j[fits], 1)
        done[roots[fits]] = True
        return pos[fits]

    def _flip(self, ends: np.ndarray, via: np.ndarray) -> int:
        """Flip the paths that end with the edges ``ends`` (back along ``via``)."""
        mate, load = self.kept.mate.copy(), self.kept.load.copy()
        np.add.at(load, self.mentor[ends], 1)
        edge = ends
        while len(edge):
            i = self.mentee[edge]
            before = mate[i]
            mate[i] = edge
            edge = via[self.mentor[before[before >= 0]]]
        self.kept = _Kept(self.kept.end, mate, load)
        return len(ends)

    def hall_end(self, mentees: np.ndarray, mentors: np.ndarray) -> int:
        """The end of the highest level below the taken edges that the cut does not rule out:
        where the edges of ``mentees`` first reach new mentors with the missing seats."""
        start = self.kept.end
        rest = np.flatnonzero(mentees[self.mentee[start:]] & ~mentors[self.mentor[start:]])
        first = np.full(len(mentors), len(self.score))
        np.minimum.at(first, self.mentor[rest + start], rest + start)
        reached = np.flatnonzero(first < len(self.score))
        reached = reached[np.argsort(first[reached])]
        seats = np.cumsum(self.capacity[reached])
        enough = int(np.searchsorted(seats, self.k - self.size()))
        if enough == len(reached):
            return len(self.score)
        return self.level_end(int(first[reached[enough]]) + 1)


def sweep_floor(graph: CandidateGraph, k: int) -> float:
    """Largest ``t`` such that ``k`` mentees can be matched on the edges scoring ``>= t``.

    Parameters
    ----------
    graph : CandidateGraph
    k : int
        The maximum cardinality of ``graph`` (at least 1).

    Returns
    -------
    float
        The best floor (the bottleneck score): one of ``graph``'s scores.

    Raises
    ------
    ValueError
        ``graph`` cannot match ``k`` mentees.

    Notes
    -----
    See the module notes. Each step costs a search of the region reachable from the free
    mentees and a max-flow on it; the Hall bound makes steps through levels that cannot be
    the floor free.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 2, [0, 0, 1], [0, 1, 0], [0.9, 0.3, 0.4], [1, 1])
    >>> sweep_floor(g, 2)
    0.3
    """
    sweep = _Sweep(graph, k)
    total = len(sweep.score)
    step = max(STEP_PER_MENTEE * graph.n_mentees, 1)
    short, first = sweep.kept, 0  # a maximum matching of fewer edges; the first possible end
    sweep.take(sweep.level_end(step))
    while (cut := sweep.grow()) is not None:
        if sweep.end >= total:
            raise ValueError(CANNOT_MATCH.format(k=k))
        short, first = sweep.kept, sweep.hall_end(*cut)
        sweep.take(max(first, sweep.level_end(sweep.end + step)))
    ends, fit = sweep.level_ends(max(first, short.end + 1), sweep.end), sweep.kept
    reach = NEAR_FIT
    while len(ends) > 1:
        # The matching that fits loses only its pairs below a probe: probe where it loses
        # ``reach`` of them (growing it back is cheap) if that is above the middle.
        lost = fit.lost_from(ends)
        ends = ends[: int(np.searchsorted(-lost, 0)) + 1]  # it fits from the first end losing none
        if len(ends) == 1:
            break
        near = int(np.searchsorted(-lost[: len(ends) - 1], -reach, side="right")) - 1
        mid = int(ends[max((len(ends) - 1) // 2, near)])
        start = fit.within(mid, sweep.mentor)  # or the short one: whichever matches more
        sweep.restore(start if start.size() > short.size() else short, mid)
        cut = sweep.grow()
        if cut is None:
            ends, fit, reach = ends[ends <= mid], sweep.kept, 2 * reach
        else:
            short, reach = sweep.kept, NEAR_FIT
            ends = ends[ends >= sweep.hall_end(*cut)]
    return float(sweep.score[ends[0] - 1])
