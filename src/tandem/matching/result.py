"""What a match returns: pairs with scores and reasons, the unmatched with why, the report.

:mod:`tandem.matching.pipeline` runs the steps; this module turns the solver's assignment into
the plain data every caller reads (the Django side, ``tandem match``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from tandem.matching.explain import Reason, explain_pairs, unmatched_reason
from tandem.matching.features import CRITERIA, FeatureSpace, combine, pair_features
from tandem.matching.graph import CandidateGraph
from tandem.matching.report import build_report
from tandem.matching.scoretable import ScoreTable
from tandem.matching.sentences import NOTE

if TYPE_CHECKING:  # the solver module loads OR-Tools, which rank_mentors_for never needs
    from tandem.matching.solve import Assignment

# Report figures computed on the solver's scores: with a private criterion they would carry it.
SOLVER_FIGURES = ("upper_bound", "gap", "relative_gap", "blocking_pairs", "candidate_pairs")


TABLE_REASON = Reason("score_table", "score from the table", NOTE)


@dataclass
class MatchResult:
    """Pairs (``mentee_id``, ``mentor_id``, ``score``, ``reasons``: a tuple of
    :class:`~tandem.matching.explain.Reason`, ``criteria``), the unmatched (``mentee_id``,
    ``reason``: one Reason) in input order, and the report dictionary.

    ``exact_scores`` holds each pair's score unrounded, in ``pairs`` order: the report's total
    and gap are computed from these, since a sum of scores rounded to six decimals can drift
    past the solver's bound (families check: total 42.818195 against a bound of 42.818182)."""

    pairs: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    exact_scores: list[float] = field(default_factory=list, repr=False)


def public_scores(
    space: FeatureSpace,
    weights: Mapping[str, float],
    public: Sequence[str],
    i: ArrayLike,
    j: ArrayLike,
) -> np.ndarray:
    """Pair scores over the ``public`` criteria alone (their weighted mean; 0 if they weigh 0).

    >>> from tandem.matching.features import resolve_weights
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> space = FeatureSpace([Mentee(id="a", identity=("x",), prefer_shared_identity=True)],
    ...                      [Mentor(id="m", identity=("x",))])
    >>> public = [c for c in CRITERIA if c != "identity"]
    >>> w = resolve_weights()
    >>> float(public_scores(space, w, public, [0], [0])[0]) < float(
    ...     public_scores(space, w, CRITERIA, [0], [0])[0])
    True
    """
    chosen = {name: weights[name] for name in public}
    if not sum(chosen.values()):
        return np.zeros(np.broadcast_shapes(np.shape(i), np.shape(j)))
    return combine(pair_features(space, i, j, public), chosen)


def cohort_result(
    space: FeatureSpace,
    weights: Mapping[str, float],
    graph: CandidateGraph,
    removed: np.ndarray,
    assignment: Assignment,
    causes: Sequence[str | None],
    public: Sequence[str] = CRITERIA,
) -> MatchResult:
    """The pairs of ``assignment`` on ``graph`` with their scores and reasons over the
    ``public`` criteria, and the unmatched with why (``removed``: see
    :class:`~tandem.matching.candidates.generate.CandidateSet`); no report yet."""
    mentor_of = np.asarray(assignment.mentor_of)
    matched = np.flatnonzero(mentor_of >= 0)
    if public == CRITERIA:
        score = assigned_scores(graph, mentor_of)[matched]
    else:
        score = public_scores(space, weights, public, matched, mentor_of[matched])
    explained = explain_pairs(space, weights, matched, mentor_of[matched], public)
    result = MatchResult(exact_scores=score.tolist())
    for k, i in enumerate(matched):
        result.pairs.append(
            {
                "mentee_id": space.mentee.ids[i],
                "mentor_id": space.mentor.ids[mentor_of[i]],
                "score": round(float(score[k]), 6),
                "reasons": explained[k]["reasons"],
                "criteria": explained[k]["criteria"],
            }
        )
    for mentee in np.flatnonzero(mentor_of < 0).tolist():
        reason = unmatched_reason(causes[mentee], removed[mentee], len(space.mentors))
        result.unmatched.append({"mentee_id": space.mentee.ids[mentee], "reason": reason})
    return result


def assigned_scores(graph: CandidateGraph, mentor_of: np.ndarray) -> np.ndarray:
    """Score of each mentee's assigned edge (nan when unmatched).

    >>> g = CandidateGraph.from_edges(2, 1, [0, 1], [0, 0], [0.9, 0.5], [1])
    >>> assigned_scores(g, np.array([-1, 0])).tolist()
    [nan, 0.5]
    """
    m = max(graph.n_mentors, 1)
    keys = graph.mentee.astype(np.int64) * m + graph.mentor
    order = np.argsort(keys, kind="stable")
    wanted = np.arange(len(mentor_of), dtype=np.int64) * m + np.maximum(mentor_of, 0)
    at = np.minimum(np.searchsorted(keys, wanted, sorter=order), max(len(keys) - 1, 0))
    found = (mentor_of >= 0) & (len(keys) > 0)
    if len(keys):
        found &= keys[order[at]] == wanted
        return np.where(found, graph.score[order[at]], np.nan)
    return np.full(len(mentor_of), np.nan)


def match_report(
    objective: str,
    seed: int,
    graph: CandidateGraph,
    assignment: Assignment,
    result: MatchResult,
    seconds: Mapping[str, float],
    identities: Sequence[Sequence[str]],
    candidates: str,
    warnings: Sequence[str],
    proof: Mapping[str, Any] | None = None,
) -> dict:
    """The report of ``result`` (see :func:`~tandem.matching.report.build_report`): ``seconds``
    per step, with the solver's own phases added as ``solve.<phase>``; ``proof`` is the
    all-pairs bound's summary, in top-k mode."""
    seconds = {
        **seconds,
        **{f"solve.{k}": v for k, v in (getattr(assignment, "phase_seconds", None) or {}).items()},
    }
    score_of: list[float | None] = [None] * graph.n_mentees
    matched = np.flatnonzero(np.asarray(assignment.mentor_of) >= 0)
    for k, i in enumerate(matched):  # pairs are listed in mentee order
        score_of[i] = result.exact_scores[k]
    blocking = getattr(assignment, "blocking_pairs", None)
    if blocking is not None and not isinstance(blocking, int | np.integer):
        blocking = len(blocking)
    upper_bound = getattr(assignment, "upper_bound", None)
    if proof is not None:
        upper_bound = proof["upper_bound"]
    report = build_report(
        objective=objective,
        seed=seed,
        n_mentors=graph.n_mentors,
        score_of=score_of,
        unmatched_reasons=[u["reason"].text for u in result.unmatched],
        identities=identities,
        n_edges=graph.n_edges,
        candidates=candidates,
        upper_bound=upper_bound,
        blocking_pairs=None if blocking is None else int(blocking),
        phase_seconds=seconds,
        warnings=warnings,
    )
    if proof is not None:
        report["bound"] = {k: v for k, v in proof.items() if k != "upper_bound"}
    return report


def table_result(
    table: ScoreTable, assignment: Assignment, causes: Sequence[str | None]
) -> MatchResult:
    """The pairs of ``assignment`` on a score table (reasons say the score came from the
    table), and the unmatched with why; no report yet."""
    mentor_of = np.asarray(assignment.mentor_of)
    score = assigned_scores(table.graph, mentor_of)
    result = MatchResult(exact_scores=score[mentor_of >= 0].tolist())
    for i, j in enumerate(mentor_of.tolist()):
        if j >= 0:
            result.pairs.append(
                {
                    "mentee_id": table.mentee_ids[i],
                    "mentor_id": table.mentor_ids[j],
                    # The table's own number, unrounded: the pairs file echoes it exactly.
                    "score": float(score[i]),
                    "reasons": (TABLE_REASON,),
                    "criteria": {},
                }
            )
        else:
            cause = "no_edges" if not table.mentor_ids else causes[i]
            reason = unmatched_reason(cause, n_mentors=len(table.mentor_ids))
            result.unmatched.append({"mentee_id": table.mentee_ids[i], "reason": reason})
    return result
