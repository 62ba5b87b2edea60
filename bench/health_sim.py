"""How early and how quietly the health rules flag fading mentorships, on simulated timelines.

Usage::

    .venv/bin/python bench/health_sim.py [--quick] [--set dev|held-out|spent|spent-2|both]
    .venv/bin/python bench/health_sim.py --quick --declared 1.0   # what-if, dev only
    .venv/bin/python bench/health_sim.py --quick --on-track 50    # what-if, dev only
    .venv/bin/python bench/health_sim.py --set dev --reasons      # who sees each reason

Draws timelines of known fates (``bench/health_sim_timelines.py``: thriving, steady, ended
well; fading commitment on one side, mismatched expectations, communication breakdown, ended
early) and steps each one day by day (the daily sweep, at 18:00 UTC) through
:func:`tandem.feedback.health.assess`, as the caller would: only what happened by then, the
recent replies and pulses, the open divergence, the declared pauses. Against the same
timelines it runs the field's fixed-threshold rules: "no meeting for 45 days" and "no activity
(meeting or message) for 30 days".

Per fate and rule: **precision** (of the pairs flagged, the share whose first flag came at or
after the decline started; a healthy pair's flag is always wrong), **recall** (share of the
declining pairs flagged at some point between the decline and the end of the timeline),
**median days** from the decline's start to the first flag after it, and for healthy fates the
share **ever flagged**. "All declining" pools the four declining fates; the ratio is the 45-day
rule's median days over ours.

The sets (``bench/health_sim_sets.py``): ``dev``, the seed and noise the weights are tuned on;
``held-out``, another seed and other noise, frozen with a fingerprint of its timelines when
they gained bookings, before the sixth pass (a run refuses if they change), run at most once
per pass; ``spent`` and ``spent-2``, the first two held-out sets, each looked at after two
passes and kept only to reproduce their figures.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from health_sim_sets import FULL, QUICK, SETS, load  # noqa: E402
from health_sim_timelines import DECLINING, FATES, HEALTHY, SIDES, Timeline, timelines  # noqa: E402

from tandem.feedback.health import (  # noqa: E402
    DEFAULT_THRESHOLDS,
    Booking,
    Cancellation,
    HealthSignals,
    Pause,
    Pulse,
    Reply,
    Thresholds,
    assess,
)
from tandem.feedback.health.baseline import baseline_of  # noqa: E402
from tandem.feedback.health.rules import PULSES_READ, RECENT_REPLIES  # noqa: E402

SWEEP_HOUR = 0.75  # the daily sweep runs at 18:00 UTC
EPOCH = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
RULES = ("tandem", "45 days no meeting", "30 days no activity")


class Prepared:
    """A timeline with its events as the rules' types, sorted, for cheap slicing by day."""

    def __init__(self, t: Timeline) -> None:
        self.t = t
        start = EPOCH + timedelta(days=t.start_day, hours=float(t.start_day % 11))
        self.start = start
        self.moment = lambda day: start + timedelta(days=day)
        at = self.moment
        self.meeting_days = t.meetings
        self.meetings = [at(d) for d in t.meetings]
        self.cancel_days = [d for d, _, _ in t.cancellations]
        self.cancellations = [Cancellation(at(d), by, moved) for d, by, moved in t.cancellations]
        self.message_days = t.messages
        self.message_at = {s: [at(d) for d in t.messages[s]] for s in SIDES}
        self.reply_days = {s: [d for d, _ in t.replies[s]] for s in SIDES}
        self.replies = {s: [Reply(at(d), s, h) for d, h in t.replies[s]] for s in SIDES}
        self.pulse_days = {s: sorted(d for d, _ in t.pulses[s]) for s in SIDES}
        self.pulses = {s: [Pulse(at(d), s, v) for d, v in sorted(t.pulses[s])] for s in SIDES}
        self.progress_days = [d for d, _ in t.progress]
        self.pauses = [(d0, Pause(at(d0), at(d1))) for d0, d1 in t.pauses]
        self.bookings = [(b, s, off, Booking(at(s), at(b))) for b, s, off in t.bookings]
        self.baseline = baseline_of(  # what the product gathers once the first weeks are over
            active_since=start,
            meetings_held=self.meetings,
            cancellations=self.cancellations,
            replies=[r for s in SIDES for r in self.replies[s]],
            pulses=[p for s in SIDES for p in self.pulses[s]],
        )

    def signals(self, day: float) -> HealthSignals:
        t = self.t
        last_message = {}
        replies: list[Reply] = []
        pulses: list[Pulse] = []
        for s in SIDES:
            k = bisect_right(self.message_days[s], day)
            if k:
                last_message[s] = self.message_at[s][k - 1]
            k = bisect_right(self.reply_days[s], day)
            replies += self.replies[s][max(0, k - RECENT_REPLIES) : k]
            k = bisect_right(self.pulse_days[s], day)
            pulses += self.pulses[s][max(0, k - PULSES_READ) : k]
        k = bisect_right(self.progress_days, day)
        progress = (t.progress[k - 1][1] if k else 0.0) if t.has_goals else None
        waiting = [day - sent for sent, signed in t.amendments if sent <= day < signed]
        return HealthSignals(
            as_of=self.moment(day),
            active_since=self.start,
            cadence_days=t.cadence,
            meetings_held=tuple(self.meetings[: bisect_right(self.meeting_days, day)]),
            cancellations=tuple(self.cancellations[: bisect_right(self.cancel_days, day)]),
            last_message_at=last_message,
            replies=tuple(replies),
            overdue_action_items=tuple(
                self.moment(due) for due, done in t.items if due < day < done
            ),
            goal_progress=progress,
            pulses=tuple(pulses),
            divergence_topics=("expectations",)
            if any(o <= day < r for o, r in t.divergences)
            else (),
            amendment_waiting_days=waiting[0] if waiting else None,
            paused=tuple(p for d0, p in self.pauses if d0 <= day + 7),  # declared a week ahead
            meetings_booked=tuple(
                booking for b, s, off, booking in self.bookings if b <= day < s and day < off
            ),
            baseline=self.baseline if day >= self.baseline.days else None,
        )


FirstFlag = Callable[[float], float | None]  # first sweep at or after a day that flags


def tandem_rule(p: Prepared, thresholds: Thresholds) -> FirstFlag:
    def first(from_day: float) -> float | None:
        day = math.ceil(from_day - SWEEP_HOUR) + SWEEP_HOUR
        while day <= p.t.end:
            if assess(p.signals(day), thresholds).flagged:
                return day
            day += 1
        return None

    return first


def threshold_rule(events: list[float], end: float, limit: float) -> FirstFlag:
    days = np.arange(SWEEP_HOUR, end + 1e-9, 1.0)
    marks = np.asarray(sorted(events), dtype=float)
    since = np.concatenate(([0.0], marks))  # the start, then each event: the latest by a day
    last = since[np.searchsorted(marks, days, side="right")]
    flagged = days[(days - last) >= limit]

    def first(from_day: float) -> float | None:
        k = int(np.searchsorted(flagged, from_day, side="left"))
        return float(flagged[k]) if k < len(flagged) else None

    return first


def rules_for(p: Prepared, thresholds: Thresholds) -> dict[str, FirstFlag]:
    t = p.t
    activity = t.meetings + t.messages["mentor"] + t.messages["mentee"]
    return {
        RULES[0]: tandem_rule(p, thresholds),
        RULES[1]: threshold_rule(t.meetings, t.end, 45),
        RULES[2]: threshold_rule(activity, t.end, 30),
    }


@dataclass
class Outcome:
    first: float | None  # the first flag of the timeline
    after: float | None  # the first flag at or after the decline starts


def outcome(first_flag: FirstFlag, decline: float | None) -> Outcome:
    first = first_flag(0.0)
    if decline is None or first is None or first >= decline:
        return Outcome(first, first)
    return Outcome(first, first_flag(decline))


@dataclass
class Row:
    n: int
    flagged: int
    right: int  # flagged, first flag at or after the decline
    detected: int  # flagged at some point after the decline
    days: list[float]
    hard: int = 0  # first flag by the two-missed-periods rule, not the score (tandem only)

    @property
    def precision(self) -> float:
        return self.right / self.flagged if self.flagged else math.nan

    @property
    def recall(self) -> float:
        return self.detected / self.n if self.n else math.nan

    @property
    def median_days(self) -> float:
        return statistics.median(self.days) if self.days else math.nan


def evaluate(
    sample: list[Timeline], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> dict[tuple[str, str], Row]:
    rows = {(fate, rule): Row(0, 0, 0, 0, []) for fate in FATES for rule in RULES}
    for t in sample:
        prepared = Prepared(t)
        for rule, first_flag in rules_for(prepared, thresholds).items():
            result, row = outcome(first_flag, t.decline), rows[t.fate, rule]
            row.n += 1
            row.flagged += result.first is not None
            if rule == RULES[0] and result.first is not None:
                score = assess(prepared.signals(result.first), thresholds).score
                row.hard += score >= thresholds.on_track_from
            if t.decline is not None:
                row.right += result.first is not None and result.first >= t.decline
                if result.after is not None:
                    row.detected += 1
                    row.days.append(result.after - t.decline)
    return rows


def pooled(rows: dict[tuple[str, str], Row], fates: tuple[str, ...], rule: str) -> Row:
    parts = [rows[fate, rule] for fate in fates]
    return Row(
        sum(r.n for r in parts),
        sum(r.flagged for r in parts),
        sum(r.right for r in parts),
        sum(r.detected for r in parts),
        [d for r in parts for d in r.days],
    )


def _fmt(value: float, pattern: str) -> str:
    return "—" if math.isnan(value) else format(value, pattern)


def report(name: str, rows: dict[tuple[str, str], Row], wall: float, cpu: float) -> None:
    count = sum(rows[f, RULES[0]].n for f in FATES)
    print(f"\n## {name}  ({count} timelines, {wall:.0f} s wall, {cpu:.0f} s CPU)")
    print(
        f"{'fate':<14} {'rule':<21} {'n':>5} {'precision':>9} {'recall':>7} {'median d':>8}"
        f" {'ever flagged':>12}"
    )
    for fate in (*FATES, "all declining", "all"):
        for rule in RULES:
            if fate in FATES:
                row = rows[fate, rule]
            else:
                fates = DECLINING if fate == "all declining" else FATES
                row = pooled(rows, fates, rule)
            healthy = fate in HEALTHY
            print(
                f"{fate:<14} {rule:<21} {row.n:>5} "
                f"{_fmt(row.precision if not healthy else math.nan, '.3f'):>9} "
                f"{_fmt(row.recall if not healthy and fate != 'all' else math.nan, '.3f'):>7} "
                f"{_fmt(row.median_days if not healthy else math.nan, '.1f'):>8} "
                f"{_fmt(row.flagged / row.n if healthy or fate == 'all' else math.nan, '.1%'):>12}"
            )
    healthy = pooled(rows, HEALTHY, RULES[0])
    declining = {rule: pooled(rows, DECLINING, rule) for rule in RULES}
    overall = pooled(rows, FATES, RULES[0])
    print(
        f"healthy pairs ever flagged (tandem): {healthy.flagged / healthy.n:.1%} (target < 5 %); "
        f"{sum(rows[f, RULES[0]].hard for f in HEALTHY) / healthy.n:.1%} first by the rule "
        "of two missed periods alone (the issue's), the rest by the weighted score"
    )
    print(
        f"precision over all flagged pairs (tandem): "
        f"{declining[RULES[0]].right / overall.flagged:.3f} (target >= 0.9)"
    )
    for fate in (*DECLINING, "all declining"):
        mine = declining[RULES[0]] if fate == "all declining" else rows[fate, RULES[0]]
        theirs = declining[RULES[1]] if fate == "all declining" else rows[fate, RULES[1]]
        ratio = theirs.median_days / mine.median_days if mine.median_days > 0 else math.inf
        print(
            f"days to flag, 45-day rule / tandem, {fate}: {theirs.median_days:.1f} / "
            f"{mine.median_days:.1f} = {ratio:.2f}x (target >= 2)"
        )


def reason_shares(sample: list[Timeline]) -> dict[str, tuple[float, float]]:
    """Per concern code, the share of healthy pairs that ever show it (any sweep) and of
    declining pairs that show it from their decline on: a reason most healthy pairs show
    teaches admins to ignore reasons."""
    seen: dict[str, list[set[int]]] = {}
    groups = {fate: 0 if fate in HEALTHY else 1 for fate in FATES}
    counts = [0, 0]
    for index, t in enumerate(sample):
        prepared, group = Prepared(t), groups[t.fate]
        counts[group] += 1
        day = math.ceil((t.decline or 0.0) - SWEEP_HOUR) + SWEEP_HOUR
        while day <= t.end:
            for reason in assess(prepared.signals(day)).reasons:
                if reason.weight < 0:
                    seen.setdefault(reason.code, [set(), set()])[group].add(index)
            day += 1
    return {
        code: (len(pairs[0]) / counts[0], len(pairs[1]) / counts[1])
        for code, pairs in sorted(seen.items(), key=lambda item: -len(item[1][0]))
    }


def report_reasons(name: str, sample: list[Timeline]) -> None:
    print(f"\n## {name}: pairs that ever show each concern")
    print(f"{'reason':<20} {'healthy':>8} {'declining':>10}")
    for code, (healthy, declining) in reason_shares(sample).items():
        print(f"{code:<20} {healthy:>8.1%} {declining:>10.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} timelines per set")
    parser.add_argument("--set", choices=[*SETS, "both"], default="both")
    parser.add_argument(
        "--declared",
        type=float,
        metavar="SHARE",
        help="what-if on the dev set only: this share of holidays declared as pauses",
    )
    parser.add_argument(
        "--on-track",
        type=int,
        metavar="SCORE",
        help="what-if on the dev set only: this on-track line (0: the hard rules alone)",
    )
    parser.add_argument(
        "--reasons",
        action="store_true",
        help="print, per concern, the share of healthy and declining pairs that ever show it",
    )
    args = parser.parse_args()
    count = QUICK if args.quick else FULL
    if args.reasons:
        for name in ("dev", "held-out") if args.set == "both" else (args.set,):
            report_reasons(name, load(name, count))
        return
    if args.declared is not None or args.on_track is not None:
        began, cpu = time.perf_counter(), time.process_time()
        seed, noise = SETS["dev"]
        declared = noise.holiday_declared if args.declared is None else args.declared
        sample = timelines(seed, count, replace(noise, holiday_declared=declared))
        line = DEFAULT_THRESHOLDS.on_track_from if args.on_track is None else args.on_track
        rows = evaluate(sample, replace(DEFAULT_THRESHOLDS, on_track_from=line))
        name = f"dev, what-if: {declared:.0%} of holidays declared, on track from {line}"
        report(name, rows, time.perf_counter() - began, time.process_time() - cpu)
        return
    for name in ("dev", "held-out") if args.set == "both" else (args.set,):
        began, cpu = time.perf_counter(), time.process_time()
        rows = evaluate(load(name, count))
        report(name, rows, time.perf_counter() - began, time.process_time() - cpu)


if __name__ == "__main__":
    main()
