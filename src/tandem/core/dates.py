"""The one rule for the dates and times people may enter, shared by forms, API schemas and
services.

Python's ``date`` runs to year 9999, so a date near its end overflows as soon as a duration is
added to it (a 500). Nothing in Tandem plans that far ahead, so every entered date, time and
date-time must fall in ``MIN_YEAR..MAX_YEAR``.

API date-times must carry a UTC offset (``2027-01-15T14:30:00+01:00`` or ``...Z``): a value
without one is refused with a 422 naming the field, never guessed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

MIN_YEAR = 1900
MAX_YEAR = 2100
DATE_OUT_OF_RANGE = f"Enter a date between the years {MIN_YEAR} and {MAX_YEAR}."


def date_in_range(value: date | datetime | None) -> bool:
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def _check_range(value):
    if not date_in_range(value):
        raise ValueError(DATE_OUT_OF_RANGE)
    return value


# For ninja schemas: ``starts_at: ApiDateTime`` refuses a naive or out-of-range value (422).
ApiDate = Annotated[date, AfterValidator(_check_range)]
ApiDateTime = Annotated[AwareDatetime, AfterValidator(_check_range)]
