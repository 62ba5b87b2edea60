"""Why healthy pairs are flagged: each flagged healthy pair's first flag, by what flagged it and
by what the timeline was doing then.

Usage::

    .venv/bin/python bench/health_sim_breakdown.py [--quick]   # the dev set only

For every healthy timeline (thriving, steady, ended well) of the dev set that
``bench/health_sim.py`` flags, the first flag is put in one row: **by** the hard rule of two
missed periods (the score alone would not have flagged) or the score, with its heaviest
concern; and the **situation** in the gap since the last meeting, read from the simulator's
ground truth: a side away on an undeclared or a declared holiday, a meeting silently skipped,
a meeting called off or moved, and whether a next meeting stood booked at the flag (within
one cadence period, or later). Never run on a held-out set: it is for tuning.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass

from health_sim import Prepared, tandem_rule
from health_sim_sets import FULL, QUICK, load
from health_sim_timelines import HEALTHY, Timeline

from tandem.feedback.health import DEFAULT_THRESHOLDS, assess


@dataclass(frozen=True)
class Situation:
    by: str  # "hard rule" or "score: <heaviest concern>"
    gap: str  # what the gap since the last meeting held
    booked: str  # "within a period", "later" or "nothing"


def _overlaps(start: float, end: float, low: float, high: float) -> bool:
    return start < high and low < end


def _gap(t: Timeline, last: float, day: float) -> str:
    """What happened between the last meeting and the flag, the first that applies."""
    undeclared = [a for a in t.away if not a[3] and _overlaps(a[1], a[2], last, day)]
    declared = [a for a in t.away if a[3] and _overlaps(a[1], a[2], last, day)]
    called_off = [moved for at, _, moved in t.cancellations if last < at <= day]
    if undeclared:
        return "undeclared holiday"
    if any(last < skipped <= day for skipped in t.skipped):
        return "meeting silently skipped"
    if called_off and not all(called_off):
        return "meeting cancelled"
    if called_off:
        return "meeting moved"
    if declared:
        return "declared holiday"
    return "none of these"


def _booked(t: Timeline, day: float) -> str:
    standing = [start for booked, start, off in t.bookings if booked <= day < start and off > day]
    if not standing:
        return "nothing"
    return "within a period" if min(standing) - day <= t.cadence else "later"


def situation(t: Timeline) -> Situation | None:
    """The situation at the healthy timeline's first flag; None when it is never flagged."""
    prepared = Prepared(t)
    day = tandem_rule(prepared, DEFAULT_THRESHOLDS)(0.0)
    if day is None:
        return None
    assessment = assess(prepared.signals(day))
    hard = assessment.score >= DEFAULT_THRESHOLDS.on_track_from
    by = "hard rule" if hard else f"score: {assessment.reasons[0].code}"
    last = max((m for m in t.meetings if m <= day), default=0.0)
    return Situation(by, _gap(t, last, day), _booked(t, day))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} timelines, not {FULL}")
    args = parser.parse_args()
    healthy = [t for t in load("dev", QUICK if args.quick else FULL) if t.fate in HEALTHY]
    found = [s for t in healthy if (s := situation(t)) is not None]
    share = len(found) / len(healthy)
    print(f"dev: {len(found)} of {len(healthy)} healthy pairs flagged ({share:.1%})")
    print(f"{'first flag by':<28} {'gap since the last meeting':<26} {'booked':<16} {'pairs':>5}")
    for (by, gap, booked), count in sorted(
        Counter((s.by, s.gap, s.booked) for s in found).items(), key=lambda item: -item[1]
    ):
        print(f"{by:<28} {gap:<26} {booked:<16} {count:>5} {count / len(healthy):>6.1%}")


if __name__ == "__main__":
    main()
