"""Refill: a second chance for mentees whose candidates all filled up (top-k mode only).

After the first solve, a mentee left waiting because every one of its candidates is full gets
its ``top_k`` best allowed pairs among the mentors that still have room.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tandem.matching.candidates.blocks import (
    block_ranges,
    map_blocks,
)
from tandem.matching.candidates.generate import DEFAULT_TOP_K, CandidateSet
from tandem.matching.candidates.scoring import _graph, _merge
from tandem.matching.candidates.topk import top_per_row
from tandem.matching.features import (
    FeatureSpace,
)


def repair(
    space: FeatureSpace,
    weights: Mapping[str, float],
    found: CandidateSet,
    mentees: np.ndarray,
    mentors: np.ndarray,
    *,
    top_k: int = DEFAULT_TOP_K,
) -> int:
    """Add, for each of ``mentees`` (left unmatched), its ``top_k`` best allowed pairs among
    ``mentors`` (those with room) to ``found.graph``; returns how many edges were added.

    The repair pass of top-k candidate generation: a mentee whose candidates all filled up
    gets a second chance with the mentors who still have room. ``outside_bound`` stays valid
    (fewer pairs are outside the graph).
    """
    m = len(space.mentors)
    if not (len(mentees) and len(mentors)) or found.cheap is None:
        return 0
    mentees, mentors = np.sort(np.asarray(mentees)), np.asarray(mentors)

    def best_of(lo: int, hi: int) -> np.ndarray:
        chunk = mentees[lo:hi]
        values = found.cheap.take(chunk)[:, mentors]
        values[~found.rules.allowed_rows(chunk)[:, mentors]] = -np.inf
        rows, cols, _ = top_per_row(values, top_k)
        return chunk[rows].astype(np.int64) * m + mentors[cols]

    keys = map_blocks(best_of, block_ranges(len(mentees), m))
    graph = found.graph
    old = graph.mentee.astype(np.int64) * m + graph.mentor
    new = np.setdiff1d(np.concatenate([np.zeros(0, dtype=np.int64), *keys]), old)
    if len(new):
        found.graph = _merge(graph, _graph(space, weights, new))
    return len(new)
