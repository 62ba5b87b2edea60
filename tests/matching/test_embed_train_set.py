"""The adapter's training set (bench/data/text_train.csv) is written apart from every set the
embedders are measured on: no text shared, no goal and answer that restate one of theirs, and
it teaches meaning rather than "a shared word is bad" (about half its right answers share a
word with their goal, as real profiles do; every decoy shares one without the meaning)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.matching.test_embed_eval_sets import DATA, DEV, FROZEN, rows, stems

from tandem.matching.embedders.choose import model_embedder, model_installed

TRAIN = DATA / "text_train.csv"
PAIRS = DATA / "text_pairs.csv"
MEASURED = (DEV, FROZEN, PAIRS)
TEXTS = ("goal", "right", "correct", "decoy1", "decoy2", "decoy3")


def texts(path: Path) -> set[str]:
    return {row[k].strip().lower() for row in rows(path) for k in TEXTS if row.get(k)}


def answer(row: dict[str, str]) -> str:
    return row.get("right") or row["correct"]


def test_it_is_large_broad_and_every_decoy_shares_a_word_but_not_the_meaning():
    items = rows(TRAIN)
    assert len(items) >= 400 and len({row["area"] for row in items}) >= 50
    sharing = 0
    for row in items:
        goal = stems(row["goal"])
        decoys = [row[k] for k in ("decoy1", "decoy2", "decoy3") if row[k]]
        assert 2 <= len(decoys) <= 3 and all(goal & stems(d) for d in decoys), row["id"]
        sharing += bool(goal & stems(row["right"]))
    assert 0.35 <= sharing / len(items) <= 0.65


def test_it_shares_no_text_with_the_measured_sets():
    mine = texts(TRAIN)
    for path in MEASURED:
        assert not mine & texts(path), path.name


def test_no_goal_and_answer_restate_a_measured_ones_words():
    """Jaccard of the content words of goal + answer stays below 0.4 against every row."""
    measured = [stems(row["goal"]) | stems(answer(row)) for p in MEASURED for row in rows(p)]
    for row in rows(TRAIN):
        mine = stems(row["goal"]) | stems(row["right"])
        closest = max(len(mine & other) / len(mine | other) for other in measured)
        assert closest < 0.4, row["id"]


@pytest.mark.skipif(not model_installed(), reason="MiniLM weights not installed")
def test_no_goal_and_answer_restate_a_measured_ones_meaning():
    """By the model: no goal above 0.7 cosine to a measured goal, nor above 0.6 with its
    answer above 0.6 to that goal's answer (the bar the set was written against)."""
    model = model_embedder()
    train, measured = rows(TRAIN), [row for p in MEASURED for row in rows(p)]
    goals = model.embed([r["goal"] for r in train]) @ model.embed([r["goal"] for r in measured]).T
    answers = (
        model.embed([r["right"] for r in train]) @ model.embed([answer(r) for r in measured]).T
    )
    too_close = (goals > 0.7) | ((goals > 0.6) & (answers > 0.6))
    assert not too_close.any(), [train[i]["id"] for i in np.flatnonzero(too_close.any(axis=1))]
