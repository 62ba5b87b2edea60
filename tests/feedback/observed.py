"""What a person reads, written so that the pages of two twin pairs compare equal: the names,
emails, ids and tokens that tell twins apart are replaced by placeholders, and nothing else.
A privacy test then asserts that twins differing only in one side's private answers read the
same."""

from __future__ import annotations

import difflib
import re

from tandem.mentorships.models import Mentorship

NUMBERED_PATH = re.compile(r"(/[\w-]+/)\d+(?=[/\"'?#])")
NUMBERED_ID = re.compile(r"\b(program|mentorship)-\d+")
# The CSRF token wherever the page holds it, and the message form's fresh client id.
TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b|(?<=name=\"client_id\" value=\")[\w-]+")
IDS = re.compile(r'("(?:\w+_)?id": )\d+')
PEOPLE_OPTION = re.compile(r'<option value="\d+"( selected)?>(MENTOR|MENTEE) ')
# The reader's own id, which the live scripts compare a message's sender with, and the
# mentorship a chat before its first message belongs to (live.js reads it).
READER = re.compile(r'(data-(?:me|mentorship)=")\d+"')


def anonymous(text: str, pair: Mentorship) -> str:
    """``text`` with what names this pair, its program and its rows written alike. Longest
    names first, across both people: a mentor named Martin beside a mentee named Martinez
    made "MENTORez" of one and not of its twin (a flaky failure in CI), and only whole words: a
    mentee named Le made "MENTEEt the admins" of the check-in page's "Let the admins"."""
    names = {
        value: label
        for person, label in ((pair.mentor, "MENTOR"), (pair.mentee, "MENTEE"))
        for value in (person.display_name, person.email, person.first_name, person.last_name)
        if value
    }
    for value in sorted(names, key=len, reverse=True):  # whole words: a mentee named Le and "Let"
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", names[value], text)
    text = text.replace(pair.program.name, "PROGRAM").replace(pair.program.slug, "PROGRAM")
    text = PEOPLE_OPTION.sub(r'<option value="N"\1>\2 ', TOKEN.sub("T", text))
    text = NUMBERED_ID.sub(r"\1-N", NUMBERED_PATH.sub(r"\1N", text))
    return READER.sub(r'\1N"', IDS.sub(r"\1N", text))


def differences(first: str, second: str) -> list[str]:
    """The lines that differ, for a failure's message."""
    diff = difflib.unified_diff(first.splitlines(), second.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-"]
