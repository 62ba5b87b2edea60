"""The text-similarity evaluation sets: the frozen ones never change, and all keep the
properties that make them a test of meaning rather than of shared words."""

import csv
import hashlib
import re
import runpy
from pathlib import Path

import pytest

from tandem.matching.text import _STOPWORDS

DATA = Path(__file__).parents[2] / "bench" / "data"
FROZEN = DATA / "text_eval_frozen.csv"
DEV = DATA / "text_eval_dev.csv"
FROZEN2 = DATA / "text_eval_frozen2.csv"
# Recorded when each set was written, before any embedder was run on it (docs/matching.md).
FROZEN_SHA256 = "08b86eff86ab7ce4be9ada20dc28d38c2535c469365b96a21fedc0e621c61592"
FROZEN2_SHA256 = "91ac84876672011e016c39d95ae335fa3817af14129c1280fd9771981591c1ba"
# Every other set of goals and expertise, which the second frozen set shares no text with.
OTHERS = (FROZEN, DEV, DATA / "text_pairs.csv", DATA / "text_train.csv")
COLUMNS = ("goal", "right", "correct", "decoy1", "decoy2", "decoy3")
# Words of the goals' framing ("I can't", "our", "every") that carry no topic.
FRAMING = frozenset(
    """
    i'd i'm don't can't won't doesn't isn't haven't didn't every everyone nobody someone
    something anything always never keep keeps kept one two three five ten take takes go goes
    gets got know knows think feel feels our us we they their them me my mine whenever even
    though yet still only own want wants would like sure whether whole actually really
    """.split()  # noqa: SIM905 - a word list reads best as prose
)


def stems(text: str) -> set[str]:
    """Content words cut to five letters, so "present" and "presentation" count as shared."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w[:5] for w in words if len(w) > 2 and w not in _STOPWORDS and w not in FRAMING}


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("path, sha256", [(FROZEN, FROZEN_SHA256), (FROZEN2, FROZEN2_SHA256)])
def test_the_frozen_sets_are_unchanged(path, sha256):
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256


@pytest.mark.parametrize(
    "path, goals, areas", [(FROZEN, 300, 40), (DEV, 60, 30), (FROZEN2, 300, 40)]
)
def test_each_goal_has_its_jargon_answer_and_look_alike_decoys(path, goals, areas):
    items = rows(path)
    assert len(items) >= goals and len({row["area"] for row in items}) >= areas
    for row in items:
        decoys = [row[k] for k in ("decoy1", "decoy2", "decoy3") if row[k]]
        goal = stems(row["goal"])
        assert not goal & stems(row["right"]), row["id"]
        assert 2 <= len(decoys) <= 3 and all(goal & stems(d) for d in decoys), row["id"]


def test_the_two_sets_share_no_text():
    def texts(path: Path) -> set[str]:
        return {row[k] for row in rows(path) for k in ("goal", "right", "decoy1", "decoy2")}

    assert not texts(FROZEN) & texts(DEV)


def test_the_second_frozen_set_shares_no_text_with_any_other_set():
    def texts(path: Path) -> set[str]:
        return {row[k] for row in rows(path) for k in COLUMNS if row.get(k)}

    ours = texts(FROZEN2)
    for path in OTHERS:
        assert not ours & texts(path), path.name


def test_the_second_frozen_sets_answers_are_not_told_by_their_form():
    """The first sets wrote every right answer as a comma list and every decoy as a short phrase;
    here both mix lists, prose sentences and phrases, and the right one is no longer the longest."""
    items = rows(FROZEN2)
    rights = [row["right"] for row in items]
    decoys = [row[k] for row in items for k in ("decoy1", "decoy2", "decoy3") if row[k]]
    for form in (lambda t: t.endswith("."), lambda t: "," in t):
        share = sum(map(form, rights)) / len(rights) - sum(map(form, decoys)) / len(decoys)
        assert abs(share) < 0.1
    lengths = [
        (len(row["right"]), [len(row[k]) for k in ("decoy1", "decoy2", "decoy3") if row[k]])
        for row in items
    ]
    assert sum(right > max(others) for right, others in lengths) / len(items) < 0.3
    assert sum(right < min(others) for right, others in lengths) / len(items) > 0.15


@pytest.mark.parametrize("held_out", ["frozen", "frozen2"])
def test_the_bench_refuses_to_tune_on_a_frozen_set_before_loading_anything(held_out):
    """Asked to tune (``--mixes``) on a held-out set, the bench stops at once, before any
    embedder is loaded (it used to load them all first)."""
    bench = runpy.run_path(str(DATA.parent / "text_similarity.py"), run_name="bench")
    bench["main"].__globals__["factories"] = lambda: pytest.fail("embedders were loaded")
    with pytest.raises(SystemExit) as stopped:
        bench["main"](["--mixes", "--sets", held_out])
    assert stopped.value.code == 2
