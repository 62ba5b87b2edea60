"""Input types for the API's schemas: every number fits its database column, every date-time
carries a UTC offset, every date is in the sane range (``tandem.core.dates``).

A date-time without an offset (``2027-01-15T14:30``) is refused with a 422 naming the field,
never guessed: the same string means different moments to the two people of a mentorship.
A time of day is the other way round: it is read in the caller's own time zone (quiet hours
follow them through summer time), so one with an offset (``22:00+02:00``) is refused, and
so is a fraction of a second (``22:00:00.5``), which the settings page cannot show or keep.
A test walks every operation of the API and fails on an input that does not use these.
"""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, Annotated, TypeVar

from django.http import HttpRequest
from pydantic import AfterValidator, AwareDatetime, Field

from tandem.core.dates import DATE_OUT_OF_RANGE, date_in_range

if TYPE_CHECKING:
    from tandem.people.models import User

INT32_MAX = 2**31 - 1  # PostgreSQL ``integer``: Django's IntegerField, PositiveIntegerField
INT64_MAX = 2**63 - 1  # PostgreSQL ``bigint``: ids

_Day = TypeVar("_Day", bound=date)  # a date or a date-time, given back as it came


def _check_range(value: _Day) -> _Day:
    if not date_in_range(value):
        raise ValueError(DATE_OUT_OF_RANGE)
    return value


TIME_WITH_OFFSET = (
    "Give the time without a UTC offset (e.g. 22:00): it is read in your own time zone."
)


TIME_WITH_FRACTION = "Give the time in whole seconds at most (e.g. 22:00 or 22:00:30)."


def _check_time_of_day(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(TIME_WITH_OFFSET)
    if value.microsecond:
        raise ValueError(TIME_WITH_FRACTION)
    return value


ApiDate = Annotated[date, AfterValidator(_check_range)]
ApiDateTime = Annotated[AwareDatetime, AfterValidator(_check_range)]
ApiTime = Annotated[time, AfterValidator(_check_time_of_day)]
# A whole number an ``integer`` column holds; services check the domain's own range.
ApiInt = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
# A row id (``bigint``).
ApiId = Annotated[int, Field(ge=1, le=INT64_MAX)]


class AuthenticatedRequest(HttpRequest):
    """What an API operation receives: every operation requires the API's authentication
    (``tandem.people.auth``), which sets both ``auth`` and ``user`` to the caller. For
    annotations only: the object is Django's own request."""

    auth: User
    user: User
