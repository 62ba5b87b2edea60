"""The one rule for the dates and times people may enter, shared by forms, API schemas and
services.

Python's ``date`` runs to year 9999, so a date near its end overflows as soon as a duration is
added to it (a 500). Nothing in Tandem plans that far ahead, so every entered date, time and
date-time must fall in ``MIN_YEAR..MAX_YEAR``.

The API's input types for these rules are in ``tandem.core.api_types``.
"""

from __future__ import annotations

from datetime import date, datetime

MIN_YEAR = 1900
MAX_YEAR = 2100
DATE_OUT_OF_RANGE = f"Enter a date between the years {MIN_YEAR} and {MAX_YEAR}."


def date_in_range(value: date | datetime | None) -> bool:
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR
