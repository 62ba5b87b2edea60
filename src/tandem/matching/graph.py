"""The candidate graph: the one data structure every solver takes.

Features and score tables both produce a ``CandidateGraph``; solvers never see participants.
An edge that is absent is forbidden: hard constraints remove edges, they never score low.
A graph built with :meth:`CandidateGraph.from_edges` is checked once there (lengths, index
ranges, finite scores, no repeated pair), so a caller's mistake is a clear ``ValueError``
rather than a solver's IndexError or a silent wrong match.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

CAPACITY_SHAPE = "capacity needs one value per mentor ({n_mentors}), got shape {got}."
CAPACITY_NEGATIVE = "Mentor {mentor} has capacity {capacity}: capacities must be >= 0."
EDGE_LENGTHS = "Edge arrays need one value per edge and the same length, got {lengths}."
EDGE_OUT_OF_RANGE = (
    "Edge {edge} (mentee {mentee}, mentor {mentor}) is out of range: there are {n_mentees} "
    "mentees and {n_mentors} mentors, numbered from 0."
)
EDGE_NOT_FINITE = (
    "Edge {edge} (mentee {mentee}, mentor {mentor}) has {name} {value}: scores and "
    "preferences must be finite numbers."
)
# Beyond this a score is a sentinel, not a score: the solvers' integer costs span the scores'
# range (docs/matching.md, "Precision"), and 1e308 - (-1e308) overflows it.
SCORE_LIMIT = 1e12
SCORE_TOO_LARGE = (
    "Edge {edge} (mentee {mentee}, mentor {mentor}) has score {value}: scores must lie between "
    "-1e12 and 1e12; put them on one scale, such as 0 to 1."
)
EDGE_REPEATED = (
    "Pair (mentee {mentee}, mentor {mentor}) is given {count} times (edges {edges}): give "
    "each pair once."
)


@dataclass(frozen=True)
class CandidateGraph:
    """Sparse bipartite graph of allowed mentee-mentor pairs, in COO form.

    Parameters
    ----------
    n_mentees, n_mentors : int
        Sizes of the two sides; mentees and mentors are referred to by index.
    mentee, mentor : np.ndarray of int32, shape (E,)
        Endpoints of each allowed edge. No duplicate (mentee, mentor) pairs.
    score : np.ndarray of float64, shape (E,)
        Score of the pair (higher is better); `optimal` and `fair` maximise it.
    capacity : np.ndarray of int64, shape (n_mentors,)
        How many mentees each mentor may take (>= 0).
    mentee_pref, mentor_pref : np.ndarray of float64, shape (E,), optional
        How the mentee (resp. the mentor) ranks this edge for `stable`: higher is preferred.
        Default to ``score``. Explicit ranked preferences are encoded by the caller as values
        above every score.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.5, 0.9], [1])
    >>> g.n_edges
    2
    >>> CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.5, 0.9], [1, 1])
    Traceback (most recent call last):
    ...
    ValueError: capacity needs one value per mentor (1), got shape (2,).
    """

    n_mentees: int
    n_mentors: int
    mentee: np.ndarray
    mentor: np.ndarray
    score: np.ndarray
    capacity: np.ndarray
    mentee_pref: np.ndarray | None = None
    mentor_pref: np.ndarray | None = None

    @classmethod
    def from_edges(
        cls,
        n_mentees: int,
        n_mentors: int,
        mentee: ArrayLike,
        mentor: ArrayLike,
        score: ArrayLike,
        capacity: ArrayLike,
        mentee_pref: ArrayLike | None = None,
        mentor_pref: ArrayLike | None = None,
    ) -> CandidateGraph:
        """Build a graph from array-likes, converting dtypes, and check it (:func:`check_graph`).

        Raises
        ------
        ValueError
            See :func:`check_graph`.
        """

        def optional(values: ArrayLike | None) -> np.ndarray | None:
            return None if values is None else np.asarray(values, dtype=np.float64)

        graph = cls(
            n_mentees=int(n_mentees),
            n_mentors=int(n_mentors),
            mentee=np.asarray(mentee, dtype=np.int32),
            mentor=np.asarray(mentor, dtype=np.int32),
            score=np.asarray(score, dtype=np.float64),
            capacity=np.asarray(capacity, dtype=np.int64),
            mentee_pref=optional(mentee_pref),
            mentor_pref=optional(mentor_pref),
        )
        check_graph(graph)
        return graph

    @property
    def n_edges(self) -> int:
        return int(self.mentee.shape[0])


def check_capacity(graph: CandidateGraph) -> None:
    """Raise ``ValueError`` unless ``graph.capacity`` holds one count >= 0 per mentor.

    Cheap (one pass over the mentors), so :func:`~tandem.matching.solve.solve` repeats it for
    a graph whose capacity was replaced after it was built.
    """
    if graph.capacity.shape != (graph.n_mentors,):
        raise ValueError(CAPACITY_SHAPE.format(n_mentors=graph.n_mentors, got=graph.capacity.shape))
    negative = np.flatnonzero(graph.capacity < 0)
    if len(negative):
        j = int(negative[0])
        raise ValueError(CAPACITY_NEGATIVE.format(mentor=j, capacity=int(graph.capacity[j])))


def check_graph(graph: CandidateGraph) -> None:
    """Raise ``ValueError`` naming the first problem in ``graph``, if it has one.

    Checks, in this order: the capacity (:func:`check_capacity`); one value per edge in each
    edge array; every index in ``0..n-1``; finite scores and preferences; scores within
    ``SCORE_LIMIT``; no (mentee, mentor)
    pair twice. A repeated pair is refused rather than kept at its best score: it is a
    caller's bug, and keeping one copy would hide it.

    Notes
    -----
    Vectorised, O(E) in the usual case: one ``isfinite`` per float array, one min/max per
    index array, and the pair keys ``mentee * n_mentors + mentor`` checked for strict
    increase (edges built row by row); only unordered edges are sorted, O(E log E).

    Examples
    --------
    >>> CandidateGraph.from_edges(1, 1, [0, 0], [0, 0], [0.5, 0.9], [1])
    Traceback (most recent call last):
    ...
    ValueError: Pair (mentee 0, mentor 0) is given 2 times (edges [0, 1]): give each pair once.
    """
    check_capacity(graph)
    _check_lengths(graph)
    if graph.n_edges == 0:
        return
    _check_ranges(graph)
    for name, values in (
        ("score", graph.score),
        ("mentee_pref", graph.mentee_pref),
        ("mentor_pref", graph.mentor_pref),
    ):
        if values is not None and not np.isfinite(values).all():
            edge = int(np.flatnonzero(~np.isfinite(values))[0])
            raise ValueError(
                EDGE_NOT_FINITE.format(**_edge(graph, edge), name=name, value=values[edge])
            )
    too_large = np.abs(graph.score) > SCORE_LIMIT
    if too_large.any():
        edge = int(np.flatnonzero(too_large)[0])
        raise ValueError(SCORE_TOO_LARGE.format(**_edge(graph, edge), value=graph.score[edge]))
    _check_repeats(graph)


def _edge(graph: CandidateGraph, edge: int) -> dict[str, int]:
    return {"edge": edge, "mentee": int(graph.mentee[edge]), "mentor": int(graph.mentor[edge])}


def _check_lengths(graph: CandidateGraph) -> None:
    arrays = {
        "mentee": graph.mentee,
        "mentor": graph.mentor,
        "score": graph.score,
        "mentee_pref": graph.mentee_pref,
        "mentor_pref": graph.mentor_pref,
    }
    shapes = {name: values.shape for name, values in arrays.items() if values is not None}
    if len(set(shapes.values())) != 1 or len(shapes["mentee"]) != 1:
        lengths = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(EDGE_LENGTHS.format(lengths=lengths))


def _check_ranges(graph: CandidateGraph) -> None:
    for values, n in ((graph.mentee, graph.n_mentees), (graph.mentor, graph.n_mentors)):
        if values.min() < 0 or values.max() >= n:
            edge = int(np.flatnonzero((values < 0) | (values >= n))[0])
            raise ValueError(
                EDGE_OUT_OF_RANGE.format(
                    **_edge(graph, edge), n_mentees=graph.n_mentees, n_mentors=graph.n_mentors
                )
            )


def _check_repeats(graph: CandidateGraph) -> None:
    keys = graph.mentee.astype(np.int64) * graph.n_mentors + graph.mentor
    if (keys[1:] > keys[:-1]).all():  # edges in row order: no sort needed
        return
    ordered = np.sort(keys)
    repeated = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(repeated):
        edges = np.flatnonzero(keys == ordered[repeated[0]])
        raise ValueError(
            EDGE_REPEATED.format(
                **_edge(graph, int(edges[0])), count=len(edges), edges=edges[:5].tolist()
            )
        )
