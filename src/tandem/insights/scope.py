"""What an insight covers: one program or every program, and a range of whole quarters.

Ranges are whole calendar quarters (UTC), never arbitrary dates: two overlapping date ranges
differenced against each other would expose the few people between their ends, so every figure
is computed on one fixed grid that the equity report's suppression can audit as a whole.
A person-based figure counts the people who joined in the range (their cohort); an
activity-based figure (meetings, messages, weekly trends) counts what happened in the range.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.db.models import Q

from tandem.core.api_types import years_pattern
from tandem.core.exceptions import ApplicationError
from tandem.mentorships.selectors.outside_admins import pairs_of
from tandem.people.models import User

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
# Also the API schema's ``pattern`` for a quarter: written as a JSON Schema regex (no flags).
QUARTER_PATTERN = re.compile(rf"^{years_pattern(EARLIEST_YEAR, LATEST_YEAR)}-?[Qq]([1-4])$")
QUARTER_HELP = "Write a quarter like 2026Q3 (years 2000 to 2100)."
EMPTY_RANGE = (
    "No figures from {first} to {last}: none of these quarters holds data. Choose quarters "
    "from the first enrolment to this quarter."
)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def containing(cls, moment: datetime) -> Quarter:
        moment = moment.astimezone(UTC)
        return cls(moment.year, (moment.month - 1) // 3 + 1)

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * (self.number - 1) + 1, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the quarter."""
        return self.next().start

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def parse_quarter(value: str, *, field: str) -> Quarter:
    match = QUARTER_PATTERN.match(value.strip())
    year = int(match.group(1)) if match else 0
    if match is None or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ApplicationError(QUARTER_HELP, fields={field: QUARTER_HELP})
    return Quarter(year, int(match.group(2)))


@dataclass(frozen=True)
class InsightScope:
    """The programs and the quarters a set of figures covers (``None``: from the first or to the
    latest activity)."""

    program_ids: tuple[int, ...]
    first: Quarter | None = None
    last: Quarter | None = None
    # No quarter of the range can hold data (``clipped``): nothing is computed nor stored.
    empty: bool = False
    # The mentorships left out of the figures: the reader's own pairs, for the sections whose
    # figures would tell a reader in the pair what the other privately answered (health).
    left_out: tuple[int, ...] = ()

    @property
    def start(self) -> datetime | None:
        return self.first.start if self.first else None

    @property
    def end(self) -> datetime | None:
        return self.last.end if self.last else None

    def within(self, field: str) -> Q:
        """``field`` (a datetime lookup path) falls inside the range."""
        condition = Q()
        if self.start is not None:
            condition &= Q(**{f"{field}__gte": self.start})
        if self.end is not None:
            condition &= Q(**{f"{field}__lt": self.end})
        return condition

    def empty_message(self) -> str:
        return EMPTY_RANGE.format(first=self.first or "the start", last=self.last or "today")

    def query(self) -> dict[str, str]:
        """The range as query parameters (for links, exports and the API)."""
        params = {}
        if self.first:
            params["from"] = str(self.first)
        if self.last:
            params["to"] = str(self.last)
        return params


def scope_of(program_ids: tuple[int, ...], *, first: str = "", last: str = "") -> InsightScope:
    """The scope a request asks for; a malformed or reversed range is a 400 naming the field."""
    first_quarter = parse_quarter(first, field="from") if first.strip() else None
    last_quarter = parse_quarter(last, field="to") if last.strip() else None
    if first_quarter and last_quarter and last_quarter < first_quarter:
        message = "The range ends before it starts: choose a later 'to' quarter."
        raise ApplicationError(message, fields={"to": message})
    return InsightScope(program_ids, first_quarter, last_quarter)


def clipped(scope: InsightScope, quarters: Sequence[Quarter]) -> InsightScope:
    """The range narrowed to ``quarters`` (those that can hold data: ``quarters_with_data``), so
    equivalent ranges (2000Q1-2100Q4, 2001Q1-2100Q4, ...) are one snapshot, not one computation
    each; an open end stays open. A range that holds none of them is ``empty``. Years outside
    ``EARLIEST_YEAR``-``LATEST_YEAR`` never get here: ``parse_quarter`` refuses them (400)."""
    if scope.first is None and scope.last is None:
        return scope
    if not quarters:
        return replace(scope, empty=True)
    first = max(scope.first, quarters[0]) if scope.first else None
    last = min(scope.last, quarters[-1]) if scope.last else None
    if (first or quarters[0]) > (last or quarters[-1]):
        return replace(scope, empty=True)
    return replace(scope, first=first, last=last)


def without_pairs_of(scope: InsightScope, reader_id: int) -> InsightScope:
    """``scope`` leaving out the scope's mentorships ``reader_id`` is one of the pair of (the
    rule the admin lists use), so their figures never show a reader their partner's answers."""
    own = pairs_of(user=User(pk=reader_id), program_ids=scope.program_ids)
    return replace(scope, left_out=tuple(own.order_by("pk").values_list("pk", flat=True)))
