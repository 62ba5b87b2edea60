"""Two embedders' unit vectors side by side, so a pair's cosine is a weighted sum of both.

With rows ``[sqrt(1 - share) * a, sqrt(share) * b]`` of unit ``a`` and ``b``, the dot product
of two texts is ``(1 - share) * cos_a + share * cos_b`` (when both have text), and the rows
stay unit length, so every consumer of an embedder (the goals criterion, the candidate bound,
a cache of profile vectors) uses it unchanged. ``blend`` is all-MiniLM-L6-v2 with
:data:`STATIC_SHARE` of the static pieces distilled from it: the sentence model's reading of
the whole text, and a bag of its word pieces' meanings that no word order or phrasing moves.
The share was chosen on the development set and ``text_pairs.csv`` only (docs/matching.md).
"""

from __future__ import annotations

import numpy as np

from tandem.matching.embedders.fingerprint import digest, embedder_fingerprint
from tandem.matching.text import Embedder

STATIC_SHARE = 0.3


class Blend:
    """``base`` and ``other`` joined at ``share`` of the cosine for ``other``.

    Examples
    --------
    >>> from tandem.matching.embedders.static import StaticEmbedder
    >>> from tandem.matching.text import BuiltinEmbedder
    >>> a, b = BuiltinEmbedder(), StaticEmbedder()
    >>> texts = ["charts for execs", "dashboard design", ""]
    >>> rows = Blend(a, b, 0.3).embed(texts)
    >>> [round(float(n), 3) for n in np.linalg.norm(rows, axis=1)]
    [1.0, 1.0, 0.0]
    >>> alone = [x.embed(texts[:2]) for x in (a, b)]
    >>> mixed = 0.7 * alone[0][0] @ alone[0][1] + 0.3 * alone[1][0] @ alone[1][1]
    >>> bool(np.isclose(rows[0] @ rows[1], mixed, atol=1e-5))
    True
    """

    calibration = None  # not on the lexicon's scale: see embedders/calibration.py

    def __init__(self, base: Embedder, other: Embedder, share: float):
        self.parts, self.share = (base, other), share
        names = [str(getattr(e, "name", type(e).__name__)) for e in self.parts]
        self.name = f"{names[0]} + {share:g} {names[1]}"

    @property
    def fingerprint(self) -> str:
        return digest(*(embedder_fingerprint(part) for part in self.parts), self.share)

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        base, other = (part.embed(texts) for part in self.parts)
        return join(base, other, self.share)


def join(a: np.ndarray, b: np.ndarray, share: float) -> np.ndarray:
    """Rows ``[sqrt(1 - share) * unit(a), sqrt(share) * unit(b)]`` at unit length, float32: the
    dot product of two is ``(1 - share) * cos_a + share * cos_b`` when both rows have text (a
    row empty in one part is the other part's alone, and empty in both stays zero)."""
    a, b = (_unit(np.asarray(rows, dtype=np.float32)) for rows in (a, b))
    rows = np.hstack([np.sqrt(1 - share) * a, np.sqrt(share) * b])
    return _unit(rows).astype(np.float32)


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
