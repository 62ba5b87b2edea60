"""One parser and one check per kind of participant field, shared by every entry point.

Each kind has a ``check_<kind>(value)`` for values that arrive typed (the profile form and API,
records built in Python) and, where a spreadsheet cell needs splitting or converting first, a
``parse_<kind>(text)`` for cells (the import and ``tandem match``). Both raise :class:`CellError`
with one of the message constants below, so a caller maps it to its row and column or to its
form field, and tests assert on the constants.

The rules, where the entry points used to disagree, are the stricter documented ones:
seniority is a whole number from 0 to 10 (``7.5`` is refused, ``7.0`` from a workbook is 7);
languages are known ISO 639-1 codes; working-style answers name one of the four questions;
booleans are yes/no (or true/false, y/n, 1/0); a mentor's capacity is a whole number from 1 to
:data:`CAPACITY_MAX`; skill names are at most 80 characters, at most :data:`MAX_SKILLS` of
them, told apart by :func:`skill_slug`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from tandem.matching.records.languages import LANGUAGES

FORMATS = ("virtual", "in_person", "any")
CADENCES = ("weekly", "biweekly", "monthly", "quarterly")
ROLES = ("mentee", "mentor")
SENIORITY_RANGE = range(0, 11)  # 0 student .. 10 executive
CAPACITY_MAX = 20  # most mentees one mentor may take at once
MAX_SKILLS = 30
SKILL_MAX_LENGTH = 80
MAX_IDENTITY_ITEMS = 10
MAX_IDENTITY_ITEM_LENGTH = 60
# The short working-style questionnaire: each answer is 1..5 between two poles.
WORKING_STYLE_QUESTIONS = {
    "structure": ("I like a clear agenda for every meeting", "I like to see where the talk goes"),
    "directness": ("Tell me straight, even if it stings", "I take feedback best when it is gentle"),
    "pace": ("Push me: fast steps, stretch goals", "Steady steps at a sustainable pace"),
    "focus": ("Mostly practical, hands-on problems", "Mostly big-picture career questions"),
}
WORKING_STYLE_SCALE = range(1, 6)
# Bound for the caches of the cell parsers: a large file repeats a few thousand distinct cells
# (language lists, skill names, style strings) across its rows, so hits dominate.
PARSE_CACHE_SIZE = 4096

ROLE_INVALID = "Role must be mentee or mentor (got {value!r})."
# The value as the person wrote it, typed (7.5) or in a cell ('7.5'): one message for both.
SENIORITY_INVALID = (
    "Seniority must be a whole number from 0 (student) to 10 (executive), got {value}."
)
LANGUAGE_INVALID = (
    "Unknown language code(s): {codes}. Use two-letter ISO 639-1 codes such as en, de, es."
)
FORMAT_INVALID = "Format must be virtual, in_person or any (got {value!r})."
CADENCE_INVALID = "Cadence must be weekly, biweekly, monthly or quarterly (got {value!r})."
CAPACITY_INVALID = (
    "Capacity must be a whole number from 1 to {max} (how many mentees at once), got {value!r}."
)
BOOL_INVALID = "Write yes or no (got {value!r})."
WORKING_STYLE_SYNTAX = (
    "Write working_style like structure=4;pace=2 with answers 1-5 to: {keys} (got {value!r})."
)
WORKING_STYLE_UNKNOWN = "Unknown working-style question(s): {keys}; the questions are {known}."
WORKING_STYLE_ANSWER = "Answer {question} with a number from 1 to 5."
SKILL_INVALID = "“{value}” is not a usable skill name; use letters or digits."
SKILL_TOO_LONG = f"Skill names can be at most {SKILL_MAX_LENGTH} characters."
SKILL_SEPARATOR = "“{value}” holds a comma or semicolon, which separate skills: list each apart."
TOO_MANY_SKILLS = f"List at most {MAX_SKILLS} skills."
IDENTITY_TOO_MANY = f"List at most {MAX_IDENTITY_ITEMS} items."
IDENTITY_ITEM_TOO_LONG = f"Keep each item under {MAX_IDENTITY_ITEM_LENGTH} characters."
TOO_LONG = "Use at most {limit} characters (this one has {length})."

_WHITESPACE = re.compile(r"\s+")
# The format characters :func:`one_line` keeps: ZWJ joins emoji (👩‍💻), ZWNJ is part of how
# Persian and Indic names are spelt.
KEPT_FORMAT = frozenset("\u200c\u200d")
_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0", ""})


class CellError(ValueError):
    """A value that breaks its field's rule; ``message`` says what to change.

    ``part`` names the piece at fault when a field holds several (a working-style question).
    """

    def __init__(self, message: str, *, part: str | None = None):
        super().__init__(message)
        self.message = message
        self.part = part


# --- text ---------------------------------------------------------------------------------


def one_line(value: object) -> str:
    """Text for a single-line field (a name, a skill, a title, a place): every run of
    whitespace, line breaks included, one space; no blanks around it; no invisible format
    characters (Unicode category Cf) but ZWJ and ZWNJ, which spell emoji and Persian or Indic
    names (a bidi override such as U+202E makes text read differently from what it says).
    None is empty. The one rule: ``tandem.core.text`` re-exports it for the apps.

    >>> one_line(" New \\r\\n York \\u202e\\u200b\\t😀 "), one_line(None)
    ('New York 😀', '')
    """
    text = "".join(
        character
        for character in str(value or "")
        if character in KEPT_FORMAT or unicodedata.category(character) != "Cf"
    )
    return _WHITESPACE.sub(" ", text).strip()


def check_length(text: str, limit: int) -> str:
    """``text`` unchanged, or :class:`CellError` when longer than ``limit``."""
    if len(text) > limit:
        raise CellError(TOO_LONG.format(limit=limit, length=len(text)))
    return text


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def split_list(value: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell, dropping blanks.

    >>> split_list(" sql; Python ;;")
    ('sql', 'Python')
    """
    return tuple(filter(None, map(str.strip, (value or "").split(";"))))


def parse_role(text: str) -> str:
    """``mentee`` or ``mentor``, any case.

    >>> parse_role("Mentor")
    'mentor'
    """
    role = text.strip().lower()
    if role not in ROLES:
        raise CellError(ROLE_INVALID.format(value=text))
    return role


# --- numbers and choices ------------------------------------------------------------------


def read_float(text: str) -> float:
    """``text`` as a float, as Python reads it but without digit-grouping underscores.

    ``float("1_000")`` is 1000.0: a cell no spreadsheet writes, most likely a typo, so it is
    refused like any other text that is not a number (families check: a score table's
    ``1_000`` was read as 1000). Raises ``ValueError``.

    >>> read_float(" 2.5 ")
    2.5
    >>> read_float("1_000")
    Traceback (most recent call last):
    ...
    ValueError: not a number: '1_000'
    """
    if "_" in text:
        raise ValueError(f"not a number: {text!r}")
    return float(text)


def _whole_number(value: object) -> int | None:
    """``value`` as an int when it is a whole number (``7``, ``'7'``, ``7.0``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = read_float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def check_seniority(value: object) -> int | None:
    """A whole number from 0 to 10; ``None`` or ``''`` is "not set".

    >>> check_seniority("7"), check_seniority(7.0), check_seniority("")
    (7, 7, None)
    >>> check_seniority("7.5")
    Traceback (most recent call last):
    ...
    tandem.matching.records.cells.CellError: Seniority must be a whole number from 0 (student) to 10 (executive), got 7.5.
    """  # noqa: E501
    if value is None or value == "":
        return None
    number = _whole_number(value)
    if number is None or number not in SENIORITY_RANGE:
        raise CellError(SENIORITY_INVALID.format(value=value))
    return number


def check_capacity(value: object) -> int:
    """How many mentees a mentor takes at once: a whole number from 1 to ``CAPACITY_MAX``.

    >>> check_capacity("2"), check_capacity(3.0)
    (2, 3)
    """
    number = _whole_number(value)
    if number is None or not 1 <= number <= CAPACITY_MAX:
        raise CellError(CAPACITY_INVALID.format(max=CAPACITY_MAX, value=value))
    return number


def parse_choice(text: str, choices: tuple[str, ...], message: str) -> str:
    """Lower-case ``text`` (spaces and hyphens as ``_``) and check it is one of ``choices``.

    >>> parse_choice("In-Person", FORMATS, FORMAT_INVALID)
    'in_person'
    """
    choice = text.strip().lower().replace("-", "_").replace(" ", "_")
    if choice not in choices:
        raise CellError(message.format(value=text))
    return choice


def parse_format(text: str) -> str:
    return parse_choice(text, FORMATS, FORMAT_INVALID)


def parse_cadence(text: str) -> str:
    return parse_choice(text, CADENCES, CADENCE_INVALID)


def parse_bool(text: str) -> bool:
    """yes/no, true/false, y/n or 1/0, any case; empty is no.

    >>> parse_bool("Yes"), parse_bool("")
    (True, False)
    """
    answer = text.strip().lower()
    if answer in _TRUE:
        return True
    if answer in _FALSE:
        return False
    raise CellError(BOOL_INVALID.format(value=text))


# --- lists --------------------------------------------------------------------------------


def check_languages(codes: Iterable[object]) -> list[str]:
    """Known ISO 639-1 codes, lower-cased, each once, in the order given.

    >>> check_languages(["EN", "de", "en"])
    ['en', 'de']
    """
    cleaned = list(dict.fromkeys(str(code).strip().lower() for code in codes if str(code).strip()))
    unknown = [code for code in cleaned if code not in LANGUAGES]
    if unknown:
        raise CellError(LANGUAGE_INVALID.format(codes=", ".join(unknown)))
    return cleaned


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_languages(text: str) -> tuple[str, ...]:
    return tuple(check_languages(split_list(text)))


def parse_languages(text: str) -> list[str]:
    """``'EN; de'`` into ``['en', 'de']``."""
    return list(_parse_languages(text))


@lru_cache(maxsize=8192)  # the same few hundred skills repeat across a file
def skill_slug(name: str) -> str:
    """The key two skill names share when they are the same skill: case-insensitive, and keeps
    C, C++ and C# apart (a slug as Django's ``slugify(allow_unicode=True)`` makes it). The name
    is normalised (NFKC) before its symbols are read, so the full-width "Ｃ＃" is C#, and the
    music sharp "♯" is a sharp too.

    >>> skill_slug("C++"), skill_slug("c#"), skill_slug("C♯"), skill_slug("Machine  Learning")
    ('c-plus-plus', 'c-sharp', 'c-sharp', 'machine-learning')
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace("\u266f", "#")
    text = text.replace("++", " plus plus ").replace("+", " plus ").replace("#", " sharp ")
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")[:SKILL_MAX_LENGTH]


@lru_cache(maxsize=8192)
def check_skill(name: str) -> str:
    """One skill name, whitespace collapsed; refused when too long, without a letter or digit, or
    holding a separator (the profile form splits its box at both: one tag became two)."""
    cleaned = one_line(name)
    if len(cleaned) > SKILL_MAX_LENGTH:
        raise CellError(SKILL_TOO_LONG)
    if "," in cleaned or ";" in cleaned:
        raise CellError(SKILL_SEPARATOR.format(value=cleaned))
    if not skill_slug(cleaned):
        raise CellError(SKILL_INVALID.format(value=cleaned))
    return cleaned


def check_skills(names: Iterable[object]) -> list[str]:
    """Skill names, each once (by :func:`skill_slug`), at most ``MAX_SKILLS``.

    >>> check_skills(["Python", " python ", "C++", "C#", ""])
    ['Python', 'C++', 'C#']
    """
    cleaned: dict[str, str] = {}
    for name in names:
        if one_line(name):  # blanks and invisible characters alone are no skill
            skill = check_skill(str(name))
            cleaned.setdefault(skill_slug(skill), skill)
    if len(cleaned) > MAX_SKILLS:
        raise CellError(TOO_MANY_SKILLS)
    return list(cleaned.values())


def parse_skills(text: str) -> list[str]:
    """A ``;``-separated cell of skill names (see :func:`check_skills`)."""
    return check_skills(split_list(text))


def check_identity(items: Iterable[object]) -> list[str]:
    """Self-described identity items, whitespace collapsed, each once (any case), at most
    ``MAX_IDENTITY_ITEMS`` of at most ``MAX_IDENTITY_ITEM_LENGTH`` characters.

    >>> check_identity(["parent", " Parent ", "first  generation"])
    ['parent', 'first generation']
    """
    cleaned: dict[str, str] = {}
    for item in items:
        value = one_line(str(item))
        if len(value) > MAX_IDENTITY_ITEM_LENGTH:
            raise CellError(IDENTITY_ITEM_TOO_LONG)
        if value:
            cleaned.setdefault(value.casefold(), value)
    if len(cleaned) > MAX_IDENTITY_ITEMS:
        raise CellError(IDENTITY_TOO_MANY)
    return list(cleaned.values())


def parse_identity(text: str) -> list[str]:
    return check_identity(split_list(text))


def parse_references(text: str) -> list[str]:
    """Ids or emails of other participants (``exclude``, ``prefer``), each once; emails compare
    in lower case. Whether they name someone is for the caller to check.

    >>> parse_references("a@X.org; b7; a@x.org")
    ['a@x.org', 'b7']
    """
    return list(dict.fromkeys(item.lower() if "@" in item else item for item in split_list(text)))


# --- working style ------------------------------------------------------------------------


def check_working_style(answers: Mapping[str, object]) -> dict[str, int]:
    """``{question: 1..5}`` for the known questions; blank answers are left out.

    >>> check_working_style({"pace": "4", "focus": None})
    {'pace': 4}
    """
    unknown = sorted(set(answers) - set(WORKING_STYLE_QUESTIONS))
    if unknown:
        known = ", ".join(WORKING_STYLE_QUESTIONS)
        raise CellError(WORKING_STYLE_UNKNOWN.format(keys=", ".join(unknown), known=known))
    checked: dict[str, int] = {}
    for key, answer in answers.items():
        if answer is None or answer == "":
            continue
        number = _whole_number(answer)
        if number is None or number not in WORKING_STYLE_SCALE:
            raise CellError(WORKING_STYLE_ANSWER.format(question=key), part=key)
        checked[key] = number
    return checked


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_working_style(text: str) -> tuple[tuple[str, int], ...]:
    answers: dict[str, object] = {}
    for part in split_list(text):
        key, sep, number = part.partition("=")
        if not sep or not number.strip().isdigit():
            raise CellError(_style_syntax(text))
        answers[key.strip().lower()] = number.strip()
    # A well-formed cell breaks the rule the profile edit breaks, in the same words.
    return tuple(check_working_style(answers).items())


def _style_syntax(text: str) -> str:
    return WORKING_STYLE_SYNTAX.format(keys=", ".join(WORKING_STYLE_QUESTIONS), value=text)


def parse_working_style(text: str) -> dict[str, int]:
    """``'Structure=4; pace=3'`` into ``{'structure': 4, 'pace': 3}``.

    >>> parse_working_style("Structure=4; pace=3")
    {'structure': 4, 'pace': 3}
    """
    return dict(_parse_working_style(text))
