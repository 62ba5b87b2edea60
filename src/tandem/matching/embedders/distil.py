"""Build the static token vectors that the default embedder ships (run once, at build time).

Each word piece of the model's vocabulary that can occur in Latin-script text (letters and
digits, and single punctuation marks) is embedded on its own through all-MiniLM-L6-v2
(``[CLS] piece [SEP]``, mean-pooled, as the model embeds a one-word text), the vectors are
projected on their first principal axes (the pieces' mean is stored beside them, projected
the same way, so the runtime chooses how much of it to take off), and each row is stored as
int8 with its own scale: a few MB instead of the model's 90 MB, and a text's vector is then the
mean of its pieces' rows (the model2vec recipe, run here with the numpy model, so no torch
is needed even to build). The file records the sha256 of the weights it came from.

Run: ``python -m tandem.matching.embedders.distil src/tandem/matching/data/static_minilm.npz``
(needs the MiniLM weights: see :mod:`tandem.matching.embedders.minilm`).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

from tandem.matching.embedders.minilm import WEIGHTS_SHA256, MiniLMEmbedder

DIMENSIONS = 128
BATCH = 1024
_KEPT = re.compile(r"^((##)?[a-z0-9]+|[!-/:-@\[-`{-~\u2010-\u2026\u00a1-\u00bf\u20ac])$")
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")


def kept_pieces(vocab: dict[str, int]) -> list[str]:
    """The pieces that Latin-script text can be cut into, in vocabulary order."""
    return [p for p in vocab if _KEPT.match(p)]


def piece_vectors(model: MiniLMEmbedder) -> tuple[list[str], np.ndarray]:
    """The kept pieces (specials first) and each one's sentence vector (specials: zero)."""
    vocab = model.tokenizer.vocab
    pieces = kept_pieces(vocab)
    ids = [vocab[p] for p in pieces]
    vectors = np.zeros((len(SPECIAL) + len(pieces), model.dimension), dtype=np.float32)
    cls, sep = model.tokenizer.cls, model.tokenizer.sep
    for start in range(0, len(ids), BATCH):
        batch = [[cls, i, sep] for i in ids[start : start + BATCH]]
        at = len(SPECIAL) + start
        vectors[at : at + len(batch)] = model.encoder.forward(batch)
    return [*SPECIAL, *pieces], vectors


def reduce(vectors: np.ndarray, dimensions: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows and the pieces' mean projected on the first principal axes (specials: 0)."""
    rows = vectors[len(SPECIAL) :].astype(np.float64)
    mean = rows.mean(axis=0)
    _, _, axes = np.linalg.svd(rows - mean, full_matrices=False)
    out = np.zeros((len(vectors), dimensions), dtype=np.float32)
    out[len(SPECIAL) :] = rows @ axes[:dimensions].T
    return out, (mean @ axes[:dimensions].T).astype(np.float32)


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and the float32 scale of each (row ~= codes * scale)."""
    peak = np.abs(vectors).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.round(vectors / scale[:, None]).astype(np.int8)
    return codes, scale


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dimensions", type=int, default=DIMENSIONS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pieces, vectors = piece_vectors(MiniLMEmbedder())
    write(args.out, pieces, vectors, args.dimensions)
    seconds = time.perf_counter() - started
    print(f"{len(pieces)} pieces x {args.dimensions} dims -> {args.out} in {seconds:.0f} s")
    return 0


def write(out: Path, pieces: list[str], vectors: np.ndarray, dimensions: int) -> None:
    """Reduce, quantise and save the table the static embedder reads."""
    rows, mean = reduce(vectors, dimensions)
    codes, scale = quantise(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        pieces=np.array("\n".join(pieces)),
        codes=codes,
        scale=scale,
        mean=mean,
        source_sha256=np.array(WEIGHTS_SHA256),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
