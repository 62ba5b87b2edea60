"""Static word-piece vectors distilled from all-MiniLM-L6-v2: the sentence model's sense of
meaning at the cost of a table look-up, with no model, no torch and no download.

``data/static_minilm.npz`` (built once by :mod:`tandem.matching.embedders.distil`) holds one
int8 row per word piece of the model's vocabulary and the pieces' mean. A text's vector is the
mean of its pieces' rows, each word weighing the same however many pieces it has, less
:data:`CENTRE` times the pieces' mean (which every text shares, and which would otherwise make
a few generic texts look close to everything). ``CENTRE`` was chosen on the development set
only; dropping stop words was tried there too and lost.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

from tandem.matching.embedders.fingerprint import digest
from tandem.matching.embedders.wordpiece import WordPiece

NAME = "static MiniLM pieces"
DATA_FILE = "static_minilm.npz"
CENTRE = 0.5


@lru_cache(maxsize=1)
def _table() -> tuple[WordPiece, np.ndarray, str]:
    """The piece tokenizer, the float32 rows and the sha256 of the weights they came from."""
    with resources.files("tandem.matching.data").joinpath(DATA_FILE).open("rb") as handle:
        data = np.load(handle)
        pieces = str(data["pieces"]).split("\n")
        rows = data["codes"].astype(np.float32) * data["scale"][:, None]
        rows[4:] -= CENTRE * data["mean"]  # the four specials stay zero
        source = str(data["source_sha256"])
    return WordPiece(pieces), rows, source


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """The piece table's bytes and how a text's vector is made of them."""
    data = resources.files("tandem.matching.data").joinpath(DATA_FILE).read_bytes()
    return digest(data, CENTRE)


class StaticEmbedder:
    """Mean of distilled piece vectors; deterministic, a text's vector depends on it alone.

    Examples
    --------
    >>> e = StaticEmbedder()
    >>> goal, right, decoy = e.embed(["speak up in meetings without freezing",
    ...     "building confidence and assertiveness at work", "freezing fund budgets"])
    >>> bool(goal @ right > goal @ decoy)
    True
    """

    name = NAME
    calibration = None  # not on the lexicon's scale: see embedders/calibration.py

    def __init__(self) -> None:
        self.tokenizer, self.rows, self.source_sha256 = _table()
        self.fingerprint = _fingerprint()
        self.dimension = self.rows.shape[1]
        self.unk = self.tokenizer.unk

    def _pieces(self, text: str) -> tuple[list[int], list[float]]:
        """Piece ids of a text's words and the weight of each (1 / pieces in its word)."""
        ids: list[int] = []
        weights: list[float] = []
        for word in self.tokenizer.words(text):
            pieces = [p for p in self.tokenizer.word_ids(word) if p != self.unk]
            if pieces:  # an [UNK] word adds nothing
                ids.extend(pieces)
                weights.extend([1.0 / len(pieces)] * len(pieces))
        return ids, weights

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        unique = list(dict.fromkeys(texts))
        found = [self._pieces(text) for text in unique]
        lengths = np.array([len(ids) for ids, _ in found], dtype=np.int64)
        ids = np.fromiter((i for p, _ in found for i in p), dtype=np.int64, count=lengths.sum())
        weights = np.fromiter((w for _, ws in found for w in ws), np.float32, lengths.sum())
        out = np.zeros((len(unique), self.dimension), dtype=np.float32)
        some = lengths > 0
        if some.any():
            starts = (np.cumsum(lengths) - lengths)[some]
            out[some] = np.add.reduceat(self.rows[ids] * weights[:, None], starts, axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        index = {text: row for row, text in enumerate(unique)}
        return out[[index[text] for text in texts]] if texts else out
