"""Facts about a would-be pair that a mentor reads before answering a request: why they fit
(the match reasons) and the weekly hours they share, in each person's own time zone.

The reasons are scored by ``matchruns``, which sits above this app in the import order: it
hands its scorer over in ``AppConfig.ready`` (``register_reasons_provider``), as every app hands
``notify`` its periodic jobs, so this module never imports it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from tandem.matching.records.availability import (
    format_windows_joined,
    from_utc_intervals,
    to_utc_intervals,
)
from tandem.mentorships.scheduling import intersect
from tandem.people.models import User
from tandem.programs.models import Program

ReasonsProvider = Callable[[Program, User, User], list[dict[str, str]]]

_PROVIDERS: list[ReasonsProvider] = []


def register_reasons_provider(provider: ReasonsProvider) -> None:
    """Set the scorer of one pair, ``provider(program, mentor, mentee)`` → reason rows
    (``{"criterion", "text"}``). Registering again replaces it (a reloaded app)."""
    _PROVIDERS[:] = [provider]


def reasons_for(program: Program, mentor: User, mentee: User) -> list[dict[str, str]]:
    """The match reasons of this pair, or none when no scorer is installed."""
    return _PROVIDERS[0](program, mentor, mentee) if _PROVIDERS else []


Windows = Iterable[tuple[int, int, int]]


@dataclass(frozen=True)
class SharedSlot:
    """One stretch of the week both are free, as each of the two reads it on their clock."""

    mentor_text: str
    mentee_text: str
    minutes: int


def _as_text(interval: tuple[int, int], zone: zoneinfo.ZoneInfo, week: date) -> str:
    return ", ".join(format_windows_joined(from_utc_intervals([interval], zone, week)))


def shared_availability(
    *,
    mentor_windows: Windows,
    mentor_zone: zoneinfo.ZoneInfo,
    mentee_windows: Windows,
    mentee_zone: zoneinfo.ZoneInfo,
    week: date,
) -> list[SharedSlot]:
    """The hours both people are free in the week of ``week`` (each side's local windows
    converted with that week's offsets), every slot written in the mentor's and in the
    mentee's zone."""
    common = intersect(
        [(start, end) for start, end in to_utc_intervals(list(mentor_windows), mentor_zone, week)],
        [(start, end) for start, end in to_utc_intervals(list(mentee_windows), mentee_zone, week)],
    )
    return [
        SharedSlot(
            mentor_text=_as_text(interval, mentor_zone, week),
            mentee_text=_as_text(interval, mentee_zone, week),
            minutes=interval[1] - interval[0],
        )
        for interval in common
    ]
