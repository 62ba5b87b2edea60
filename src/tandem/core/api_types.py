"""Input types for the API's schemas: every number fits its database column, every date-time
carries a UTC offset, every date is in the sane range (``tandem.core.dates``).

Nothing is coerced behind the caller's back: a whole number is a JSON number without a fraction
(``true`` is not 1, nor are ``1.0`` and ``"1"``; ``1.5`` is refused), a yes/no is a JSON
``true`` or ``false`` (not ``1``, ``"yes"`` nor ``"true"``), a date is the text
``YYYY-MM-DD`` and a date-time the text ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` plus offset (``0``
is not 1970-01-01, ``2147483648`` is not a day in 2038). Each is refused with a 422 naming the
field. A path or a query string carries text, so ``?page=2`` is still read as the number 2, but
only as plain digits (``TEXT_DIGITS``): pydantic reads ``2.0``, ``+2``, `` 2``, ``02`` and
``2_0`` as numbers too, so one resource had many addresses; each is a 422 naming the parameter.

A date-time without an offset (``2027-01-15T14:30``) is refused with a 422 naming the field,
never guessed: the same string means different moments to the two people of a mentorship.
A time of day is the other way round: it is read in the caller's own time zone (quiet hours
follow them through summer time), so one with an offset (``22:00+02:00``) is refused, and
so is a fraction of a second (``22:00:00.5``), which the settings page cannot show or keep.
A date-time takes fractions of a second: the API hands them out (a stored start such as the
demo's ``15:00:00.123Z``) and must take back what it gives; what a fraction would change, a
meeting's length, is rounded to the minute where it is computed.
A test walks every operation of the API and fails on an input that does not use these.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from django.http import HttpRequest
from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
)
from pydantic_core import core_schema

from tandem.core.dates import DATE_OUT_OF_RANGE, MAX_YEAR, MIN_YEAR, date_in_range

if TYPE_CHECKING:
    from django.db.models import TextChoices

    from tandem.people.models import User

INT32_MAX = 2**31 - 1  # PostgreSQL ``integer``: Django's IntegerField, PositiveIntegerField
INT64_MAX = 2**63 - 1  # PostgreSQL ``bigint``: ids


def storable_id(value: int) -> bool:
    """Whether ``value`` can be a row's id: one past the column's range is no row, not a
    database error (SQLite's OverflowError, PostgreSQL's out-of-range)."""
    return 0 < value <= INT64_MAX


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


NOT_A_WHOLE_NUMBER = 'Give a whole number as a JSON number (e.g. 3), not "3", 3.0 or true.'
DATE_FORMAT = "Give the date as YYYY-MM-DD (e.g. 2027-01-15)."
DATETIME_FORMAT = (
    "Give the date-time as YYYY-MM-DDTHH:MM with a UTC offset (e.g. 2027-01-15T14:30Z)."
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", re.DOTALL)


def _whole_number(value: object) -> object:
    """pydantic reads ``true`` as 1, and ``"3"`` and ``3.0`` as 3."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(NOT_A_WHOLE_NUMBER)
    return value


# Every integer input of a JSON body carries it (a path or a query string: ``TEXT_DIGITS``).
# A narrower range pydantic enforces: ``Annotated[int, WHOLE_NUMBER]`` with
# ``Field(ge=0, le=100)``, never ``ApiInt`` with it (pydantic then drops the narrower bounds);
# one the service checks in its own words: ``Annotated[ApiInt, within(0, 100)]``.
# Bounds come before the validator in an ``Annotated``, or the schema shows ``ge``/``le``
# instead of ``minimum``/``maximum``.
WHOLE_NUMBER = BeforeValidator(_whole_number)


def _iso_date(value: object) -> object:
    """pydantic reads a number as a Unix time and ``2027-01-15T00:00`` as a day."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError(DATE_FORMAT)


def _iso_datetime(value: object) -> object:
    """pydantic reads a number (or a text of digits) as a Unix time."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATETIME.fullmatch(value)):
        return value
    raise ValueError(DATETIME_FORMAT)


def years_pattern(first: int, last: int) -> str:
    """A regular expression for the four-digit years ``first..last``: whole centuries as
    ``19[0-9]{2}``, the others one by one (``1900..2100``: ``19[0-9]{2}|20[0-9]{2}|2100``)."""
    parts, year = [], first
    while year <= last:
        if year % 100 == 0 and year + 99 <= last:
            parts.append(f"{year // 100:02d}[0-9]{{2}}")
            year += 100
        else:
            parts.append(f"{year:04d}")
            year += 1
    return "(" + "|".join(parts) + ")"


# The schema states the range too (a ``pattern`` on the year), so clients and fuzzers learn it
# from /api/openapi.json. A moment's range holds in every time zone (``date_in_range``): on
# the first and the last day of the range it may still be refused.
_YEARS = years_pattern(MIN_YEAR, MAX_YEAR)
_DATE_SCHEMA = Field(json_schema_extra={"pattern": f"^{_YEARS}-[0-9]{{2}}-[0-9]{{2}}$"})
_DATETIME_SCHEMA = Field(json_schema_extra={"pattern": f"^{_YEARS}-[0-9]{{2}}-[0-9]{{2}}[T ]"})

ApiDate = Annotated[date, _DATE_SCHEMA, BeforeValidator(_iso_date), AfterValidator(_check_range)]
ApiDateTime = Annotated[
    AwareDatetime, _DATETIME_SCHEMA, BeforeValidator(_iso_datetime), AfterValidator(_check_range)
]
# What ``_check_time_of_day`` takes, stated: the schema's ``format: time`` alone allows an
# offset (``22:00Z``, ``08:02:51+17:33``) and fractions, refused as the time is read in the
# person's own zone (an API fuzz sent them and got 422s the schema did not announce).
TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.0+)?)?$"
ApiTime = Annotated[
    time,
    Field(json_schema_extra={"pattern": TIME_OF_DAY_PATTERN}),
    AfterValidator(_check_time_of_day),
]
# A whole number an ``integer`` column holds; services check the domain's own range.
ApiInt = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX), WHOLE_NUMBER]
# A row id (``bigint``).
ApiId = Annotated[int, Field(ge=1, le=INT64_MAX), WHOLE_NUMBER]

NOT_PLAIN_DIGITS = (
    "Give a whole number in plain digits (e.g. 42): no sign, space, fraction or leading zero."
)
_PLAIN_DIGITS = re.compile(r"0|[1-9][0-9]*")


def _plain_digits(value: object) -> object:
    """pydantic reads the texts ``2.0``, ``+2``, `` 2 ``, ``02`` and ``2_0`` as 2."""
    if isinstance(value, str) and _PLAIN_DIGITS.fullmatch(value):
        return value
    raise ValueError(NOT_PLAIN_DIGITS)


# Every integer of a path or a query string carries it (they are text: ``/messages?after=2``
# is 2), with bounds before it as for ``WHOLE_NUMBER``.
TEXT_DIGITS = BeforeValidator(_plain_digits)
# A row id in a path or a query string.
TextId = Annotated[int, Field(ge=1, le=INT64_MAX), TEXT_DIGITS]
# A number an ``integer`` column holds (an agreement version's), in a path or a query string.
TextInt = Annotated[int, Field(ge=1, le=INT32_MAX), TEXT_DIGITS]

NOT_A_NUMBER = 'Give a number as a JSON number (e.g. 2.5), not "2.5" or true.'


def _json_number(value: object) -> object:
    """pydantic reads ``true`` as 1.0 and ``"2.5"`` as 2.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(NOT_A_NUMBER)
    return value


# A number of a JSON body that may have a fraction (a matching weight); NaN and infinities,
# which Python's JSON reader takes, are no numbers either.
ApiFloat = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(_json_number)]

NOT_A_BOOLEAN = 'Give true or false as a JSON boolean, not 1, 0, "yes" or "true".'


def _true_or_false(value: object) -> object:
    """pydantic reads 1, ``"yes"`` and ``"true"`` as true: consent must be a JSON ``true``."""
    if not isinstance(value, bool):
        raise ValueError(NOT_A_BOOLEAN)
    return value


TRUE_OR_FALSE = BeforeValidator(_true_or_false)
# A yes/no of a JSON body; a query string is text, so ``?pending=true`` stays a plain ``bool``.
ApiBool = Annotated[bool, TRUE_OR_FALSE]


class OneOf:
    """``Annotated[str, OneOf(MeetingFormat)]``: a text field that takes one of a model's
    choices (or of the values given), declared as an ``enum`` in the schema; any other value is
    a 422 naming the field. The choices stay in the model, the one source; a ``Literal`` would
    copy them, and an ``Enum`` type would appear in the schema under its class name, which two
    apps share (``MeetingFormat``)."""

    def __init__(self, *choices: type[TextChoices] | str) -> None:
        self.values = [
            value
            for choice in choices
            for value in ([choice] if isinstance(choice, str) else choice.values)
        ]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.literal_schema(self.values)


def up_to(limit: int) -> Any:
    """``Annotated[str, up_to(LIMIT)]``: a text its service refuses past ``LIMIT`` characters
    (a 400 naming the field, in the service's words). The schema states the limit as
    ``maxLength``, so clients and fuzzers learn it; the service stays the one check, with the
    one constant (it may strip the text first)."""
    return Field(json_schema_extra={"maxLength": limit})


def up_to_items(limit: int) -> Any:
    """``Annotated[list[...], up_to_items(LIMIT)]``: a list its service refuses past ``LIMIT``
    items, stated as ``maxItems`` as ``up_to`` states a text's (the service may count only the
    items it keeps: blank ones, or the same one twice, are dropped before)."""
    return Field(json_schema_extra={"maxItems": limit})


def within(low: int, high: int) -> Any:
    """``Annotated[ApiInt, within(LOW, HIGH)]``: a number its service refuses outside
    ``LOW..HIGH`` (a 400 naming the field, in the service's words), stated as ``minimum`` and
    ``maximum`` in place of the column's range, which still holds (a 422)."""
    return Field(json_schema_extra={"minimum": low, "maximum": high})


class InputSchema(Schema):
    """Every request body's schema (and the schemas nested in one): a field it does not
    declare is refused with a 422 naming it. pydantic drops it by default, so a misspelt
    ``timezon`` or a ``manager_id`` nobody may set answered 200 and changed nothing."""

    model_config = ConfigDict(extra="forbid")


class AuthenticatedRequest(HttpRequest):
    """What an API operation receives: every operation requires the API's authentication
    (``tandem.people.auth``), which sets both ``auth`` and ``user`` to the caller. For
    annotations only: the object is Django's own request."""

    auth: User
    user: User
