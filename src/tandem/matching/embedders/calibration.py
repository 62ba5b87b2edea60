"""Each embedder's goals similarity on one scale: the built-in lexicon's.

The goals thresholds of the reasons (:data:`~tandem.matching.sentences.GOALS_GOOD`,
:data:`~tandem.matching.sentences.GOALS_WEAK`) and the fit bands (:mod:`~tandem.matching.fit`)
were set on the lexicon's cosines. all-MiniLM-L6-v2 puts the same pairs much higher (the
demo program's median pair 0.311 against 0.107), so on its raw cosine "goals meet" fired for
88 % of pairs and the goals criterion moved every score up. A calibration maps an embedder's
clipped cosine, piecewise linearly, onto the lexicon's scale: knot ``k`` is the embedder's
cosine at the quantile of the demo program's pairs (``tandem demo``, 200 people, seed 7) where
the lexicon's cosine reaches :data:`LEVELS` ``[k]``, so on that population the two have the
same distribution, every threshold fires for the same share of pairs and the goals criterion
keeps its weight against the others. Measured, and checked on the development sets, by
``bench/goals_calibration.py`` (docs/matching.md, "Goals on one scale").

Each embedder names the calibration its cosines need in its ``calibration`` attribute; the
lexicon (the scale itself) and an embedder without one are not rescaled. The static pieces and
the blend have none: they put the demo's pairs above the development sets' right pairs
(static: median 0.94 against 0.60), so a map fitted on the demo makes every right pair a
concern, and no monotone map fits both; nor has ``sentence-transformers``, which may load any
model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Points of the lexicon's scale the knots are placed at (the reasons' 0.1 and 0.2 among them).
LEVELS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 1.0)


@dataclass(frozen=True)
class GoalsCalibration:
    """An embedder's cosines ``raw`` that stand for :data:`LEVELS` of the lexicon's scale.

    >>> c = GoalsCalibration((0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 1.0))
    >>> [round(float(v), 3) for v in c.scale(np.array([0.05, 0.3, 0.4, 0.8]))]
    [0.0, 0.1, 0.2, 0.75]
    >>> round(c.raw_at(0.2), 3)
    0.4
    """

    raw: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.raw) != len(LEVELS) or list(self.raw) != sorted(self.raw):
            raise ValueError(f"one increasing cosine per level: {LEVELS}")

    def scale(self, cosine: np.ndarray) -> np.ndarray:
        """Clipped cosines on the lexicon's scale, float32 (monotone: never reorders pairs)."""
        return np.interp(np.clip(cosine, 0.0, 1.0), self.raw, LEVELS).astype(np.float32)

    def raw_at(self, level: float) -> float:
        """The embedder's cosine that scales to ``level`` (a threshold in its own terms)."""
        return float(np.interp(level, LEVELS, self.raw))


# bench/goals_calibration.py --fit; the float weights share the int8 weights' knots.
MINILM = GoalsCalibration((0.0936, 0.2395, 0.3049, 0.3405, 0.3643, 0.413, 0.4673, 0.5293, 1.0))
# The same for ``adapted``, the model through its trained adapter (embedders/adapter.py).
ADAPTED = GoalsCalibration((0.0, 0.219, 0.3303, 0.3869, 0.425, 0.4952, 0.5662, 0.624, 1.0))
# The same for ``mixed``: half the model's cosine, half its map's (adapter.FOR_MIX).
MIXED = GoalsCalibration((0.0769, 0.2471, 0.3226, 0.3625, 0.3892, 0.4422, 0.4994, 0.5591, 1.0))


def calibration_of(embedder: object) -> GoalsCalibration | None:
    """``embedder``'s ``calibration`` attribute (None: already on the lexicon's scale)."""
    calibration = getattr(embedder, "calibration", None)
    return calibration if isinstance(calibration, GoalsCalibration) else None
