"""The quality report of a match run (``report.json``).

Group figures are given only for opt-in identity groups of at least ``MIN_GROUP_SIZE`` mentees;
smaller groups are counted as suppressed, never named.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from tandem.matching.profiles import normalise_tag

MIN_GROUP_SIZE = 5


def _stats(scores: Sequence[float]) -> dict:
    if not scores:
        return {"total_score": 0.0, "mean_score": None, "min_score": None}
    return {
        "total_score": round(math.fsum(scores), 6),
        "mean_score": round(math.fsum(scores) / len(scores), 6),
        "min_score": round(min(scores), 6),
    }


def group_figures(identities: Sequence[Iterable[str]], score_of: Sequence[float | None]) -> dict:
    """Match rate and mean score per identity group of at least ``MIN_GROUP_SIZE`` mentees.

    ``score_of[i]`` is None for an unmatched mentee.

    >>> figures = group_figures([("a",)] * 5 + [("b",)], [0.5, 0.7, None, 0.6, 0.6, 0.9])
    >>> figures["groups"]["a"]["match_rate"], figures["suppressed_groups"]
    (0.8, 1)
    """
    members: dict[str, list[int]] = {}
    for k, tags in enumerate(identities):
        for tag in {normalise_tag(t) for t in tags}:
            members.setdefault(tag, []).append(k)
    groups, suppressed = {}, 0
    for tag in sorted(members):
        rows = members[tag]
        if len(rows) < MIN_GROUP_SIZE:
            suppressed += 1
            continue
        scores = [score_of[k] for k in rows if score_of[k] is not None]
        groups[tag] = {
            "size": len(rows),
            "matched": len(scores),
            "match_rate": round(len(scores) / len(rows), 6),
            "mean_score": _stats(scores)["mean_score"],
        }
    return {"groups": groups, "suppressed_groups": suppressed}


def build_report(
    *,
    objective: str,
    seed: int,
    n_mentors: int,
    score_of: Sequence[float | None],
    unmatched_reasons: Sequence[str],
    identities: Sequence[Iterable[str]] = (),
    n_edges: int = 0,
    candidates: str = "all allowed pairs",
    upper_bound: float | None = None,
    blocking_pairs: int | None = None,
    phase_seconds: Mapping[str, float] | None = None,
    warnings: Sequence[str] = (),
) -> dict:
    """Assemble the report dictionary (JSON-ready, plain Python types).

    >>> r = build_report(objective="optimal", seed=0, n_mentors=1, score_of=[0.5, None],
    ...                  unmatched_reasons=["every compatible mentor was full"],
    ...                  upper_bound=0.6)
    >>> r["matched"], r["unmatched"], r["gap"]
    (1, 1, 0.1)
    """
    matched = [s for s in score_of if s is not None]
    stats = _stats(matched)
    gap = None if upper_bound is None else round(max(upper_bound - stats["total_score"], 0.0), 6)
    report = {
        "objective": objective,
        "seed": seed,
        "mentees": len(score_of),
        "mentors": n_mentors,
        "candidate_pairs": n_edges,
        "candidates": candidates,
        "matched": len(matched),
        "unmatched": len(score_of) - len(matched),
        **stats,
        "upper_bound": None if upper_bound is None else round(float(upper_bound), 6),
        "gap": gap,
        "relative_gap": (round(gap / upper_bound, 6) if gap is not None and upper_bound else None),
        "blocking_pairs": blocking_pairs,
        "unmatched_reasons": dict(Counter(unmatched_reasons).most_common()),
        **group_figures(identities, score_of),
        "phase_seconds": {k: round(float(v), 4) for k, v in (phase_seconds or {}).items()},
        "warnings": list(warnings),
    }
    return report


def write_json_atomic(path: str | os.PathLike, data: Mapping) -> None:
    """Write JSON to a temporary file beside ``path``, then rename it into place."""
    temporary = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=False)
        handle.write("\n")
    os.replace(temporary, path)
