"""Candidate generation: from a :class:`FeatureSpace` to the
:class:`~tandem.matching.graph.CandidateGraph` the solver sees.

Small inputs (``n * m <= dense_limit``) keep every allowed pair. Large ones keep, per mentee,
the ``top_k`` mentors by a cheap upper bound on the score
(:mod:`tandem.matching.candidates.cheap`, computed on dense blocks of mentees) and, per
mentor, its ``top_k`` mentees, so memory grows with ``(n + m) k``.
The full score of a pair outside the graph is at most its cheap score plus the largest possible
contribution of the other criteria; ``outside_bound`` records that bound per mentee, so a solver
can prove how far its answer can be from the optimum over all pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from tandem.matching.candidates.cheap import CheapBound
from tandem.matching.candidates.rules import (
    CONSTRAINTS,
    PairRules,
    blocked_pairs,
    check_pins,
    pair_keys,
    unique_keys,
)
from tandem.matching.candidates.scoring import dense_graph, merge_graphs, score_pairs
from tandem.matching.candidates.topk import top_k_pairs
from tandem.matching.features import DEFAULT_CONFLICT_RULES, FeatureSpace
from tandem.matching.graph import CandidateGraph

DENSE_LIMIT = 20_000_000
DEFAULT_TOP_K = 20  # enough with the all-pairs bound: missed pairs are added back
BOUND_SLACK = 1e-5  # float32 rounding between the dense and the edge computations
DENSE_SET = "a dense candidate set keeps no cheap bound: it has every allowed pair already"


@dataclass
class CandidateSet:
    """A candidate graph plus what candidate generation learned on the way.

    ``removed[i, c]`` counts the mentors that constraint ``CONSTRAINTS[c]`` ruled out for
    mentee ``i`` (a pair broken by two constraints counts for both); it is filled only for
    mentees left with no allowed pair, the ones whose reason names a constraint.
    ``cheap_outside[i]`` bounds the cheap score (as the top-k pass computed it, in float32) of
    every allowed pair of mentee ``i`` outside the graph (-inf if there is none): adding pairs
    keeps it valid, and the all-pairs proof loads only the mentors it leaves room for.
    """

    graph: CandidateGraph
    outside_bound: np.ndarray | None
    removed: np.ndarray
    dense: bool
    cheap: CheapBound | None = None
    rules: PairRules | None = None
    cheap_outside: np.ndarray | None = None

    def top_k_parts(self) -> tuple[CheapBound, PairRules]:
        """The cheap bound and the rules, which only a top-k set keeps (the refill and the
        all-pairs proof read them); a dense set has every allowed pair already."""
        if self.cheap is None or self.rules is None:
            raise ValueError(DENSE_SET)
        return self.cheap, self.rules


def generate_candidates(
    space: FeatureSpace,
    weights: Mapping[str, float],
    *,
    rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
    forbidden: Iterable[tuple[str, str]] = (),
    pinned: Iterable[tuple[str, str]] = (),
    top_k: int = DEFAULT_TOP_K,
    dense_limit: int = DENSE_LIMIT,
    block: int = 2048,
    progress: Callable[[int], None] | None = None,
) -> CandidateSet:
    """Apply the hard constraints and score the allowed pairs.

    Parameters
    ----------
    space : FeatureSpace
    weights : mapping
        Resolved weights (see :func:`~tandem.matching.features.resolve_weights`).
    rules : iterable of str
        Conflict rules in force: ``"manager"``, ``"department"``.
    forbidden, pinned : iterables of (mentee id, mentor id)
        Forbidden pairs are removed; pinned pairs are kept even outside the top-k.
    top_k : int
        Candidates per mentee (and per mentor) when ``n * m > dense_limit``.
    progress : callable, optional
        Called with the number of mentees just processed.

    Returns
    -------
    CandidateSet

    Raises
    ------
    ValueError
        ``PIN_NOT_ALLOWED`` when a pinned pair breaks a hard constraint; ``UNKNOWN_PAIR_ID``.

    Notes
    -----
    Dense: O(n m) time, memory O(allowed pairs). Top-k: O(n m d) time for the matrix
    products of :class:`~tandem.matching.candidates.cheap.CheapBound`, done in blocks of
    mentees, and O((n + m) k) memory for the result.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import FeatureSpace, resolve_weights
    >>> space = FeatureSpace([Mentee(id="a", languages=("de",))],
    ...                      [Mentor(id="m", languages=("en",)), Mentor(id="n", capacity=0)])
    >>> found = generate_candidates(space, resolve_weights())
    >>> found.graph.n_edges, dict(zip(CONSTRAINTS, found.removed[0].tolist()))["language"]
    (0, 1)
    """
    rules = tuple(rules)
    blocked = blocked_pairs(space, forbidden)
    pins = pair_keys(space, pinned, "pin")
    check_pins(space, pins, rules, blocked)
    pair_rules = PairRules(space, rules, blocked)
    n, m = len(space.mentees), len(space.mentors)
    removed = np.zeros((n, len(CONSTRAINTS)), dtype=np.int64)
    if n * m <= dense_limit:
        graph = dense_graph(space, weights, pair_rules, removed, block, progress)
        return CandidateSet(graph=graph, outside_bound=None, removed=removed, dense=True)
    cheap = CheapBound(space, weights)
    keys, left_out = top_k_pairs(
        cheap, pair_rules, removed, top_k=top_k, block=block, progress=progress
    )
    graph = score_pairs(space, weights, unique_keys(np.concatenate([keys, pins])))
    # A mentee with no allowed pair left outside: any bound holds, and 0 is the floor.
    outside = np.maximum(left_out, 0.0) + cheap.uncounted() + BOUND_SLACK
    return CandidateSet(
        graph=graph,
        outside_bound=outside,
        removed=removed,
        dense=False,
        cheap=cheap,
        rules=pair_rules,
        cheap_outside=left_out,
    )


def add_pairs(
    space: FeatureSpace, weights: Mapping[str, float], found: CandidateSet, keys: np.ndarray
) -> int:
    """Add the allowed pairs ``keys`` (``i * m + j``, not yet in the graph) to ``found``;
    returns how many. The refill and the missed pairs of the all-pairs proof grow the
    candidate set this way.

    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import FeatureSpace, resolve_weights
    >>> space = FeatureSpace([Mentee(id="a")], [Mentor(id="m"), Mentor(id="n")])
    >>> found = generate_candidates(space, resolve_weights(), forbidden=[("a", "n")])
    >>> add_pairs(space, resolve_weights(), found, np.array([1])), found.graph.n_edges
    (1, 2)
    """
    if len(keys):
        found.graph = merge_graphs(found.graph, score_pairs(space, weights, np.sort(keys)))
    return len(keys)
