"""The quarters a scope's filter offers: from the quarter of the programs' first activity (the
first person joining, pair matched or health recorded) to this quarter."""

from __future__ import annotations

from django.db.models import Min
from django.utils import timezone

from tandem.feedback.models import HealthSnapshot
from tandem.insights.scope import Quarter
from tandem.mentorships.models import Mentorship
from tandem.programs.models import Enrolment


def quarters_with_data(program_ids: tuple[int, ...]) -> list[Quarter]:
    """Every quarter from the first activity to now, oldest first (empty when none)."""
    firsts = [
        Enrolment.objects.filter(program_id__in=program_ids).aggregate(at=Min("created_at"))["at"],
        Mentorship.objects.filter(program_id__in=program_ids).aggregate(at=Min("created_at"))["at"],
        HealthSnapshot.objects.filter(program_id__in=program_ids).aggregate(at=Min("computed_at"))[
            "at"
        ],
    ]
    known = [moment for moment in firsts if moment is not None]
    if not known:
        return []
    quarter, last = Quarter.containing(min(known)), Quarter.containing(timezone.now())
    quarters = []
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters
