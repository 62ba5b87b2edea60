"""The run pages name people through one mapping (``review.people_labels``), so two people who
share a name read differently everywhere they appear, and show every score on one scale
(``fit_points``: out of 100, as the fit line under "Why" does)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from tandem.matching.fit import fit_of

register = template.Library()


@register.filter
def label_of(labels: Mapping[int, str], person_id: int | None) -> str:
    """``{{ labels|label_of:pair.mentee_id }}``: the person's label, or their id if unknown."""
    if person_id is None:
        return ""
    return labels.get(person_id) or f"#{person_id}"


@register.filter
def fit_points(score: float | None) -> str:
    """A pair score in [0, 1] as every page shows it: a whole number out of 100, rounded as the
    fit line under "Why" rounds it (``fit_of``), so a page never shows one pair on two scales.
    ``None`` (no score) reads "—". The API and exports keep the exact 0-1 score."""
    if score is None:
        return "—"
    return str(fit_of(score).points)


@register.filter
def fit_change(change: Any) -> str:
    """The change of a mentee's fit between two runs, in the points ``fit_points`` shows
    ("+3", "−2", "0"), so it is the difference of the two figures beside it; "—" when
    either run left them unmatched."""
    if change.score_a is None or change.score_b is None:
        return "—"
    points = fit_of(change.score_b).points - fit_of(change.score_a).points
    return f"+{points}" if points > 0 else f"−{-points}" if points < 0 else "0"
