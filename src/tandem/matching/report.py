"""The quality report of a match run (``report.json``), and the one rule for group figures.

Per-group figures appear only in this report as ``tandem match --report`` writes it (its
operator holds every identity in the input file already; Tandem's match runs drop them, see
docs/match-runs.md) and follow :func:`public_group_rows`: a group is named only with at least
``MIN_GROUP_SIZE`` mentees, its size is rounded to a multiple of ``SIZE_BASE`` and its match
rate to the nearest ``RATE_STEP``; no exact group count, no mean score and no count of hidden
groups is ever given.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from tandem.matching.features import uncached_tag

MIN_GROUP_SIZE = 10
SIZE_BASE = 5
RATE_STEPS = 10  # rates are shown in tenths: to the nearest 10 percentage points


def _stats(scores: Sequence[float]) -> dict:
    if not scores:
        return {"total_score": 0.0, "mean_score": None, "min_score": None}
    return {
        "total_score": round(math.fsum(scores), 6),
        "mean_score": round(math.fsum(scores) / len(scores), 6),
        "min_score": round(min(scores), 6),
    }


def public_group_rows(counts: Mapping[str, tuple[int, int]]) -> dict[str, dict]:
    """The only figures per group that may be shown: coarse, and only for large groups.

    Parameters
    ----------
    counts : mapping of group label to (size, matched)
        Exact counts; they never leave this function.

    Returns
    -------
    dict
        ``{label: {"size": int, "match_rate": float}}`` for groups of at least
        ``MIN_GROUP_SIZE``: the size rounded half up to a multiple of ``SIZE_BASE``, the match
        rate rounded half up to a multiple of ``1 / RATE_STEPS``.

    Notes
    -----
    The output depends on a group only if it has ``MIN_GROUP_SIZE`` or more members, and
    nothing in it (no hidden-group count, no "everyone else" row, no exact count) depends on
    the groups left out. So a person whose groups are all small leaves every figure unchanged
    when they join or leave a run, and the total of the shown groups is no route to a hidden
    one: labels overlap, not every mentee has one, and every shown size is rounded. This is
    why the classic complementary suppression ("when exactly one cell is hidden, hide another")
    is not used: its trigger depends on how many small groups exist, so pausing one person
    could make a second row vanish or reappear. A change of one person in a large group shows
    only where it crosses a rounding step (see ``docs/matching.md``).

    Examples
    --------
    >>> public_group_rows({"a": (12, 7), "b": (13, 13), "c": (9, 9)})
    {'a': {'size': 10, 'match_rate': 0.6}, 'b': {'size': 15, 'match_rate': 1.0}}
    """
    rows = {}
    for label in sorted(counts):
        size, matched = counts[label]
        if size < MIN_GROUP_SIZE:
            continue
        # Integer arithmetic: round half up, with no float ties.
        rounded = SIZE_BASE * ((2 * size + SIZE_BASE) // (2 * SIZE_BASE))
        tenths = (2 * RATE_STEPS * matched + size) // (2 * size)
        rows[label] = {"size": rounded, "match_rate": tenths / RATE_STEPS}
    return rows


def group_figures(identities: Sequence[Iterable[str]], score_of: Sequence[float | None]) -> dict:
    """Public figures per opt-in identity group (see :func:`public_group_rows`).

    ``score_of[i]`` is None for an unmatched mentee.

    >>> figures = group_figures([("a",)] * 10 + [("b",)], [0.5] * 7 + [None] * 3 + [0.9])
    >>> figures["groups"]
    {'a': {'size': 10, 'match_rate': 0.7}}
    """
    counts: dict[str, list[int]] = {}
    for k, tags in enumerate(identities):
        for tag in {uncached_tag(t) for t in tags}:
            tally = counts.setdefault(tag, [0, 0])
            tally[0] += 1
            tally[1] += score_of[k] is not None
    return {"groups": public_group_rows({tag: (n, m) for tag, (n, m) in counts.items()})}


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
    total = math.fsum(matched)
    if upper_bound is not None:
        # The total and the gap come from unrounded scores; only the printed figures are
        # rounded. A bound below the total can only be float noise (the solver's bound is
        # proven), so the printed bound is at least the printed total, and the gap never < 0.
        upper_bound = max(float(upper_bound), total)
    slack = None if upper_bound is None else upper_bound - total
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
        "upper_bound": None if upper_bound is None else round(upper_bound, 6),
        "gap": None if slack is None else round(slack, 6),
        "relative_gap": (
            round(slack / abs(upper_bound), 6) if slack is not None and upper_bound else None
        ),
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
