"""Weekly availability in UTC, recomputed from the local windows when they, the time zone or
the week's UTC offsets (daylight saving) change."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.db import transaction
from django.utils import timezone as dj_timezone

from tandem.core.saving import field_values, save_changed
from tandem.matching.records.availability import to_utc_intervals
from tandem.people.models import Profile


def availability_utc_refresh(profile: Profile, reference_date: date | None) -> None:
    windows = profile.windows.values_list("weekday", "start_minute", "end_minute")
    profile.availability_utc = to_utc_intervals(
        list(windows), profile.timezone, reference_date or timezone_today()
    )


def timezone_today() -> date:
    return dj_timezone.now().date()


@transaction.atomic
def profile_refresh_availability(
    *, profile: Profile, reference_date: date | None = None
) -> Profile:
    """Recompute ``availability_utc`` from the stored windows (after admin edits, or weekly so
    the UTC offsets follow DST); the same intervals again write nothing."""
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    before = field_values(profile)
    availability_utc_refresh(profile, reference_date)
    save_changed(profile, before)
    return profile


def profiles_refresh_availability_bulk(
    *, reference_date: date | None = None, batch_size: int = 500
) -> int:
    """Recompute ``availability_utc`` of every profile for the week of ``reference_date`` and
    save those that changed (a DST change moved their offset). Run weekly and around DST
    changes; returns how many profiles changed. Queries: 2 per batch plus the updates."""
    reference_date = reference_date or timezone_today()
    changed: list[Profile] = []
    queryset = (
        Profile.objects.only("pk", "timezone", "availability_utc")
        .prefetch_related("windows")
        .order_by("pk")
    )
    for profile in queryset.iterator(chunk_size=batch_size):
        windows = [(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()]
        try:
            fresh = to_utc_intervals(windows, profile.timezone, reference_date)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if fresh != profile.availability_utc:
            profile.availability_utc = fresh
            changed.append(profile)
    with transaction.atomic():
        Profile.objects.bulk_update(changed, ["availability_utc"], batch_size=batch_size)
    return len(changed)
