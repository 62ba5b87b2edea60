"""The one time-zone rule: an IANA name the system's zone database lists (or ``UTC``)."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from tandem.matching.records.cells import CellError

TIMEZONE_INVALID = "{value!r} is not a time zone; use a Region/City name such as Europe/Berlin."


# Files the system's zone database holds that name no place (``localtime`` is the machine's own
# zone, which a person in another place cannot mean).
NOT_A_PLACE = frozenset({"localtime", "Factory"})


@lru_cache(maxsize=1)
def timezone_names() -> frozenset[str]:
    """Every accepted name (for pickers too)."""
    return (frozenset(zoneinfo.available_timezones()) - NOT_A_PLACE) | {"UTC"}


def check_timezone(value: object) -> str:
    """The trimmed name, or :class:`CellError` for a name that is not a listed IANA zone.

    >>> check_timezone(" Europe/Berlin ")
    'Europe/Berlin'
    >>> check_timezone("Mars/Base")
    Traceback (most recent call last):
    ...
    tandem.matching.records.cells.CellError: 'Mars/Base' is not a time zone; use a Region/City name such as Europe/Berlin.
    """  # noqa: E501
    name = str(value or "").strip()
    if name not in timezone_names():
        raise CellError(TIMEZONE_INVALID.format(value=name))
    return name


@lru_cache(maxsize=1024)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of a checked name (:func:`check_timezone` first)."""
    return zoneinfo.ZoneInfo(check_timezone(name))
