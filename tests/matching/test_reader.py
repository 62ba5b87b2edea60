"""Every match-reason sentence reads about the reader for the mentee and the mentor, and as
written for anyone else (live review: the mentee's list said "Offers none of the skills the
mentee wants", the mentor deciding a request read about "the mentor")."""

from __future__ import annotations

import re
import string
from collections import defaultdict

import pytest

from tandem.matching import sentences
from tandem.matching.reader import MENTEE, MENTOR, for_reader

ROLE = re.compile(r"\bthe (mentee|mentor)\b", re.I)


def _formatted() -> list[str]:
    """Each sentence of ``sentences.py``, its blanks filled (a side's name where one goes)."""
    found = []
    for name, value in vars(sentences).items():
        if not (name.isupper() and isinstance(value, str)):
            continue
        fields = {f for _, f, _, _ in string.Formatter().parse(value) if f}
        sides = [{}]
        if fields & {"who", "in_person", "online"}:
            sides = [
                {"who": a, "in_person": a, "online": b}
                for a, b in ((MENTEE, MENTOR), (MENTOR, MENTEE))
            ]
        for side in sides:
            found.append(value.format_map(defaultdict(lambda: "SQL", side)))
    return found


@pytest.mark.parametrize("text", _formatted())
def test_each_side_reads_about_themselves_and_the_other(text):
    for reader in (MENTEE, MENTOR):
        assert not ROLE.search(for_reader(text, reader)), (reader, for_reader(text, reader))
    assert for_reader(text, "") == text


def test_the_words_follow_the_reader():
    assert for_reader(sentences.SKILLS_NONE.format(wanted="AWS"), MENTEE) == (
        "Offers none of the skills you want (AWS)"
    )
    assert for_reader(sentences.SENIOR.format(gap="somewhat"), MENTEE) == (
        "They are somewhat more senior than you"
    )
    assert for_reader(sentences.SENIOR.format(gap="somewhat"), MENTOR) == (
        "You are somewhat more senior than them"
    )
