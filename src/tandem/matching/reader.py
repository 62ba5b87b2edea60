"""Match reasons for the person reading them. ``sentences.py`` writes each reason about "the
mentee" and "the mentor" (right for an admin reviewing a run); the mentee on their ranked
list and the mentor answering a request read it about themselves and the other person
("Your goals are close to their expertise", "You offer SQL, which they want to learn"; live
review: the mentee read "Offers none of the skills the mentee wants").

Plain Python, no Django: the sentences are ``sentences.py``'s own, so a fixed list of their
phrases covers them; a test formats every sentence and checks that no "the mentee" or "the
mentor" is left for either reader.

>>> for_reader("The mentee's goals are close to the mentor's expertise", "mentee")
'Your goals are close to their expertise'
>>> for_reader("Offers none of the skills the mentee wants (SQL)", "mentor")
'You offer none of the skills they want (SQL)'
"""

from __future__ import annotations

import re

MENTEE, MENTOR = "mentee", "mentor"

# (pattern, words for the mentee reading, words for the mentor reading); applied in order.
_PHRASES: tuple[tuple[str, str, str], ...] = (
    (r"^Offers ", "Offers ", "You offer "),
    (r"^Shares an identity\b", "Shares an identity", "You share an identity"),
    (
        r"^Does not share an identity\b",
        "Does not share an identity",
        "You do not share an identity",
    ),
    (r"^They share\b", "You share", "You share"),
    (r"\bbut they live in\b", "but you live in", "but you live in"),
    (r"\bthe mentee's goals\b", "your goals", "their goals"),
    (r"\bThe mentee's goals\b", "Your goals", "Their goals"),
    (r"\bthe mentor's expertise\b", "their expertise", "your expertise"),
    (r"\bthe mentee's first language is\b", "your first language is", "their first language is"),
    (r"\band the mentor's is\b", "and theirs is", "and yours is"),
    (r"\bthe mentee's first language\b", "your first language", "their first language"),
    (r"\bthe mentor's first language\b", "their first language", "your first language"),
    (r"\bthe mentee wants\b", "you want", "they want"),
    (r", the mentee online$", ", you want to meet online", ", they want to meet online"),
    (r", the mentor online$", ", they want to meet online", ", you want to meet online"),
    (r", the mentor ", ", they want ", ", you want "),
    (r"^The mentee wants\b", "You want", "They want"),
    (r"^The mentor wants\b", "They want", "You want"),
    (r"^The mentee prefers\b", "You prefer", "They prefer"),
    (r"^The mentor prefers\b", "They prefer", "You prefer"),
    (
        r"^The mentee is (.+?) more senior than the mentor$",
        r"You are \1 more senior than them",
        r"They are \1 more senior than you",
    ),
    (r"^The mentee is\b", "You are", "They are"),
    (
        r"^The mentor is (.+?) more senior$",
        r"They are \1 more senior than you",
        r"You are \1 more senior than them",
    ),
    (r"^The mentor is\b", "They are", "You are"),
    (
        r"\bthe mentor is not more senior\b",
        "they are not more senior than you",
        "you are not more senior than them",
    ),
    (r"\bexpects the mentee\b", "expects you", "expects them"),
    (r"\bthe mentee asked\b", "you asked", "they asked"),
)
_COMPILED = tuple((re.compile(pattern), mentee, mentor) for pattern, mentee, mentor in _PHRASES)


def for_reader(text: str, reader: str) -> str:
    """``text`` (a sentence of ``sentences.py``) as ``reader`` ("mentee" or "mentor") reads it;
    anyone else (an admin) reads it as written."""
    if reader not in (MENTEE, MENTOR):
        return text
    for pattern, as_mentee, as_mentor in _COMPILED:
        text = pattern.sub(as_mentee if reader == MENTEE else as_mentor, text)
    return text
