"""The run pages name people through one mapping (``review.people_labels``), so two people who
share a name read differently everywhere they appear."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def label_of(labels: Mapping[int, str], person_id: int | None) -> str:
    """``{{ labels|label_of:pair.mentee_id }}``: the person's label, or their id if unknown."""
    if person_id is None:
        return ""
    return labels.get(person_id) or f"#{person_id}"
