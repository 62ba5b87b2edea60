"""The quarters a scope's filter offers: from the quarter the programs' first person joined
(nobody is matched, meets or has a health before joining) to this quarter."""

from __future__ import annotations

from django.db.models import Min
from django.utils import timezone

from tandem.insights.scope import Quarter
from tandem.programs.models import Enrolment


def quarters_with_data(program_ids: tuple[int, ...]) -> list[Quarter]:
    """Every quarter from the first enrolment to now, oldest first (empty when none). One
    indexed ``MIN``: every page of every section asks for it."""
    first = Enrolment.objects.filter(program_id__in=program_ids).aggregate(at=Min("created_at"))
    if first["at"] is None:
        return []
    quarter, last = Quarter.containing(first["at"]), Quarter.containing(timezone.now())
    quarters = []
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters
