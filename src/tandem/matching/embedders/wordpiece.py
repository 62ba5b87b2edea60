"""BERT's uncased WordPiece tokenizer in plain Python: the text to token ids that
all-MiniLM-L6-v2 and the static vectors distilled from it were trained on.

It reproduces Hugging Face's ``BertTokenizer`` (``do_lower_case``, accents stripped, Chinese
characters split, punctuation split, greedy longest-match-first word pieces with ``##``
continuations, ``[UNK]`` for a word that cannot be pieced or is longer than 100 characters).
Each distinct word is pieced once and remembered, so a batch of profiles costs a dictionary
look-up per word after the first few hundred texts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

MAX_WORD = 100  # characters; a longer word is one [UNK], as in BERT
WORD_CACHE = 1 << 17


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _clean(text: str) -> str:
    """Control characters dropped, white space made plain, CJK characters set apart."""
    out = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD):
            continue
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            out.append(" ")
        elif unicodedata.category(char).startswith("C"):
            continue
        elif _is_cjk(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    return "".join(out)


class WordPiece:
    """Token ids for texts, from a BERT ``vocab.txt`` (one token a line, id = line number).

    Examples
    --------
    >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "data", "##base", "viz", ",", "!"]
    >>> WordPiece(vocab).ids("Database, VIZ! Databases")
    [4, 5, 7, 6, 8, 1]
    """

    def __init__(self, vocab: Iterable[str]):
        self.vocab = {token: index for index, token in enumerate(vocab)}
        self.unk, self.cls, self.sep = (self.vocab[t] for t in ("[UNK]", "[CLS]", "[SEP]"))
        self.word_ids = lru_cache(maxsize=WORD_CACHE)(self._word_ids)

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        return cls(path.read_text(encoding="utf-8").splitlines())

    def words(self, text: str) -> list[str]:
        """BERT's basic tokenizer: lower case, no accents, punctuation split off."""
        words: list[str] = []
        for chunk in _clean(text).lower().split():
            chunk = unicodedata.normalize("NFD", chunk)
            chunk = "".join(c for c in chunk if unicodedata.category(c) != "Mn")
            start = 0
            for position, char in enumerate(chunk):
                if _is_punctuation(char):
                    if position > start:
                        words.append(chunk[start:position])
                    words.append(char)
                    start = position + 1
            if start < len(chunk):
                words.append(chunk[start:])
        return words

    def _word_ids(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match-first pieces of one word."""
        if len(word) > MAX_WORD:
            return (self.unk,)
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    pieces.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return (self.unk,)
            start = end
        return tuple(pieces)

    def ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without [CLS] and [SEP]."""
        out: list[int] = []
        for word in self.words(text):
            out.extend(self.word_ids(word))
        return out
