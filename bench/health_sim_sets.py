"""The frozen timeline sets of ``bench/health_sim.py``: their seeds, their noise and, for the
held-out set, a SHA-256 of what they generate, so a held-out set cannot silently change.

- ``dev``: what every weight is tuned on (seed 20261202).
- ``spent``: the first held-out set (seed 9040117). It was run once after each of the first
  two passes of tuning, so it has been looked at twice and is no longer held out; it is kept
  only to reproduce the figures of those passes in ``docs/health.md``.
- ``spent-2``: the second held-out set (seed 5129034417), frozen before the third pass and run
  after the third and the fourth, so looked at twice; its timelines gained bookings since
  (below), so its old fingerprint no longer matches and it is kept only as a record.
- ``held-out``: frozen 2026-12-03 16:45 UTC, when the timelines gained bookings and before the
  sixth pass tuned anything; another seed and other noise than every set above. Run it at
  most once per pass, after the rules are frozen.

The fingerprint covers every event of every timeline (floats rounded to 1e-6 days), so a
change to the model in ``health_sim_timelines.py``, to the seed or to the noise shows up as a
refused run rather than as a quietly different set.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from health_sim_timelines import Noise, Timeline, timelines

DEV_SEED = 20261202
DEV = Noise(
    cadence_mix=((7, 0.35), (14, 0.4), (30, 0.25)),
    holidays_per_year=1.5,
    holiday_weeks=(1, 3),
    holiday_declared=0.7,
    cancel_base=0.06,
    moved_share=0.7,
    skip=0.04,
    jitter_share=0.1,
    missed_checkin=0.2,
    reply_sigma=0.8,
    unanswered=0.04,
    overdue=0.08,
    false_divergence=0.02,
    book_ahead=0.5,
)
# Spent: run after the first and the second pass (2026-12-02).
SPENT_SEED = 9_040_117
SPENT = Noise(
    cadence_mix=((7, 0.2), (14, 0.4), (30, 0.4)),
    holidays_per_year=2.0,
    holiday_weeks=(1, 5),
    holiday_declared=0.5,
    cancel_base=0.10,
    moved_share=0.6,
    skip=0.07,
    jitter_share=0.15,
    missed_checkin=0.35,
    reply_sigma=1.1,
    unanswered=0.07,
    overdue=0.12,
    false_divergence=0.04,
    book_ahead=0.5,
)
# Spent: frozen 2026-12-03 07:40 UTC before the third pass, run after the third and the fourth.
SPENT_2_SEED = 5_129_034_417
SPENT_2 = Noise(
    cadence_mix=((7, 0.3), (14, 0.35), (30, 0.35)),
    holidays_per_year=1.8,
    holiday_weeks=(1, 4),
    holiday_declared=0.6,
    cancel_base=0.08,
    moved_share=0.65,
    skip=0.05,
    jitter_share=0.12,
    missed_checkin=0.3,
    reply_sigma=1.0,
    unanswered=0.05,
    overdue=0.10,
    false_divergence=0.03,
    book_ahead=0.5,
)
# Frozen 2026-12-03 16:45 UTC with the bookings, before the sixth pass; never tuned on.
HELD_OUT_SEED = 8_302_615_577
HELD_OUT = Noise(
    cadence_mix=((7, 0.4), (14, 0.3), (30, 0.3)),
    holidays_per_year=1.7,
    holiday_weeks=(1, 4),
    holiday_declared=0.65,
    cancel_base=0.07,
    moved_share=0.65,
    skip=0.05,
    jitter_share=0.12,
    missed_checkin=0.25,
    reply_sigma=0.9,
    unanswered=0.05,
    overdue=0.09,
    false_divergence=0.025,
    book_ahead=0.35,
)
SETS = {
    "dev": (DEV_SEED, DEV),
    "spent": (SPENT_SEED, SPENT),
    "spent-2": (SPENT_2_SEED, SPENT_2),
    "held-out": (HELD_OUT_SEED, HELD_OUT),
}
FULL, QUICK = 2_100, 350  # timelines per set (a multiple of the seven fates)
# SHA-256 of the held-out set's timelines, by count (see fingerprint).
# (spent-2's, before bookings: 2,100 e677b867…5fba00e, 350 efb4253b…e7da16; every event
# but the bookings and the ground truth is still what those fingerprinted.)
FROZEN = {
    "held-out": {
        2_100: "97bdc5c52c74f1e7a5eef17bc1793c3ee839cf15d467232dac58625fe5c8cc4d",
        350: "9909cfaacdb0f265ec9ae779d9a0296c8320b5621944ad0fa74463651ea5b910",
    },
}
CHANGED = (
    "The {name} set's timelines (seed {seed}, {count}) no longer match the frozen fingerprint: "
    "the seed, the noise or the model in health_sim_timelines.py changed. A held-out set must "
    "not change; freeze a new one and say so in docs/health.md."
)


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return "inf" if value == float("inf") else round(value, 6)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def fingerprint(sample: list[Timeline]) -> str:
    """SHA-256 of every event of every timeline, floats rounded to 1e-6."""
    digest = hashlib.sha256()
    for t in sample:
        digest.update(json.dumps(_rounded(asdict(t)), sort_keys=True).encode())
    return digest.hexdigest()


def load(name: str, count: int) -> list[Timeline]:
    """The named set's ``count`` timelines; a frozen set is checked against its fingerprint."""
    seed, noise = SETS[name]
    sample = timelines(seed, count, noise)
    frozen = FROZEN.get(name, {}).get(count)
    if frozen is not None and fingerprint(sample) != frozen:
        raise SystemExit(CHANGED.format(name=name, seed=seed, count=count))
    return sample
