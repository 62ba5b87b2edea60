"""One mentee against every mentor: the self-serve ranked list.

:func:`rank_space` orders the allowed mentors of a space's one mentee; the reasons of a place
on the list are worked out only when asked for (:meth:`MentorRanking.explain`), because a
page shows a dozen of a list of hundreds. :func:`rank_mentor_side_for` ranks against a mentor
side converted earlier (:class:`~tandem.matching.mentor_side.MentorSide`), so a long-running
service converts its mentors once, not on every request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tandem.matching.candidates.blocks import one_blas_thread
from tandem.matching.candidates.generate import generate_candidates
from tandem.matching.explain import Reason, explain_pairs
from tandem.matching.features import (
    DEFAULT_CONFLICT_RULES,
    FeatureSpace,
    check_rules,
    resolve_weights,
)
from tandem.matching.mentor_side import MentorSide
from tandem.matching.profiles import Mentee
from tandem.matching.text import Embedder


@dataclass(frozen=True)
class MentorRanking:
    """Mentors for one mentee, best first (ties by id): ``mentor_ids[k]`` scored
    ``scores[k]``; ``columns[k]`` is their column in ``space``."""

    mentor_ids: list[str]
    scores: list[float]
    columns: np.ndarray
    space: FeatureSpace
    weights: dict[str, float]

    def explain(self, places: Sequence[int]) -> list[tuple[Reason, ...]]:
        """The reasons of the mentors at ``places`` on the list (strongest first)."""
        columns = self.columns[np.asarray(places, dtype=np.int64)]
        zeros = np.zeros(len(columns), dtype=np.int64)
        return [e["reasons"] for e in explain_pairs(self.space, self.weights, zeros, columns)]


@one_blas_thread  # a 1 x m product: threads only wait for each other
def rank_space(
    space: FeatureSpace,
    *,
    weights: Mapping[str, float] | None = None,
    limit: int = 10,
    conflict_rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
) -> MentorRanking:
    """The best ``limit`` allowed mentors for the one mentee of ``space``.

    Hard constraints apply: excluded, language-incompatible or full (capacity 0) mentors are
    never ranked.

    Notes
    -----
    Scores every mentor (a dense 1 x m block, BLAS held to one thread: spreading so small a
    product over threads made it 100 times slower on a busy machine), then sorts only the
    edges that can be among the first ``limit``: O(m) array work plus O(limit log limit).

    Examples
    --------
    >>> from tandem.matching.profiles import Mentor
    >>> space = FeatureSpace([Mentee(id="a", goals="charts for executives")],
    ...                      [Mentor(id="pm", expertise="user story mapping"),
    ...                       Mentor(id="viz", expertise="dashboard design")])
    >>> ranking = rank_space(space)
    >>> ranking.mentor_ids
    ['viz', 'pm']
    >>> ranking.explain([0])[0][0].text
    'Goals and expertise meet in data visualisation'
    """
    if len(space.mentees) != 1:
        raise ValueError("rank_space ranks the mentors of exactly one mentee")
    resolved = resolve_weights(weights)
    graph = generate_candidates(space, resolved, rules=check_rules(conflict_rules)).graph
    score, ids = graph.score, space.mentor.ids
    edges = np.arange(graph.n_edges)
    if 0 < limit < graph.n_edges:  # keep every edge tied with the limit-th best score
        edges = np.flatnonzero(score >= np.partition(score, graph.n_edges - limit)[-limit])
    order = sorted(edges.tolist(), key=lambda e: (-score[e], ids[graph.mentor[e]]))[:limit]
    columns = graph.mentor[order]
    return MentorRanking(
        mentor_ids=[ids[j] for j in columns.tolist()],
        scores=[round(float(score[e]), 6) for e in order],
        columns=columns,
        space=space,
        weights=resolved,
    )


def rank_mentor_side_for(
    mentee: Mentee,
    mentors: MentorSide,
    *,
    capacity: Sequence[int] | np.ndarray,
    weights: Mapping[str, float] | None = None,
    reverse: bool = False,
    limit: int = 10,
    conflict_rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
    embedder: Embedder | None = None,
) -> MentorRanking:
    """:func:`~tandem.matching.pipeline.rank_mentors_for` against a mentor side converted
    earlier: the same ranking and reasons as ranking ``mentors.mentors`` (with ``capacity``).

    Parameters
    ----------
    mentee : Mentee
    mentors : MentorSide
        From :meth:`~tandem.matching.mentor_side.MentorSide.build` (its week is the one used).
    capacity : sequence of int
        Places left per mentor of ``mentors.mentors`` now; 0 leaves a mentor out (a caller
        ranks a subset by giving the others 0).
    weights, reverse, limit, conflict_rules, embedder
        As for ``rank_mentors_for`` (``embedder``: the one the side was built with).

    Returns
    -------
    MentorRanking

    Notes
    -----
    Only the mentee is converted: O(m) array work for m mentors and no per-mentor Python,
    which lets a ranked list over thousands of mentors answer within a page's budget.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentor
    >>> side = MentorSide.build([Mentor(id="viz", expertise="data visualisation"),
    ...                          Mentor(id="pm", expertise="user story mapping")])
    >>> me = Mentee(id="a", goals="my charts should tell a clear story to executives")
    >>> rank_mentor_side_for(me, side, capacity=[1, 1]).mentor_ids
    ['viz', 'pm']
    >>> rank_mentor_side_for(me, side, capacity=[0, 1]).mentor_ids
    ['pm']
    """
    space = FeatureSpace.joined(
        [mentee], mentors, capacity=capacity, embedder=embedder, reverse=reverse
    )
    return rank_space(space, weights=weights, limit=limit, conflict_rules=conflict_rules)
