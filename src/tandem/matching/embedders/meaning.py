"""A sentence-level embedder with the concept lexicon beside it, to name shared topics.

The vectors are the base embedder's alone (all-MiniLM-L6-v2 in numpy, or the static pieces);
the built-in lexicon only names the topics a pair shares, for its reasons ("Goals and
expertise meet in data visualisation"). Letting the lexicon vote in the vector as well
(``[sqrt(1 - s) * base, sqrt(s) * lexicon]``) was measured on the development set: for the
model it lost at every share tried, for the static pieces it gained 3 of 74 goals while
losing top-1 (``bench/text_similarity.py --fusion``; docs/matching.md), so it does not.
"""

from __future__ import annotations

import numpy as np

from tandem.matching.embedders.fingerprint import embedder_fingerprint
from tandem.matching.text import BuiltinEmbedder, Embedder


class MeaningEmbedder:
    """``base``'s vectors, with the concept lexicon's names for what two texts share.

    Examples
    --------
    >>> from tandem.matching.embedders.static import StaticEmbedder
    >>> e = MeaningEmbedder(StaticEmbedder())
    >>> rows = e.embed(["charts for execs", "dashboard design", ""])
    >>> [round(float(n), 3) for n in np.linalg.norm(rows, axis=1)]
    [1.0, 1.0, 0.0]
    >>> e.shared_concepts("charts for execs", "dashboard design")
    ['data visualisation']
    """

    def __init__(self, base: Embedder):
        self.base = base
        self.lexicon = BuiltinEmbedder()
        self.name = str(getattr(base, "name", type(base).__name__))
        self.calibration = getattr(base, "calibration", None)

    @property
    def fingerprint(self) -> str:
        """The base's: the vectors are its alone."""
        return embedder_fingerprint(self.base)

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.base.embed(list(texts)), dtype=np.float32)

    def concepts(self, text: str) -> dict[str, float]:
        return self.lexicon.concepts(text)

    def shared_concepts(self, a: str, b: str, limit: int = 2) -> list[str]:
        return self.lexicon.shared_concepts(a, b, limit)
