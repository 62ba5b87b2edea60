"""The text-similarity evaluation sets: the frozen one never changes, and both keep the
properties that make them a test of meaning rather than of shared words."""

import csv
import hashlib
import re
from pathlib import Path

import pytest

from tandem.matching.text import _STOPWORDS

DATA = Path(__file__).parents[2] / "bench" / "data"
FROZEN = DATA / "text_eval_frozen.csv"
DEV = DATA / "text_eval_dev.csv"
# Recorded when the set was written, before any embedder was run on it (docs/matching.md).
FROZEN_SHA256 = "08b86eff86ab7ce4be9ada20dc28d38c2535c469365b96a21fedc0e621c61592"
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


def test_the_frozen_set_is_unchanged():
    assert hashlib.sha256(FROZEN.read_bytes()).hexdigest() == FROZEN_SHA256


@pytest.mark.parametrize("path, goals, areas", [(FROZEN, 300, 40), (DEV, 60, 30)])
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
