"""The built-in check-in questions, used by every program until its admins edit them.

A question is a dict: ``key`` (stable, used by health and divergence), ``text``, ``type``
(``scale`` from ``low`` to ``high`` with labels at both ends, ``choice`` among ``choices`` as
``[value, label]`` pairs, or free ``text``), ``required``, and ``compare``: whether the two
sides' answers are compared to find a divergence. Scales run so that higher is better.
"""

from __future__ import annotations

from typing import Any

from tandem.feedback.models import CheckInKind
from tandem.mentorships.models.mentorships import EndCategory

Question = dict[str, Any]

# Keys the health rules read (feedback.health): keep them in every program's templates.
PROGRESS_KEY = "progress"
USEFULNESS_KEY = "meeting_useful"
FIT_KEY = "fit"

_YES_PARTLY_NO = [["yes", "Yes"], ["partly", "Partly"], ["no", "No"]]


def _scale(key: str, text: str, low: str, high: str, *, compare: bool = False) -> Question:
    return {
        "key": key,
        "text": text,
        "type": "scale",
        "low": 1,
        "high": 5,
        "low_label": low,
        "high_label": high,
        "required": True,
        "compare": compare,
    }


def _choice(key: str, text: str, choices: list[list[str]], *, compare: bool = False) -> Question:
    return {
        "key": key,
        "text": text,
        "type": "choice",
        "choices": choices,
        "required": True,
        "compare": compare,
    }


def _text(key: str, text: str) -> Question:
    return {"key": key, "text": text, "type": "text", "required": False, "compare": False}


DEFAULT_QUESTIONS: dict[str, list[Question]] = {
    CheckInKind.FIRST_MEETING: [
        _scale(FIT_KEY, "How good a fit is this pairing?", "Poor fit", "Great fit", compare=True),
        _choice(
            "expectations_clear",
            "Are your expectations of each other clear?",
            _YES_PARTLY_NO,
            compare=True,
        ),
        _text("adjust", "Anything you would like to adjust?"),
    ],
    CheckInKind.PULSE: [
        _scale(
            PROGRESS_KEY,
            "How is progress toward your goals?",
            "No progress",
            "Great progress",
            compare=True,
        ),
        _scale(USEFULNESS_KEY, "How useful was your last meeting?", "Not useful", "Very useful"),
        _text("blocking", "Is anything blocking you?"),
        _text("comment", "Anything else?"),
    ],
    CheckInKind.MIDPOINT: [
        _scale(
            PROGRESS_KEY,
            "How far have you come toward your goals?",
            "Not at all",
            "Most of the way",
            compare=True,
        ),
        _choice(
            "goals_still_right",
            "Are your goals still the right ones?",
            _YES_PARTLY_NO,
            compare=True,
        ),
        _choice(
            "amend_agreement",
            "Should the agreement change for the second half?",
            [["no", "No, keep it"], ["yes", "Yes, let's amend it"]],
            compare=True,
        ),
        _text("comment", "What would make the second half better?"),
    ],
    CheckInKind.CLOSING: [
        _scale(
            "goals_achieved",
            "How far did you reach your goals?",
            "Not at all",
            "Fully",
            compare=True,
        ),
        _scale("satisfaction", "How satisfied are you with this mentorship?", "Not", "Very"),
        _choice(
            "would_recommend",
            "Would you recommend mentoring here to a colleague?",
            [["yes", "Yes"], ["maybe", "Maybe"], ["no", "No"]],
        ),
        _text("keep", "What should the program keep?"),
        _text("change", "What should the program change?"),
    ],
}


def asked_of_pair(questions: list[Question], *, have_met: bool) -> list[Question]:
    """The questions a check-in asks: a pair with no meeting behind them yet (an admin may ask
    for a pulse before the first) has no last meeting to rate, so that question is left out
    rather than made an answer they must invent."""
    if have_met:
        return questions
    return [question for question in questions if question["key"] != USEFULNESS_KEY]


# Asked in the closing survey of a mentorship that ended early, of both sides, whoever ended
# it: each side's own view of why, private to its author like every answer (the insights
# count it; nobody reads it per pair). Kept out of the editable templates so that every
# program counts the same categories.
END_CATEGORY_KEY = "end_category"
EARLY_END_QUESTION: Question = {
    **_choice(
        END_CATEGORY_KEY,
        "In your view, why did it end early?",
        [[value, str(label)] for value, label in EndCategory.choices],
    ),
    "required": False,
}
