"""Health texts for their reader. The rules and the suggested actions speak to the pair ("You
have not met for 3 weeks", "Propose three times that suit you both"); a program admin outside
the pair reads them about the pair ("They have not met for 3 weeks"), not as if about
themselves (live review: an admin read "You have not met since…" on the program's list).

Plain Python, no Django: the texts are the rules' own (``rules.py``, ``reasons.py``,
``ANSWER_FREE_TEXT``), so a fixed list of second-person phrases covers them; a test checks that
no "you" is left in any of them as an admin reads it.

>>> about_the_pair("Your goals are 0 % done; you agreed to meet every 2 weeks.")
'Their goals are 0 % done; they agreed to meet every 2 weeks.'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tandem.feedback.health.assessment import ON_TRACK
from tandem.feedback.health.reasons import REASONS

# Longest first, so "Neither of you has" is not read as "Neither of they has".
_ABOUT_THE_PAIR = (
    (re.compile(r"\bNeither of you\b"), "Neither of them"),
    (re.compile(r"\b(each|both|either) of you\b"), r"\1 of them"),
    (re.compile(r"\byou both\b"), "them both"),
    (re.compile(r"\bYou both\b"), "They both"),
    (re.compile(r"\b(suit|suits|for|with|to) you\b"), r"\1 them"),
    (re.compile(r"\byourselves\b|\byourself\b"), "themselves"),
    (re.compile(r"\bYours\b"), "Theirs"),
    (re.compile(r"\byours\b"), "theirs"),
    (re.compile(r"\bYou\b"), "They"),
    (re.compile(r"\byou\b"), "they"),
    (re.compile(r"\bYour\b"), "Their"),
    (re.compile(r"\byour\b"), "their"),
)


def about_the_pair(text: str) -> str:
    """``text``, written to the pair, as an admin outside the pair reads it."""
    for pattern, replacement in _ABOUT_THE_PAIR:
        text = pattern.sub(replacement, text)
    return text


def reasons_about_the_pair(reasons: list[dict[str, object]]) -> list[dict[str, object]]:
    """Stored reasons with their texts as an admin outside the pair reads them."""
    return [{**reason, "text": about_the_pair(str(reason["text"]))} for reason in reasons]


def reasons_for_reader(
    reasons: list[dict[str, object]], *, reader_id: int | None, pair: tuple[int, int]
) -> list[dict[str, object]]:
    """Stored reasons as ``reader_id`` reads them: as written for one of the ``pair`` (mentor
    and mentee ids), about the pair for anyone else (a program admin outside it)."""
    return reasons if reader_id in pair else reasons_about_the_pair(reasons)


# Read from answers, yet shown to the pair: issue #12 asks that both be prompted to talk when
# their answers diverge (the prompt names the question, never an answer).
PROMPTED_TO_BOTH = frozenset({"divergence"})


def from_answers(reason: Mapping[str, Any]) -> bool:
    known = REASONS.get(str(reason["code"]))
    return known is not None and known.from_answers


def known_without_answers(
    state: str, reasons: Sequence[Mapping[str, Any]]
) -> tuple[str, list[Mapping[str, Any]]]:
    """The state and reasons either of the pair may read where no view of their own was
    assessed: every reason read from check-in answers left out but the divergence prompt (a
    pair member knows their own answers, so a low or falling pulse, a gap or a high pulse would
    tell them the other's), and the state only when none was left out, else on track: a state
    made by the other's answers told them how the other answered (third privacy review: "at
    risk" beside a lone cancellation of no weight)."""
    kept = [r for r in reasons if not from_answers(r) or r["code"] in PROMPTED_TO_BOTH]
    return (state if len(kept) == len(reasons) else ON_TRACK), kept
