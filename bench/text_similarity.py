"""Does text similarity match meaning, not only shared words?

Each item of ``bench/data/text_pairs.csv`` is a mentee goal, the expertise that really fits
it, and two or three look-alike decoys that share words with the goal but not its meaning.
For each embedder we rank the candidates by cosine similarity and report top-1 accuracy and
mean reciprocal rank (MRR), separately for the ``dev`` split (used while writing the concept
lexicon) and the held-out ``test`` split (written before, and never used for, tuning).

Run: ``.venv/bin/python bench/text_similarity.py``
"""

from __future__ import annotations

import csv
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tandem.matching.text import BuiltinEmbedder, SentenceTransformerEmbedder

DATA = Path(__file__).parent / "data" / "text_pairs.csv"


def load(path: Path = DATA) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["candidates"] = [row["correct"]] + [
            row[k] for k in ("decoy1", "decoy2", "decoy3") if row.get(k)
        ]
    return rows


class TfidfBaseline:
    """Plain word TF-IDF fitted on every text of the benchmark (an optimistic baseline)."""

    def __init__(self, corpus: list[str], analyzer: str = "word", ngram_range=(1, 1)):
        self.vectorizer = TfidfVectorizer(
            analyzer=analyzer, ngram_range=ngram_range, sublinear_tf=True
        ).fit(corpus)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.vectorizer.transform(texts).toarray().astype(np.float32)


def evaluate(embedder, rows: list[dict]) -> dict[str, tuple[float, float, int]]:
    """Per split: (top-1 accuracy, MRR, items)."""
    results: dict[str, list[int]] = {}
    for row in rows:
        vectors = embedder.embed([row["goal"], *row["candidates"]])
        scores = vectors[1:] @ vectors[0]
        # Ties count against the embedder: the correct answer must be strictly ahead.
        rank = 1 + int(np.sum(scores[1:] >= scores[0]))
        for split in (row["split"], "all"):
            results.setdefault(split, []).append(rank)
    return {
        split: (float(np.mean(np.array(r) == 1)), float(np.mean(1 / np.array(r))), len(r))
        for split, r in results.items()
    }


def failures(embedder, rows: list[dict], split: str) -> list[str]:
    out = []
    for row in rows:
        if row["split"] != split:
            continue
        vectors = embedder.embed([row["goal"], *row["candidates"]])
        scores = vectors[1:] @ vectors[0]
        if int(np.argmax(scores)) != 0 or np.sum(scores == scores.max()) > 1:
            best = row["candidates"][int(np.argmax(scores))]
            out.append(f"  {row['id']}: {row['goal']!r} -> {best!r}")
    return out


def main(argv: list[str]) -> int:
    rows = load()
    corpus = [text for row in rows for text in (row["goal"], *row["candidates"])]
    embedders = {
        "builtin (concepts + words)": BuiltinEmbedder(),
        "tf-idf words (baseline)": TfidfBaseline(corpus),
        "tf-idf char 3-5 (baseline)": TfidfBaseline(corpus, "char_wb", (3, 5)),
    }
    if importlib.util.find_spec("sentence_transformers") is not None:
        try:
            embedders["all-MiniLM-L6-v2 (optional)"] = SentenceTransformerEmbedder()
        except Exception as exc:  # a missing local model must not stop the benchmark
            print(f"optional model not loaded: {exc}", file=sys.stderr)
    else:
        print("optional model: sentence-transformers not installed, skipped")
    splits = sorted({row["split"] for row in rows}) + ["all"]
    print(f"{len(rows)} items, {sum(len(r['candidates']) - 1 for r in rows)} decoys")
    print(f"{'embedder':30}" + "".join(f"{s + ' top1':>11}{s + ' MRR':>10}" for s in splits))
    for name, embedder in embedders.items():
        figures = evaluate(embedder, rows)
        print(
            f"{name:30}" + "".join(f"{figures[s][0]:>11.3f}{figures[s][1]:>10.3f}" for s in splits)
        )
    if "--failures" in argv:
        print(
            "builtin failures (dev):",
            *failures(embedders["builtin (concepts + words)"], rows, "dev"),
            sep="\n",
        )
    texts = [f"{row['goal']} {k}" for row in rows for k in range(1300)]
    start = time.perf_counter()
    BuiltinEmbedder().embed(texts)
    seconds = time.perf_counter() - start
    print(
        f"builtin speed: {len(texts)} distinct texts in {seconds:.2f} s "
        f"({len(texts) / seconds:,.0f} texts/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
