"""Refill: a second chance for mentees whose candidates all filled up (top-k mode only).

After the first solve, a mentee left waiting because every one of its candidates is full gets
its ``top_k`` best allowed pairs among the mentors that still have room.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tandem.matching.candidates.blocks import block_ranges, map_blocks
from tandem.matching.candidates.generate import DEFAULT_TOP_K, CandidateSet, add_pairs
from tandem.matching.candidates.topk import top_per_row
from tandem.matching.features import FeatureSpace

WAITING = "all_compatible_full"  # the solver's cause for a mentee whose candidates all filled


def refill(
    space: FeatureSpace,
    weights: Mapping[str, float],
    found: CandidateSet,
    mentor_of: Sequence[int],
    causes: Sequence[str | None],
    *,
    top_k: int = DEFAULT_TOP_K,
) -> int:
    """Add, for each mentee the solver left waiting (every candidate full), its ``top_k``
    best allowed pairs among the mentors with room to ``found``; returns how many were added.

    Parameters
    ----------
    space : FeatureSpace
    weights : mapping
        Resolved weights.
    found : CandidateSet
        Top-k candidates (a dense set has every allowed pair already: nothing is added).
    mentor_of : sequence of int
        The solved assignment on ``found.graph`` (mentor index per mentee, -1 unmatched).
    causes : sequence of str or None
        The solver's cause per mentee; ``"all_compatible_full"`` marks the waiting.
    top_k : int

    Returns
    -------
    int

    Notes
    -----
    ``outside_bound`` stays valid (fewer pairs are outside the graph). O(waiting x mentors)
    cheap-bound entries, in blocks.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import resolve_weights
    >>> from tandem.matching.candidates.generate import generate_candidates
    >>> space = FeatureSpace([Mentee(id="a"), Mentee(id="b")], [Mentor(id="m"), Mentor(id="n")])
    >>> w = resolve_weights()
    >>> found = generate_candidates(space, w, dense_limit=0, top_k=1)
    >>> found.graph.n_edges  # each mentee's best mentor, and one mentee for the other
    3
    >>> waiting = ["all_compatible_full"] * 2
    >>> refill(space, w, found, [-1, -1], waiting, top_k=2), found.graph.n_edges
    (1, 4)
    """
    if found.dense:
        return 0
    cheap, rules = found.top_k_parts()
    m = len(space.mentors)
    mentees, mentors = _waiting_and_room(found, mentor_of, causes)
    if not (len(mentees) and len(mentors)):
        return 0

    def best_of(lo: int, hi: int) -> np.ndarray:
        chunk = mentees[lo:hi]
        values = cheap.take(chunk)[:, mentors]
        values[~rules.allowed_rows(chunk)[:, mentors]] = -np.inf
        rows, cols, _ = top_per_row(values, top_k)
        return chunk[rows].astype(np.int64) * m + mentors[cols]

    keys = map_blocks(best_of, block_ranges(len(mentees), m))
    old = found.graph.mentee.astype(np.int64) * m + found.graph.mentor
    new = np.setdiff1d(np.concatenate([np.zeros(0, dtype=np.int64), *keys]), old)
    return add_pairs(space, weights, found, new)


def _waiting_and_room(
    found: CandidateSet, mentor_of: Sequence[int], causes: Sequence[str | None]
) -> tuple[np.ndarray, np.ndarray]:
    """The mentees left waiting (every candidate full) and the mentors with room."""
    assigned = np.asarray(mentor_of)
    mentees = np.flatnonzero(np.array([c == WAITING for c in causes], dtype=bool))
    load = np.bincount(assigned[assigned >= 0], minlength=found.graph.n_mentors)
    return mentees, np.flatnonzero(load < found.graph.capacity)


def waiting_beside_room(
    found: CandidateSet, mentor_of: Sequence[int], causes: Sequence[str | None]
) -> int:
    """How many mentees left waiting (every candidate full) have an allowed pair, outside
    their candidates, with a mentor that still has room.

    Each is proof that the candidates cost matches: that pair added to the assignment matches
    one more mentee, so over all allowed pairs more could be matched. The report warns with
    it (families check: ``fair`` at ``top_k=1`` matched 81 of the 155 a dense run matches,
    without a word). 0 for a dense set.
    """
    if found.dense:
        return 0
    _, rules = found.top_k_parts()
    mentees, mentors = _waiting_and_room(found, mentor_of, causes)
    if not (len(mentees) and len(mentors)):
        return 0
    return sum(
        int(rules.allowed_rows(mentees[lo:hi], mentors).any(axis=1).sum())
        for lo, hi in block_ranges(len(mentees), len(mentors))
    )
