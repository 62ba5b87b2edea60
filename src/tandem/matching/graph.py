"""The candidate graph: the one data structure every solver takes.

Features and score tables both produce a ``CandidateGraph``; solvers never see participants.
An edge that is absent is forbidden: hard constraints remove edges, they never score low.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


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
        """Build a graph from array-likes, converting dtypes."""

        def optional(values: ArrayLike | None) -> np.ndarray | None:
            return None if values is None else np.asarray(values, dtype=np.float64)

        return cls(
            n_mentees=int(n_mentees),
            n_mentors=int(n_mentors),
            mentee=np.asarray(mentee, dtype=np.int32),
            mentor=np.asarray(mentor, dtype=np.int32),
            score=np.asarray(score, dtype=np.float64),
            capacity=np.asarray(capacity, dtype=np.int64),
            mentee_pref=optional(mentee_pref),
            mentor_pref=optional(mentor_pref),
        )

    @property
    def n_edges(self) -> int:
        return int(self.mentee.shape[0])
