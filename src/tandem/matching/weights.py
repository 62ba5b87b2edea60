"""What a caller of the matching core may choose: the criteria and their weights, and the
conflict rules (hard constraints between colleagues), each checked with a message that says
what to change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from tandem.matching.records.cells import read_float

CRITERIA = (
    "goals",
    "skills",
    "availability",
    "cadence",
    "format",
    "seniority",
    "working_style",
    "identity",
)
DEFAULT_WEIGHTS = {
    "goals": 3.0,
    "skills": 2.0,
    "availability": 2.0,
    "cadence": 0.5,
    "format": 1.0,
    "seniority": 1.0,
    "working_style": 0.5,
    "identity": 1.0,
}
CONFLICT_RULES = ("manager", "department")
DEFAULT_CONFLICT_RULES = ("manager",)

UNKNOWN_CRITERION = "unknown criterion {name!r}: choose from " + ", ".join(CRITERIA)
BAD_WEIGHT = "weight of {name!r} must be a finite number >= 0 (got {value!r})"
ZERO_WEIGHTS = "at least one criterion needs a weight above 0"
UNKNOWN_RULE = "unknown conflict rule {name!r}: choose from " + ", ".join(CONFLICT_RULES)


def resolve_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Defaults overridden by ``weights``; raises ``ValueError`` on unknown names or bad values.

    >>> resolve_weights({"goals": 5})["goals"]
    5.0
    """
    merged = dict(DEFAULT_WEIGHTS)
    for name, value in (weights or {}).items():
        if name not in CRITERIA:
            raise ValueError(UNKNOWN_CRITERION.format(name=name))
        try:
            number = read_float(value) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise ValueError(BAD_WEIGHT.format(name=name, value=value)) from None
        if not number >= 0 or not np.isfinite(number):
            raise ValueError(BAD_WEIGHT.format(name=name, value=value))
        merged[name] = number
    if sum(merged.values()) <= 0:
        raise ValueError(ZERO_WEIGHTS)
    return {name: float(merged[name]) for name in CRITERIA}


def check_rules(rules: Iterable[str]) -> tuple[str, ...]:
    """Validate conflict rule names.

    >>> check_rules(["department"])
    ('department',)
    """
    rules = tuple(rules)
    for rule in rules:
        if rule not in CONFLICT_RULES:
            raise ValueError(UNKNOWN_RULE.format(name=rule))
    return rules
