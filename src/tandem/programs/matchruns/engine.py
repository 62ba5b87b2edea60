"""The bridge to the two things this app does not own: the matching core and mentorships.

Everything the core returns is turned into plain, display-safe values here (ids as strings,
floats, reason texts), so the rest of the app never touches core types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tandem.matching.explain import IDENTITY_NOT, IDENTITY_SHARED
from tandem.matching.pipeline import match_participants, rank_mentors_for
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.report import MIN_GROUP_SIZE
from tandem.programs.matchruns.adapters import Cohort


@dataclass(frozen=True)
class PairOut:
    mentee_id: str
    mentor_id: str
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class UnmatchedOut:
    person_id: str
    side: str
    reasons: list[str]


@dataclass(frozen=True)
class Outcome:
    pairs: list[PairOut]
    unmatched: list[UnmatchedOut]
    report: dict = field(default_factory=dict)


def display_reasons(summary: str) -> list[str]:
    """The core's reason summary as a list, without identity reasons.

    Saying that a mentor shares (or lacks) an identity the mentee asked for would tell the
    reader something about a person's identity, so those reasons are never shown.
    """
    hidden = {IDENTITY_SHARED, IDENTITY_NOT}
    return [
        part.strip()
        for part in (summary or "").split(";")
        if part.strip() and part.strip() not in hidden
    ]


def _group_rows(report: dict) -> list[dict]:
    return [
        {
            "label": label,
            "size": int(g["size"]),
            "matched": int(g["matched"]),
            "rate": float(g["match_rate"]),
        }
        for label, g in sorted((report.get("groups") or {}).items())
        if int(g["size"]) >= MIN_GROUP_SIZE
    ]


def _safe_report(report: dict) -> dict:
    """The figures of the core's report worth keeping (groups already size-suppressed)."""
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
        "upper_bound",
        "gap",
        "blocking_pairs",
        "unmatched_reasons",
        "suppressed_groups",
        "candidates",
        "warnings",
    )
    safe = {key: report[key] for key in keep if key in report}
    safe["groups"] = _group_rows(report)
    return safe


def solve(
    cohort: Cohort,
    *,
    objective: str,
    seed: int,
    pinned,
    forbidden,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Run the core on a cohort; ``progress`` gets 0-100 while candidates are scored."""
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
        weights=cohort.weights or None,
        reverse=cohort.reverse,
        conflict_rules=cohort.conflict_rules,
        pinned=pinned,
        forbidden=forbidden,
        seed=seed,
        progress=on_block,
    )
    pairs = [
        PairOut(
            mentee_id=str(p["mentee_id"]),
            mentor_id=str(p["mentor_id"]),
            score=float(p["score"]),
            reasons=display_reasons(p["reasons"]),
        )
        for p in result.pairs
    ]
    unmatched = [
        UnmatchedOut(
            person_id=str(u["mentee_id"]),
            side="mentee",
            reasons=[u["reason"]] if u.get("reason") else [],
        )
        for u in result.unmatched
    ]
    return Outcome(pairs=pairs, unmatched=unmatched, report=_safe_report(result.report))


def rank(
    cohort: Cohort, *, mentee: Mentee, mentors: Sequence[Mentor], limit: int
) -> list[tuple[str, float, list[str]]]:
    """Mentors for one mentee, best first, with display-safe reasons."""
    ranked = rank_mentors_for(
        mentee,
        mentors,
        weights=cohort.weights or None,
        reverse=cohort.reverse,
        limit=limit,
        conflict_rules=cohort.conflict_rules,
    )
    return [
        (str(mentor_id), float(score), display_reasons(reasons))
        for mentor_id, score, reasons in ranked
    ]


def create_mentorships(*, run, pairs, user) -> list:
    """Proposed mentorships for every pair, all or nothing (mentorships owns the rules)."""
    from tandem.mentorships.services.lifecycle import mentorship_create_from_match

    return mentorship_create_from_match(
        program=run.program, pairs=[(p.mentor, p.mentee) for p in pairs], match_run_ref=run.pk
    )
