"""The one rule for the dates and times people may enter, shared by forms, API schemas and
services.

Python's ``date`` runs to year 9999, so a date near its end overflows as soon as a duration is
added to it (a 500). Nothing in Tandem plans that far ahead, so every entered date, time and
date-time must fall in ``MIN_YEAR..MAX_YEAR``.

The API's input types for these rules are in ``tandem.core.api_types``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

MIN_YEAR = 1900
MAX_YEAR = 2100
DATE_OUT_OF_RANGE = f"Enter a date between the years {MIN_YEAR} and {MAX_YEAR}."


# The widest UTC offset in use (UTC+14, Kiribati; UTC-12 is narrower).
WIDEST_OFFSET = timedelta(hours=14)


def date_in_range(value: date | datetime | None) -> bool:
    """Whether ``value`` falls in ``MIN_YEAR..MAX_YEAR``; a moment (an aware date-time) only
    if it does so in every time zone, since each person sees it in their own: a meeting at
    2100-12-31 22:00 in New York is on 2101-01-01 in Berlin, where its form refused it.

    >>> date_in_range(datetime(2100, 12, 31, 22, tzinfo=UTC)), date_in_range(date(2100, 12, 31))
    (False, True)
    """
    if value is None:
        return True
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return False
    if not isinstance(value, datetime) or value.tzinfo is None:
        return True
    moment = value.astimezone(UTC)
    return (moment - WIDEST_OFFSET).year >= MIN_YEAR and (moment + WIDEST_OFFSET).year <= MAX_YEAR
