"""Reason rows as ``_reasons.html`` shows them: the fit apart, every reason with its kind.

Rows come from today's runs and recommendations (``engine.pair_rows``: a fit row, then
``{"criterion", "text", "kind"}``) and from runs stored before reasons had a kind: their rows
are ``{"criterion", "text"}``, strengths of the pair, or an unmatched person's cause, which is
neither. Reading both here is why no data migration was needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import template

from tandem.matching.explain import UNMATCHED
from tandem.matching.reader import for_reader
from tandem.matching.result import TABLE_REASON
from tandem.matching.sentences import NOTE, STRENGTH
from tandem.matchruns.engine import FIT

register = template.Library()

# Causes of an unmatched person, and the score table's word: never a strength of a pair.
NOT_OF_A_PAIR = frozenset({*UNMATCHED, TABLE_REASON.criterion})


@dataclass(frozen=True)
class Story:
    fit: Mapping[str, str] | None = None
    reasons: list[dict[str, str]] = field(default_factory=list)


def _with_kind(row: Any) -> dict[str, str]:
    if isinstance(row, str):  # a bare text, as runs stored reasons long ago
        return {"criterion": "", "text": row, "kind": STRENGTH}
    criterion = str(row.get("criterion", ""))
    kind = row.get("kind") or (NOTE if criterion in NOT_OF_A_PAIR else STRENGTH)
    return {"criterion": criterion, "text": str(row.get("text", "")), "kind": str(kind)}


@register.filter
def reason_story(rows: Iterable[Any] | None, reader: str = "") -> Story:
    """The fit row (or None) and the other rows, each with its kind, worded for ``reader``
    ("mentee" or "mentor": about themselves and the other; anyone else: as written)."""
    fit, reasons = None, []
    for row in rows or ():
        if isinstance(row, Mapping) and row.get("kind") == FIT:
            fit = {**row, "band": str(row.get("label", "")).split(" ")[0].lower()}
        else:
            reason = _with_kind(row)
            reasons.append({**reason, "text": for_reader(reason["text"], reader)})
    return Story(fit=fit, reasons=reasons)


@register.filter
def reader_in(pair: Any, user: Any) -> str:
    """``user``'s side in a request or mentorship ("mentee", "mentor"), else ""."""
    if getattr(pair, "mentee_id", None) == getattr(user, "pk", object()):
        return "mentee"
    if getattr(pair, "mentor_id", None) == getattr(user, "pk", object()):
        return "mentor"
    return ""
