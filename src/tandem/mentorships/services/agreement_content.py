"""What an agreement says: program defaults, examples, and the validation of a version."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tandem.core.dates import DATE_OUT_OF_RANGE, date_in_range
from tandem.core.exceptions import ApplicationError
from tandem.core.text import clean_text, one_line
from tandem.mentorships.models import MeetingFormat
from tandem.people.choices import Cadence
from tandem.programs.models import Program

DEFAULT_CONFIDENTIALITY = (
    "What we share stays between us unless we both agree otherwise, or someone's safety is at risk."
)
DEFAULT_NO_FAULT_EXIT = (
    "Either of us may end this mentorship at any time, for any reason, "
    "without blame; we will say so openly rather than let it fade."
)

OBJECTIVES_REQUIRED = "Add at least one objective: a goal you want to reach together."
OBJECTIVE_GOAL_REQUIRED = "Objective {n} needs a goal."
BAD_DATE = "Use a date like 2026-03-31."
ENDS_BEFORE_START = "The end date must be after the start date."
BAD_CADENCE = "Choose weekly, biweekly, monthly or quarterly."
BAD_FORMAT = "Choose video, call, in person or chat."
MIN_MEETING_MINUTES, MAX_MEETING_MINUTES = 15, 240  # a typical meeting's
BAD_MINUTES = (
    f"A typical meeting lasts between {MIN_MEETING_MINUTES} and {MAX_MEETING_MINUTES} minutes."
)
REQUIRED = "This is required."
TOO_LONG = "Keep this under {limit} characters."
MAX_OBJECTIVES = 10
OBJECTIVE_GOAL_LIMIT = 200
OBJECTIVE_MEASURE_LIMIT = 300
TOO_MANY_OBJECTIVES = "An agreement has at most {limit} objectives."
AGREEMENT_NEEDS_ATTENTION = "Some parts of the agreement need attention."

TEXT_FIELDS = {
    "mentor_expectations": 2000,
    "mentee_expectations": 2000,
    "focus_areas": 1000,
    "desired_outcomes": 2000,
    "confidentiality": 2000,
    "no_fault_exit": 2000,
}
REQUIRED_TEXT = ("confidentiality", "no_fault_exit")
ONE_LINE_TEXT = ("focus_areas",)  # the form shows it as a single-line input

# What each expectations field holds, said once for the form, the agreement page and the API:
# ``mentor_expectations`` is what the mentor offers (what the mentee can expect from them),
# ``mentee_expectations`` what the mentee offers.
EXPECTATION_LABELS = {
    "mentor_expectations": "What the mentee can expect from the mentor",
    "mentee_expectations": "What the mentor can expect from the mentee",
}

EXAMPLES = {
    "goal": "e.g. Lead a design review on my own",
    "measure": "e.g. I run two reviews this quarter and get feedback from both",
    "mentor_expectations": "e.g. Be candid, share your own mistakes, answer messages within 2 days",
    "mentee_expectations": "e.g. Come prepared with one question; say early when you're stuck",
    "focus_areas": "e.g. system design, stakeholder communication",
    "desired_outcomes": "e.g. Confidence to take on a tech-lead role by the end of the year",
}


def agreement_defaults(*, program: Program, today: date) -> dict[str, Any]:
    """A first version pre-filled from the program's defaults, its dates inside the program's:
    a pair matched before the program starts begins on its first day, and the default length
    stops at the program's last day."""
    starts_on = max(today, program.starts_on or today)
    ends_on = starts_on + timedelta(weeks=program.default_duration_weeks)
    if program.ends_on and program.ends_on > starts_on:
        ends_on = min(ends_on, program.ends_on)
    return {
        "objectives": [],
        "mentor_expectations": "",
        "mentee_expectations": "",
        "cadence": program.default_cadence or Cadence.BIWEEKLY,
        "meeting_format": MeetingFormat.VIDEO,
        "meeting_minutes": 45,
        "focus_areas": "",
        "desired_outcomes": "",
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "confidentiality": DEFAULT_CONFIDENTIALITY,
        "no_fault_exit": DEFAULT_NO_FAULT_EXIT,
    }


def agreement_prefill(content: dict[str, Any], *, goals: str) -> dict[str, Any]:
    """A draft's first objective filled from the first sentence of the mentee's profile goals,
    when it has none. Nothing else: the goals or the request's message pasted into the desired
    outcomes repeated the objective and a greeting ("Hi Sofia, …", live review), so the
    outcomes are left for the pair to write. What the draft already says is never replaced."""
    filled = dict(content)
    first_sentence = one_line(goals).split(". ")[0].strip()
    if first_sentence and not any(_objective_given(raw) for raw in filled.get("objectives") or []):
        goal = _shortened(first_sentence, OBJECTIVE_GOAL_LIMIT)
        filled["objectives"] = [{"goal": goal, "measure": "", "target_date": ""}]
    return filled


def agreement_gaps(content: dict[str, Any]) -> list[str]:
    """The parts that make an agreement useful which this one leaves empty, in words: each
    side's expectations and a measurable outcome per objective. The page lists them and makes
    completing the agreement its first action while any is empty; signing stays allowed."""
    gaps = [
        label for field, label in EXPECTATION_LABELS.items() if not clean_text(content.get(field))
    ]
    objectives = content.get("objectives") or []
    gaps += [
        f"A measurable outcome for objective {n}"
        if len(objectives) > 1
        else "A measurable outcome for the objective"
        for n, objective in enumerate(objectives, start=1)
        if not one_line(objective.get("measure"))
    ]
    return gaps


def _shortened(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word with an ellipsis when too long."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


class _OutOfRange(ValueError):
    pass


def _date(value: Any) -> date | None:
    if not value:
        return None
    found = value if isinstance(value, date) else date.fromisoformat(str(value))
    if not date_in_range(found):
        raise _OutOfRange(DATE_OUT_OF_RANGE)
    return found


def check_agreement_content(content: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a version's content; raises with a message per field."""
    clean, errors = _normalise(content)
    if errors:
        raise ApplicationError(AGREEMENT_NEEDS_ATTENTION, fields=errors)
    return clean


def agreement_content_same(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two contents say the same once normalised as a saved version is (surrounding
    blanks, line endings, empty objective rows, date and number forms): a form sent back
    untouched says the same as the version it shows."""
    return _normalise(first)[0] == _normalise(second)[0]


def _normalise(content: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {"objectives": _objectives(content.get("objectives") or [], errors)}
    clean.update(_texts(content, errors))
    for name, allowed, message in (
        ("cadence", Cadence.values, BAD_CADENCE),
        ("meeting_format", MeetingFormat.values, BAD_FORMAT),
    ):
        clean[name] = content.get(name)
        if clean[name] not in allowed:
            errors[name] = message
    clean["meeting_minutes"] = _minutes(content.get("meeting_minutes", ""), errors)
    clean.update(_dates(content, errors))
    return clean, errors


def _objectives(given: list[dict[str, Any]], errors: dict[str, str]) -> list[dict[str, str]]:
    rows = [raw for raw in given if _objective_given(raw)]
    if len(rows) > MAX_OBJECTIVES:
        errors["objectives"] = TOO_MANY_OBJECTIVES.format(limit=MAX_OBJECTIVES)
    objectives = [_objective(index, raw, errors) for index, raw in enumerate(rows, start=1)]
    if not objectives:
        errors["objectives"] = OBJECTIVES_REQUIRED
    return objectives


def _objective(index: int, raw: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    goal = one_line(raw.get("goal"))
    measure = one_line(raw.get("measure"))
    if not goal:
        errors[f"objectives.{index}.goal"] = OBJECTIVE_GOAL_REQUIRED.format(n=index)
    for part, value, limit in (
        ("goal", goal, OBJECTIVE_GOAL_LIMIT),
        ("measure", measure, OBJECTIVE_MEASURE_LIMIT),
    ):
        if len(value) > limit:
            errors[f"objectives.{index}.{part}"] = TOO_LONG.format(limit=limit)
    try:
        target = _date(raw.get("target_date"))
    except ValueError as error:
        errors[f"objectives.{index}.target_date"] = _date_error(error)
        target = None
    return {"goal": goal, "measure": measure, "target_date": target.isoformat() if target else ""}


def _texts(content: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    texts = {}
    for name, limit in TEXT_FIELDS.items():
        value = (one_line if name in ONE_LINE_TEXT else clean_text)(content.get(name))
        if len(value) > limit:
            errors[name] = TOO_LONG.format(limit=limit)
        elif name in REQUIRED_TEXT and not value:
            errors[name] = REQUIRED
        texts[name] = value
    return texts


def _minutes(value: Any, errors: dict[str, str]) -> int | None:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = None
    if minutes is None or not MIN_MEETING_MINUTES <= minutes <= MAX_MEETING_MINUTES:
        errors["meeting_minutes"] = BAD_MINUTES
        return None
    return minutes


def _dates(content: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """The start and end dates (both required, the end after the start) in ISO form."""
    dates: dict[str, date | None] = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = _date(content.get(name))
        except ValueError as error:
            errors[name] = _date_error(error)
            dates[name] = None
        else:
            if dates[name] is None:
                errors[name] = REQUIRED
    starts_on, ends_on = dates["starts_on"], dates["ends_on"]
    if starts_on and ends_on and ends_on <= starts_on:
        errors["ends_on"] = ENDS_BEFORE_START
    return {name: day.isoformat() if day else "" for name, day in dates.items()}


def _date_error(error: ValueError) -> str:
    return DATE_OUT_OF_RANGE if isinstance(error, _OutOfRange) else BAD_DATE


def _objective_given(raw: dict[str, Any]) -> bool:
    return any(clean_text(raw.get(part)) for part in ("goal", "measure", "target_date"))
