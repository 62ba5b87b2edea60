"""A program's admins edit each kind of check-in: its questions (add, remove, reorder, their
words, type, scale labels, choices, whether the two sides' answers are compared) and timing.

The keys the health rules read (``PROTECTED_KEYS``) stay in the kinds that ship with them and
stay scales: health compares pulse and progress scores over time, and a program without them
would lose those signals silently. Check-ins already created keep the questions they were
asked, so an edit never changes the meaning of answers given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.text import one_line
from tandem.feedback.models import CheckInKind, CheckInTemplate
from tandem.feedback.questions import (
    DEFAULT_QUESTIONS,
    FIT_KEY,
    PROGRESS_KEY,
    USEFULNESS_KEY,
    Question,
)
from tandem.feedback.selectors.checkins import (
    SCALE_HIGH,
    SCALE_LOW,
    TemplateSettings,
    builtin_template,
    checkin_template_for,
)
from tandem.people.models import User
from tandem.programs.selectors import ProgramAccess, access_program

PROTECTED_KEYS = (PROGRESS_KEY, USEFULNESS_KEY, FIT_KEY)
QUESTION_TYPES = ("scale", "choice", "text")
MAX_QUESTIONS = 12
TEXT_LIMIT = 300
LABEL_LIMIT = 60
CHOICE_VALUE_LIMIT = 30
MIN_CHOICES, MAX_CHOICES = 2, 8
EVERY_PERIODS_RANGE = (1, 12)
DELAY_DAYS_RANGE = (0, 60)
KEY_LIMIT = 40
KEY_PATTERN = re.compile(rf"^[a-z][a-z0-9_]{{0,{KEY_LIMIT - 1}}}$")

UNKNOWN_KIND = "No such kind of check-in."
TEMPLATE_WRONG = "Some questions need attention."
NO_QUESTIONS = "Keep at least one question."
TOO_MANY_QUESTIONS = f"A check-in has at most {MAX_QUESTIONS} questions: keep it under a minute."
BAD_KEY = f"Use lower-case letters, digits and _ (starting with a letter), at most {KEY_LIMIT}."
DUPLICATE_KEY = "Two questions have the key {key}: give each its own."
TEXT_REQUIRED = "Write the question."
TOO_LONG = "Keep this under {limit} characters."
BAD_TYPE = "Choose a scale, a choice or free text."
LABEL_REQUIRED = "Name both ends of the scale."
BAD_CHOICES = (
    f"Give {MIN_CHOICES} to {MAX_CHOICES} answers, one per line as value: label "
    "(values in lower case, like yes: Yes)."
)
PROTECTED_REMOVED = (
    "Keep the question {key}: relationship health reads its answers (progress and how useful "
    "meetings are, or the first-meeting fit), so removing it would hide a fading mentorship."
)
PROTECTED_NOT_SCALE = "The question {key} stays a 1 to 5 scale: relationship health reads it."
BAD_NUMBER = "Use a whole number from {low} to {high}."
NOT_TEXT = "Write this as text."
NOT_TRUE_FALSE = "Send true or false."


def protected_keys_for(kind: str) -> list[str]:
    """The keys health reads that this kind ships with (they cannot be removed)."""
    return [q["key"] for q in DEFAULT_QUESTIONS[kind] if q["key"] in PROTECTED_KEYS]


def _check_kind(kind: str) -> str:
    if kind not in CheckInKind.values:
        raise NotFound(UNKNOWN_KIND)
    return kind


def _choices(raw: Any, errors: dict[str, str], at: str) -> list[list[str]]:
    """``[[value, label], ...]`` from a list of pairs or lines "value: label"."""
    rows = raw.splitlines() if isinstance(raw, str) else list(raw or [])
    pairs: list[list[str]] = []
    for row in rows:
        if isinstance(row, str):
            if not row.strip():
                continue
            value, _, label = row.partition(":")
        elif (
            isinstance(row, list | tuple)
            and len(row) == 2
            and all(isinstance(part, str) for part in row)
        ):
            value, label = row
        else:
            errors[at] = BAD_CHOICES
            return []
        value, label = one_line(value).lower(), one_line(label) or one_line(value)
        pairs.append([value, label])
    values = [value for value, _label in pairs]
    if (
        not MIN_CHOICES <= len(pairs) <= MAX_CHOICES
        or len(set(values)) != len(values)
        or any(not KEY_PATTERN.match(v) or len(v) > CHOICE_VALUE_LIMIT for v in values)
        or any(len(label) > LABEL_LIMIT for _value, label in pairs)
    ):
        errors[at] = BAD_CHOICES
    return pairs


def _text(raw: Mapping[str, Any], name: str, at: str, errors: dict[str, str]) -> str:
    """A question's part as one line of text; anything but text (an API client's list or
    number, which ``one_line`` would store as ``"['a']"`` or ``"5"``) is an error on it."""
    value = raw.get(name)
    if value is not None and not isinstance(value, str):
        errors[f"{at}.{name}"] = NOT_TEXT
        return ""
    return one_line(value)


def _flag(raw: Mapping[str, Any], name: str, at: str, errors: dict[str, str]) -> bool:
    """``required`` or ``compare``: true or false, given or not (``"false"`` read as true)."""
    value = raw.get(name, name == "required")
    if not isinstance(value, bool):
        errors[f"{at}.{name}"] = NOT_TRUE_FALSE
        return False
    return value


def _question(raw: Mapping[str, Any], n: int, errors: dict[str, str]) -> Question:
    at = f"questions.{n}"
    key, text, kind = _text(raw, "key", at, errors), _text(raw, "text", at, errors), raw.get("type")
    if not KEY_PATTERN.match(key):
        errors.setdefault(f"{at}.key", BAD_KEY)
    if not text:
        errors.setdefault(f"{at}.text", TEXT_REQUIRED)
    elif len(text) > TEXT_LIMIT:
        errors[f"{at}.text"] = TOO_LONG.format(limit=TEXT_LIMIT)
    question: Question = {"key": key, "text": text, "type": kind}
    if kind == "scale":
        low, high = _text(raw, "low_label", at, errors), _text(raw, "high_label", at, errors)
        if not low or not high:
            errors.setdefault(f"{at}.low_label", LABEL_REQUIRED)
        elif max(len(low), len(high)) > LABEL_LIMIT:
            errors[f"{at}.low_label"] = TOO_LONG.format(limit=LABEL_LIMIT)
        question.update(low=SCALE_LOW, high=SCALE_HIGH, low_label=low, high_label=high)
    elif kind == "choice":
        question["choices"] = _choices(raw.get("choices"), errors, f"{at}.choices")
    elif kind != "text":
        errors[f"{at}.type"] = BAD_TYPE
    required, compared = _flag(raw, "required", at, errors), _flag(raw, "compare", at, errors)
    question.update(required=kind != "text" and required, compare=kind != "text" and compared)
    return question


def _number(value: Any, bounds: tuple[int, int], name: str, errors: dict[str, str]) -> int:
    low, high = bounds
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        errors[name] = BAD_NUMBER.format(low=low, high=high)
    return number


def check_template(
    *, kind: str, questions: Sequence[Mapping[str, Any]], every_periods: Any, delay_days: Any
) -> TemplateSettings:
    """A template as stored, or an error per field (``questions.<n>.<part>``, from 1)."""
    errors: dict[str, str] = {}
    clean = [_question(raw, n, errors) for n, raw in enumerate(questions, start=1)]
    if not clean:
        errors["questions"] = NO_QUESTIONS
    elif len(clean) > MAX_QUESTIONS:
        errors["questions"] = TOO_MANY_QUESTIONS
    keys = [question["key"] for question in clean]
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        errors["questions"] = DUPLICATE_KEY.format(key=key)
    for key in protected_keys_for(kind):
        kept = next((question for question in clean if question["key"] == key), None)
        if kept is None:
            errors["questions"] = PROTECTED_REMOVED.format(key=key)
        elif kept["type"] != "scale":
            errors[f"questions.{keys.index(key) + 1}.type"] = PROTECTED_NOT_SCALE.format(key=key)
    periods = _number(every_periods, EVERY_PERIODS_RANGE, "every_periods", errors)
    delay = _number(delay_days, DELAY_DAYS_RANGE, "delay_days", errors)
    if errors:
        raise ApplicationError(TEMPLATE_WRONG, fields=errors)
    return TemplateSettings(kind=kind, questions=clean, every_periods=periods, delay_days=delay)


def _same(first: TemplateSettings, second: TemplateSettings) -> bool:
    return (first.questions, first.every_periods, first.delay_days) == (
        second.questions,
        second.every_periods,
        second.delay_days,
    )


def checkin_template_update(
    *,
    user: User,
    program_id: int,
    kind: str,
    questions: Sequence[Mapping[str, Any]],
    every_periods: Any,
    delay_days: Any,
) -> TemplateSettings:
    """Save a kind's questions and timing for the program (its admins only). The same again,
    or the built-in version while the program has no edit of its own, writes nothing."""
    _check_kind(kind)
    with transaction.atomic():
        program = access_program(
            user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
        )
        clean = check_template(
            kind=kind, questions=questions, every_periods=every_periods, delay_days=delay_days
        )
        current = checkin_template_for(program_id=program.pk, kind=kind)
        if _same(clean, current):
            return current
        CheckInTemplate.objects.update_or_create(
            program=program,
            kind=kind,
            defaults={
                "questions": clean.questions,
                "every_periods": clean.every_periods,
                "delay_days": clean.delay_days,
                "updated_by": user,
            },
        )
    return checkin_template_for(program_id=program.pk, kind=kind)


def checkin_template_reset(*, user: User, program_id: int, kind: str) -> TemplateSettings:
    """Back to the built-in questions and timing (its admins only); already built-in: no
    change."""
    _check_kind(kind)
    with transaction.atomic():
        program = access_program(
            user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
        )
        CheckInTemplate.objects.filter(program=program, kind=kind).delete()
    return builtin_template(kind)
