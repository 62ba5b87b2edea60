"""Which check-in answers an aggregate may include, so that comparing two aggregates never
singles out one answer.

Answers are private to their authors; admins see counts, averages and distributions of at
least ``minimum`` answers. A threshold alone is not enough: the figure before and after one
more answer, or over two ranges that differ by a few weeks, differ by that one answer. So the
answers are cut into *blocks* of whole calendar months (UTC), each closed only once it holds
at least ``minimum`` answers and every answer in it is settled (past the edit window). A
figure covers whole blocks only, and the open block (the latest answers) waits until it is
full. Any two figures then differ by whole blocks: at least ``minimum`` answers at a time.

What remains: deleting an account deletes its answers, and the blocks after it may regroup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class Block:
    start: datetime  # the first month's first instant
    end: datetime  # the first instant after the block
    answers: int


def _month_start(day: date) -> datetime:
    return datetime(day.year, day.month, 1, tzinfo=UTC)


def _next_month(moment: datetime) -> datetime:
    if moment.month == 12:
        return moment.replace(year=moment.year + 1, month=1)
    return moment.replace(month=moment.month + 1)


def answer_blocks(
    months: Iterable[tuple[date | datetime, int, int]], *, minimum: int, settled_before: datetime
) -> list[Block]:
    """The closed blocks, oldest first, from ``(month, answers, people who answered)``
    counts, one row per month (months without answers may be left out). Only months that ended
    before ``settled_before`` are used.

    >>> jan, feb, mar, apr, may = (date(2026, m, 1) for m in (1, 2, 3, 4, 5))
    >>> dec = date(2025, 12, 1)
    >>> blocks = answer_blocks(
    ...     [(dec, 0, 0), (jan, 5, 5), (feb, 6, 1), (mar, 2, 2), (apr, 9, 9), (may, 9, 9)],
    ...     minimum=5,
    ...     settled_before=datetime(2026, 5, 2, tzinfo=UTC))
    >>> [(b.start.month, b.end.month, b.answers) for b in blocks]
    [(1, 2, 5), (2, 5, 17)]

    December has no answer (a block starts with its first); January's five people close
    one; February's six answers are one person's and March's two people may be the same, so
    they wait for April's nine people; May is not over.
    """
    rows = sorted(
        (_month_start(month if isinstance(month, date) else month.date()), answers, people)
        for month, answers, people in months
    )
    blocks: list[Block] = []
    block_start: datetime | None = None
    held = most_people = 0
    for start, answers, people in rows:
        end = _next_month(start)
        if end > settled_before:
            break
        if not answers and block_start is None:
            continue  # a block starts with its first answer
        block_start = block_start or start
        held += answers
        most_people = max(most_people, people)
        if held >= minimum and most_people >= minimum:
            blocks.append(Block(block_start, end, held))
            block_start, held, most_people = None, 0, 0
    return blocks


def covered_until(blocks: list[Block]) -> datetime | None:
    """The end of the last closed block: an aggregate of everything includes answers given
    before it (``None``: no block has closed yet)."""
    return blocks[-1].end if blocks else None


def window_within(
    blocks: list[Block], start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime] | None:
    """The span of the closed blocks that lie wholly inside ``[start, end)`` (``None``: open),
    as one ``[first block's start, last block's end)``: the answers a figure over that range
    may include. Two ranges' figures then differ by whole blocks.

    >>> def at(month):
    ...     return datetime(2026, month, 1, tzinfo=UTC)
    >>> blocks = [Block(at(1), at(3), 5), Block(at(3), at(4), 6), Block(at(4), at(7), 5)]
    >>> [d.month for d in window_within(blocks, at(2), None)]
    [3, 7]
    >>> window_within(blocks, at(1), at(3)) == (at(1), at(3))
    True
    >>> window_within(blocks, at(2), at(4)) == (at(3), at(4)), window_within(blocks, at(5), None)
    (True, None)
    """
    inside = blocks_within(blocks, start, end)
    return (inside[0].start, inside[-1].end) if inside else None


def blocks_within(blocks: list[Block], start: datetime | None, end: datetime | None) -> list[Block]:
    """The closed blocks that lie wholly inside ``[start, end)`` (``None``: open)."""
    return [
        block
        for block in blocks
        if (start is None or block.start >= start) and (end is None or block.end <= end)
    ]


def block_of(blocks: list[Block], moment: datetime) -> Block | None:
    """The closed block ``moment`` falls in (``None``: none, the open months among them)."""
    for block in blocks:
        if block.start <= moment < block.end:
            return block
    return None


def most_by_one(blocks: list[Block], most_in_month: Mapping[datetime, int]) -> dict[datetime, int]:
    """Per closed block (by its start), a bound on the answers one author gave in it: the sum
    over its months of the most one author gave in each month (exact for a block of one month,
    as a busy program's are; never less than the truth). What one person can move the block's
    counts by (``answer_noise``).

    >>> at = lambda month: datetime(2026, month, 1, tzinfo=UTC)
    >>> found = most_by_one([Block(at(1), at(3), 7)], {at(1): 2, at(2): 1, at(3): 4})
    >>> [(start.month, most) for start, most in found.items()]
    [(1, 3)]
    """
    most: dict[datetime, int] = {}
    for month, n in most_in_month.items():
        block = block_of(blocks, month)
        if block is not None:
            most[block.start] = most.get(block.start, 0) + n
    return most
