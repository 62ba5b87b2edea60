"""The frozen timeline sets of ``bench/health_sim.py``: their seeds, their noise and, for the
held-out set, a SHA-256 of what they generate, so a held-out set cannot silently change.

- ``dev``: what every weight is tuned on (seed 20261202).
- ``spent``: the first held-out set (seed 9040117). It was run once after each of the first
  two passes of tuning, so it has been looked at twice and is no longer held out; it is kept
  only to reproduce the figures of those passes in ``docs/health.md``.
- ``held-out``: frozen 2026-12-03 before the third pass changed anything; another seed and
  other noise than both sets above. Run it at most once per pass, after the rules are frozen.

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
)
# Frozen 2026-12-03 07:40 UTC, before the third pass; never tuned on.
HELD_OUT_SEED = 5_129_034_417
HELD_OUT = Noise(
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
)
SETS = {"dev": (DEV_SEED, DEV), "spent": (SPENT_SEED, SPENT), "held-out": (HELD_OUT_SEED, HELD_OUT)}
FULL, QUICK = 2_100, 350  # timelines per set (a multiple of the seven fates)
# SHA-256 of the held-out set's timelines, by count (see fingerprint).
FROZEN = {
    "held-out": {
        2_100: "e677b8671da7a9b1a9cebcd4e8d3698738ab8f5466b37d28b1a84f5755fba00e",
        350: "efb4253b0a72b72cc38cafd5e5183a261e322d778623d2d74d25d4bc93e7da16",
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
