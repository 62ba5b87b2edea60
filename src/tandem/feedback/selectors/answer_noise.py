"""Check-in figures as released to admins: each closed block's count per answer with keyed
Laplace noise (``core.noise``), so no answer can be worked out from them.

Blocks of at least five people's answers (``answer_blocks``) keep two figures from differing by
one answer, but five is a count of accounts: an admin who puts four accounts of their own in a
program, answers with them and reads a block of five would read the fifth answer exactly. So
every count of a block (per program, kind of check-in, question and answer) gets its own draw,
fixed by a keyed hash of what it counts: the same block reads the same on every page, the API
and the exports, every time, and a page's figures (how many gave each answer, the average, the
shares) are computed from the noisy counts, so they agree with one another and add no draws.

One person who gave ``m`` of a block's answers to a question moves its counts by at most ``2m``
in all (each answer taken from one count and added to another), so the noise's scale is
``2m / EPSILON``: each block's counts are ``EPSILON``-differentially private for any change of
one person's answers (whether someone answered is not protected: admins see who answered). A
reader whose own mentorships are left out reads other counts, so their draws are keyed by
those mentorships too: two readers' figures of one block never differ by exact answers. Only
by those with answers in the block (``left_out_in``): a reader who gains a mentorship would
otherwise get a fresh draw of every old, unchanged block, and averaging the draws would take
the noise away.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tandem.core.noise import keyed_laplace, noisy_count
from tandem.feedback.models import CheckIn
from tandem.feedback.selectors.answer_blocks import Block

EPSILON = 1.0  # per block and question: one draw for each of its answers' counts
NOISE_VERSION = "checkin-noise-v1"  # in every label: a new version draws new noise everywhere
# The noise's own key, derived from SECRET_KEY: no other use of the secret shares it.
NOISE_SALT = "tandem.feedback.checkin.noise"


def draw(label: str) -> float:
    """The standard Laplace draw of one count (tests replace it to read exact figures)."""
    return keyed_laplace(NOISE_SALT, label)


LeftOutAnswers = list[tuple[int, datetime]]  # (mentorship id, answered at)


def left_out_answers(*, left_out: Sequence[int], kind: str) -> LeftOutAnswers:
    """When each left-out mentorship answered a check-in of ``kind`` (one query, none when
    nothing is left out)."""
    if not left_out:
        return []
    rows = (
        CheckIn.objects.filter(mentorship_id__in=left_out, kind=kind, answered_at__isnull=False)
        .order_by()
        .values_list("mentorship_id", "answered_at")
    )
    return [(pk, at) for pk, at in rows if at is not None]


def left_out_in(answers: LeftOutAnswers, block: Block) -> tuple[int, ...]:
    """The left-out mentorships with answers in ``block``: what keys its draws."""
    return tuple(sorted({pk for pk, at in answers if block.start <= at < block.end}))


def block_counts(
    *,
    program_id: int,
    kind: str,
    key: str,
    block: Block,
    counts: Mapping[Any, int],
    points: Sequence[Any],
    most_by_one: int,
    left_out: Sequence[int] = (),
) -> dict[Any, int]:
    """The released count of each of ``points`` (JSON values) among one block's answers to
    ``key`` in check-ins of ``kind``: the exact ``counts`` plus noise, whole numbers between 0
    and the block's answers. ``most_by_one``: the most answers one person gave in the block."""
    scale = 2.0 * max(most_by_one, 1) / EPSILON
    where = "|".join(
        (
            NOISE_VERSION,
            str(program_id),
            kind,
            key,
            block.start.isoformat(),
            block.end.isoformat(),
            ",".join(str(pk) for pk in sorted(left_out)),
        )
    )
    return {
        point: noisy_count(
            counts.get(point, 0),
            draw=draw(f"{where}|{json.dumps(point)}"),
            scale=scale,
            most=block.answers,
        )
        for point in points
    }


def mean_of(counts: Mapping[int, int], digits: int) -> float | None:
    """The average of released counts per scale point, rounded as the page shows it (``None``
    when they add up to nothing)."""
    total = sum(counts.values())
    if not total:
        return None
    return round(sum(point * count for point, count in counts.items()) / total, digits)
