"""The bridge to the two things this app does not own: the matching core and mentorships.

Everything the core returns is turned into plain, display-safe values here (ids as strings,
floats, reasons as ``{"criterion", "text", "kind"}`` rows, a pair's fit as the first row), so
the rest of the app never touches core types.

Identity acts nowhere here (docs/matching.md, "Identity and privacy"): cohort runs and self-serve
recommendations both solve with its weight at 0 and records that hold none. A run's admin sees its
pairs and may re-run it at will over people they can add, so any effect of identity on the pairs
would let them read which item someone holds (two mentors alike but for one item, or a poor decoy
holding a guessed item). Only ``tandem match``, where the operator holds the file, uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tandem.matching.explain import Reason, with_searched_skill
from tandem.matching.fit import FIT_SCALE, fit_of
from tandem.matching.mentor_side import MentorSide
from tandem.matching.pipeline import match_participants, rank_mentors_for
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.ranking import rank_mentor_side_for
from tandem.matching.text import Embedder
from tandem.matchruns.adapters import Cohort
from tandem.mentorships.services import mentorship_create_from_match

# Criteria Tandem never lets act on pairs, rankings or scores (weight 0 whatever is stored).
PRIVATE = ("identity",)


# Places of a ranked list explained together: a page of the list.
EXPLAIN_AHEAD = 12

# The kind of the row that carries a pair's fit (the reasons' kinds are the core's).
FIT = "fit"


@dataclass(frozen=True)
class PairOut:
    mentee_id: str
    mentor_id: str
    score: float
    reasons: list[dict[str, str]]  # the fit row, then the reasons


@dataclass(frozen=True)
class UnmatchedOut:
    person_id: str
    side: str
    reasons: list[dict[str, str]]


@dataclass(frozen=True)
class Outcome:
    pairs: list[PairOut]
    unmatched: list[UnmatchedOut]
    report: dict = field(default_factory=dict)


def reason_rows(reasons: Iterable[Reason]) -> list[dict[str, str]]:
    """The core's reasons as the rows runs store and pages show, ``{"criterion", "text",
    "kind"}`` (identity is never among them: its weight is 0, see ``PRIVATE``)."""
    return [
        {"criterion": reason.criterion, "text": reason.text, "kind": reason.kind}
        for reason in reasons
    ]


def fit_row(score: float) -> dict[str, str]:
    """A pair's score as people read it (``tandem.matching.fit``), as the row that leads its
    reasons: pages show it the same way wherever they show the reasons, and a run keeps the
    words it was shown with."""
    fit = fit_of(score)
    return {
        "criterion": FIT,
        "kind": FIT,
        "text": f"{fit.label}: {fit.points} out of 100",
        "label": fit.label,
        "points": str(fit.points),
        "meaning": f"{fit.meaning} {FIT_SCALE}",
    }


def pair_rows(score: float, reasons: Iterable[Reason]) -> list[dict[str, str]]:
    """A pair's fit row, then its reasons."""
    return [fit_row(score), *reason_rows(reasons)]


def _safe_report(report: dict) -> dict:
    """The figures of the core's report worth keeping: none is computed with identity, and
    none is per opt-in group (docs/match-runs.md, "No group figures per run")."""
    keep = (
        "objective",
        "seed",
        "mentees",
        "mentors",
        "matched",
        "unmatched",
        "total_score",
        "mean_score",
        "min_score",
        "unmatched_reasons",
        "candidates",
        "warnings",
    )
    return {key: report[key] for key in keep if key in report}


def solve(
    cohort: Cohort,
    *,
    objective: str,
    seed: int,
    pinned,
    forbidden,
    progress: Callable[[int], None] | None = None,
    embedder: Embedder | None = None,
) -> Outcome:
    """Run the core on a cohort; ``progress`` gets 0-100 while candidates are scored.

    Identity takes no part (its weight is 0), whatever the records or the program's stored
    weights hold: the pairs, scores, reasons and report are the same whatever anyone's identity.
    """
    total = max(len(cohort.mentees), 1)
    done = [0]

    def on_block(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(min(100, round(100 * done[0] / total)))

    result = match_participants(
        cohort.mentees,
        cohort.mentors,
        objective=objective,
        weights=_public_weights(cohort),
        reverse=cohort.reverse,
        conflict_rules=cohort.conflict_rules,
        pinned=pinned,
        forbidden=forbidden,
        seed=seed,
        progress=on_block,
        week=cohort.week,
        embedder=embedder,
    )
    pairs = [
        PairOut(
            mentee_id=str(p["mentee_id"]),
            mentor_id=str(p["mentor_id"]),
            score=float(p["score"]),
            reasons=pair_rows(p["score"], p["reasons"]),
        )
        for p in result.pairs
    ]
    unmatched = [
        UnmatchedOut(
            person_id=str(u["mentee_id"]),
            side="mentee",
            reasons=reason_rows([u["reason"]]),
        )
        for u in result.unmatched
    ]
    return Outcome(pairs=pairs, unmatched=unmatched, report=_safe_report(result.report))


def rank(
    cohort: Cohort,
    *,
    mentee: Mentee,
    mentors: Sequence[Mentor],
    limit: int,
    searched_skill: str = "",
    embedder: Embedder | None = None,
) -> list[tuple[str, float, list[dict[str, str]]]]:
    """Mentors for one mentee, best first, with display-safe reasons (the fit row first; then,
    when the mentee filtered by ``searched_skill``, that the mentor offers it).

    Identity never takes part (its weight is 0), whatever the records hold: nothing a mentee
    sees may vary with a mentor's identity, nor with their own preference.
    """
    ranked = rank_mentors_for(
        mentee,
        mentors,
        weights=_public_weights(cohort),
        reverse=cohort.reverse,
        limit=limit,
        conflict_rules=cohort.conflict_rules,
        week=cohort.week,
        embedder=embedder,
    )
    return _display(ranked, mentee=mentee, mentors=mentors, searched_skill=searched_skill)


@dataclass(frozen=True)
class Ranked:
    """One place on a ranked list: ``rows()`` gives the fit row and reasons, worked out when
    first asked for (a page shows a dozen of the list)."""

    mentor_id: str
    score: float
    rows: Callable[[], list[dict[str, str]]]


def rank_side(
    cohort: Cohort,
    *,
    mentee: Mentee,
    side: MentorSide,
    capacity: Sequence[int] | np.ndarray,
    limit: int,
    searched_skill: str = "",
    embedder: Embedder | None = None,
) -> list[Ranked]:
    """:func:`rank` against mentors converted earlier (``side``, its week kept from then;
    ``embedder`` must give the vectors the side was built with), with ``capacity`` places per
    mentor now (0 leaves one out): the same order, scores and rows."""
    ranking = rank_mentor_side_for(
        mentee,
        side,
        capacity=capacity,
        weights=_public_weights(cohort),
        reverse=cohort.reverse,
        limit=limit,
        conflict_rules=cohort.conflict_rules,
        embedder=embedder,
    )

    explained: dict[int, list[dict[str, str]]] = {}

    def rows(place: int) -> Callable[[], list[dict[str, str]]]:
        def read() -> list[dict[str, str]]:
            if place not in explained:  # this place and the next few: a page reads in order
                places = range(place, min(place + EXPLAIN_AHEAD, len(ranking.mentor_ids)))
                for k, reasons in zip(places, ranking.explain(places), strict=True):
                    mentor = side.mentors[int(ranking.columns[k])]
                    explained[k] = pair_rows(
                        ranking.scores[k],
                        with_searched_skill(reasons, searched_skill, mentee, mentor),
                    )
            return explained[place]

        return read

    return [
        Ranked(mentor_id=str(mentor_id), score=float(score), rows=rows(place))
        for place, (mentor_id, score) in enumerate(
            zip(ranking.mentor_ids, ranking.scores, strict=True)
        )
    ]


def _public_weights(cohort: Cohort) -> dict[str, float]:
    return {**cohort.weights, **dict.fromkeys(PRIVATE, 0.0)}


def _display(
    ranked: Iterable[tuple[str, float, tuple[Reason, ...]]],
    *,
    mentee: Mentee,
    mentors: Sequence[Mentor],
    searched_skill: str,
) -> list[tuple[str, float, list[dict[str, str]]]]:
    by_id = {m.id: m for m in mentors}
    return [
        (
            str(mentor_id),
            float(score),
            pair_rows(
                score, with_searched_skill(reasons, searched_skill, mentee, by_id[mentor_id])
            ),
        )
        for mentor_id, score, reasons in ranked
    ]


def create_mentorships(*, run, pairs, user) -> list:
    """Proposed mentorships for every pair, all or nothing (mentorships owns the rules)."""
    return mentorship_create_from_match(
        program=run.program, pairs=[(p.mentor, p.mentee) for p in pairs], match_run_ref=run.pk
    )
