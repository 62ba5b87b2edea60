"""Where each embedder's goals similarity sits, to calibrate it onto the lexicon's scale.

For the built-in lexicon and each other embedder it prints quantiles of the clipped cosine
of three kinds of pairs, development data only (the frozen set is never read):

- ``right``: each goal against its right expertise (``text_eval_dev.csv`` and the ``dev``
  half of ``text_pairs.csv``);
- ``unrelated``: each goal against every other row's right expertise of another area (rows of
  ``text_pairs.csv`` have no area: every other row);
- ``demo``: every mentee against every mentor of the demo program (``tandem demo``, 200
  people, seed 7).

``--fit`` prints each embedder's knots (:data:`LEVELS`: the quantile of the demo's pairs
where the lexicon reaches a level, taken of the embedder's cosines). ``--check`` prints, after
calibration, the share of pairs whose goals reason is a strength (>= ``GOALS_GOOD``) or a
concern (< ``GOALS_WEAK``), and how often a goal's right expertise beats an unrelated one
(which no monotone calibration changes); ``--bands`` the share of the demo's pairs in each fit
band (identity left out, as on Tandem's pages) and the mean goals value, each embedder with and
without its calibration.

Run: ``.venv/bin/python bench/goals_calibration.py [--embedders builtin,minilm] [--fit]
[--check] [--bands]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from tandem.demo.matching_csv import write_demo_csv
from tandem.demo.people import iter_demo_people
from tandem.matching.embedders.calibration import LEVELS, calibration_of
from tandem.matching.embedders.choose import choose_embedder, embedder_name
from tandem.matching.features import FeatureSpace, combine, pair_features, resolve_weights
from tandem.matching.fit import FIT_BANDS, fit_of
from tandem.matching.io import read_mentees, read_mentors
from tandem.matching.sentences import GOALS_GOOD, GOALS_WEAK

sys.path.insert(0, str(Path(__file__).parent))
from text_similarity import SETS, load  # noqa: E402

QUANTILES = (0.25, 0.5, 0.6, 0.75, 0.8, 0.9, 0.95, 0.99)


def dev_rows() -> list[dict]:
    pairs = [row for row in load(SETS["pairs"]) if row["split"] == "dev"]
    return load(SETS["dev"]) + pairs


def demo_texts(people: int = 200, seed: int = 7) -> tuple[list[str], list[str]]:
    goals, expertise = [], []
    for person in iter_demo_people(people, seed):
        (expertise if person["role"] == "mentor" else goals).append(person["text"])
    return goals, expertise


def similarities(embedder, rows: list[dict], goals: list[str], expertise: list[str]) -> dict:
    """Clipped cosines of right, unrelated and demo pairs."""
    a = embedder.embed([row["goal"] for row in rows])
    b = embedder.embed([row["right"] for row in rows])
    cos = np.clip(a @ b.T, 0.0, 1.0)
    areas = np.array([row.get("area") or f"row{k}" for k, row in enumerate(rows)])
    unrelated = areas[:, None] != areas[None, :]
    demo = np.clip(embedder.embed(goals) @ embedder.embed(expertise).T, 0.0, 1.0)
    return {"right": np.diag(cos), "unrelated": cos[unrelated], "demo": demo.ravel()}


def knots(lexicon: np.ndarray, other: np.ndarray) -> tuple[float, ...]:
    """``other``'s cosines at the quantiles where ``lexicon`` reaches each level."""
    shares = [np.mean(lexicon <= 0) if level == 0 else np.mean(lexicon < level) for level in LEVELS]
    cuts = np.quantile(other, np.clip(shares, 0.0, 1.0))
    return (*(round(float(c), 4) for c in cuts[:-1]), 1.0)


class Uncalibrated:
    """``base``'s vectors under another name, so no calibration applies (the state before)."""

    name = "uncalibrated"

    def __init__(self, base):
        self.base = base

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.base.embed(texts)


def bands(embedder) -> str:
    """Shares of the demo's pairs per fit band and the mean goals value."""
    with tempfile.TemporaryDirectory() as folder:
        mentees_path, mentors_path = write_demo_csv(folder, people=200, seed=7)
        mentees, mentors = read_mentees(mentees_path).mentees, read_mentors(mentors_path).mentors
    space = FeatureSpace(mentees, mentors, embedder=embedder)
    i, j = np.meshgrid(np.arange(len(mentees)), np.arange(len(mentors)), indexing="ij")
    weights = {k: v for k, v in resolve_weights().items() if k != "identity"}
    features = pair_features(space, i.ravel(), j.ravel(), weights)
    labels = [fit_of(score).label for score in combine(features, weights)]
    shares = " ".join(
        f"{label} {labels.count(label) / len(labels):.3f}" for _, label, _ in FIT_BANDS
    )
    return f"goals mean {features['goals'].mean():.3f}; {shares}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", default="builtin,minilm")
    parser.add_argument("--fit", action="store_true", help="knots for each embedder")
    parser.add_argument("--bands", action="store_true", help="fit bands of the demo's pairs")
    parser.add_argument("--check", action="store_true", help="shares after calibration")
    args = parser.parse_args(argv)
    rows, (goals, expertise) = dev_rows(), demo_texts()
    print("quantiles:", " ".join(f"{q:g}" for q in QUANTILES))
    lexicon = similarities(choose_embedder("builtin"), rows, goals, expertise)["demo"]
    for name in args.embedders.split(","):
        embedder = choose_embedder(name)
        sims = similarities(embedder, rows, goals, expertise)
        print(f"\n{embedder_name(embedder)}")
        for kind, values in sims.items():
            cuts = " ".join(f"{v:.3f}" for v in np.quantile(values, QUANTILES))
            zero = np.mean(values == 0)
            print(f"  {kind:9s} n={len(values):5d} mean {values.mean():.3f} zero {zero:.2f} {cuts}")
        if args.fit:
            print("  knots:", knots(lexicon, sims["demo"]))
        if args.check:
            calibration = calibration_of(embedder)
            for kind, values in sims.items():
                scaled = calibration.scale(values) if calibration else values
                good, weak = np.mean(scaled >= GOALS_GOOD), np.mean(scaled < GOALS_WEAK)
                print(f"  calibrated {kind:9s} strength {good:.2f} concern {weak:.2f}")
            beaten = np.mean(sims["right"][:, None] > sims["unrelated"][None, :])
            print(f"  right above unrelated: {beaten:.3f}")
        if args.bands:
            print(f"  calibrated   {bands(embedder)}")
            print(f"  uncalibrated {bands(Uncalibrated(embedder))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
