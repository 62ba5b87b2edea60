"""The equity audit's slow case, synthetic: a few large programs and many tiny ones, every
quarter, ten listed groups in about forty combinations. Times ``decide`` (and, with
``--budget``, the page's budgeted audit):

    PYTHONPATH=src:. .venv/bin/python -m tests.insights.equity_slow 20 12 10 4 [--budget 5]

(programs, quarters, groups, large programs; the rest hold 0 to 11 mentees a quarter).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tandem.insights.equity.family import EquityData
from tandem.insights.equity.metrics import INDEX, METRICS, QUANTITIES
from tandem.insights.equity.suppression import decide
from tests.insights.equity_atoms import build

SUMS = (("weeks", 12, 1.0), ("score", 10, 0.1), ("satisfaction", 6, 1.0), ("goal_share", 3, 0.5))
COUNTS = {
    "weeks": "matched",
    "score": "scored",
    "satisfaction": "answered",
    "goal_share": "with_goals",
}


def _atom(rng: np.random.Generator, n: int) -> np.ndarray:
    """The sums of ``n`` mentees of one combination in one program and quarter."""
    atom = np.zeros(len(QUANTITIES))
    matched = rng.binomial(n, 0.7)
    atom[[INDEX["enrolled"], INDEX["matched"]]] = n, matched
    atom[INDEX["ended_early"]], atom[INDEX["rematched"]] = rng.binomial(matched, 0.2, size=2)
    for name, top, step in SUMS:
        count = matched if name == "weeks" else rng.binomial(matched, 0.6)
        values = rng.integers(1 if name == "satisfaction" else 0, top, count) * step
        atom[INDEX[COUNTS[name]]] = count
        atom[INDEX[name]], atom[INDEX[name + "_sq"]] = values.sum(), (values * values).sum()
    return atom


def many_tiny_programs(
    programs: int, quarters: int, groups: int, large: int, seed: int = 1
) -> EquityData:
    rng = np.random.default_rng(seed)
    combos = {(False,) * groups}
    while len(combos) < 40:
        combos.add(tuple(bool(x) for x in rng.random(groups) < 0.15))
    membership = np.array(sorted(combos), dtype=bool)
    weights = rng.dirichlet(np.full(len(membership), 0.5))
    atoms = np.zeros((programs, quarters, len(membership), len(QUANTITIES)))
    for p in range(programs):
        size = 600 if p < large else int(rng.integers(0, 12))
        for t in range(quarters):
            for c, n in enumerate(rng.multinomial(size, weights)):
                atoms[p, t, c] = _atom(rng, int(n)) if n else 0.0
    present = atoms[..., INDEX["enrolled"]].sum(axis=(0, 1)) > 0
    return build(atoms[:, :, present], membership[present])


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("programs", "quarters", "groups", "large"):
        parser.add_argument(name, type=int)
    parser.add_argument("--budget", type=float, default=None)
    args = parser.parse_args()
    data = many_tiny_programs(args.programs, args.quarters, args.groups, args.large)
    small = sum(int(data.primary(m).sum()) for m in METRICS)
    cells = sum(data.primary(m).size for m in METRICS)
    print(f"{int(data.totals[..., 0].sum())} mentees, {len(data.combos)} combinations, "
          f"{small} of {cells} figures under the threshold")  # fmt: skip
    start = time.perf_counter()
    decisions = decide(data, args.budget)
    withheld = sum(int(w.sum()) for w in decisions.withheld.values())
    print(f"decide: {time.perf_counter() - start:.1f} s, complete: {decisions.complete}, "
          f"{withheld} withheld")  # fmt: skip


if __name__ == "__main__":
    main()
