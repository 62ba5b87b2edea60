"""A program's check-in figures for its admins: per kind, check-ins due and answered, and
per scale or choice question the answers, the average and the spread, over whole blocks of at
least ``AGGREGATE_MIN`` settled answers (``answer_blocks``: two figures never differ by one
answer), each block's counts with keyed noise (``answer_noise``: accounts an admin controls
among a block's answers never leave one answer exact); and the check-ins their authors shared
with the admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tandem.feedback.models import EDIT_WINDOW, CheckIn, CheckInKind
from tandem.feedback.questions import Question
from tandem.feedback.selectors import answer_noise
from tandem.feedback.selectors.answer_blocks import (
    Block,
    answer_blocks,
    covered_until,
    most_by_one,
)
from tandem.feedback.selectors.answer_months import answer_months
from tandem.feedback.selectors.checkins import (
    SCALE_HIGH,
    SCALE_LOW,
    checkin_queryset,
    checkin_templates_for,
    counts_as_due,
)
from tandem.mentorships.selectors.outside_admins import in_the_pair, pairs_of
from tandem.people.models import User
from tandem.programs.models import Program

# Fewer answers than this and an aggregate could point at one person: it is not shown.
AGGREGATE_MIN = 5


@dataclass(frozen=True)
class QuestionAggregate:
    key: str
    text: str
    type: str
    answers: int  # the answers the figures cover: those given before ``covers_until``
    average: float | None = None
    # (label, count) per scale point or choice; empty when suppressed.
    distribution: list[tuple[str, int]] = field(default_factory=list)
    covers_until: datetime | None = None

    @property
    def suppressed(self) -> bool:
        return self.answers < AGGREGATE_MIN


@dataclass(frozen=True)
class KindAggregate:
    kind: str
    label: str
    due: int
    answered: int
    questions: list[QuestionAggregate]
    edited: bool

    @property
    def waiting(self) -> list[QuestionAggregate]:
        """The questions with no figures yet: the page names them together, once, rather
        than repeating the same sentence under each (UX review)."""
        return [question for question in self.questions if question.suppressed]


def _answer_points(question: Question) -> list[tuple[Any, str]]:
    if question["type"] == "scale":
        return [(point, str(point)) for point in range(SCALE_LOW, SCALE_HIGH + 1)]
    return [(value, label) for value, label in question["choices"]]


def _valid(question: Question) -> Q:
    """An answer that is one of the question's points: an older answer to a key that was a
    free-text question before is neither read nor cast."""
    points = [value for value, _label in _answer_points(question)]
    return Q(**{f"answers__{question['key']}__in": points})


@dataclass(frozen=True)
class _Blocks:
    """One question's closed blocks, and per block (by start) the most answers one gave."""

    closed: list[Block]
    most_by_one: dict[datetime, int]

    @property
    def until(self) -> datetime | None:
        return covered_until(self.closed)


def _blocks(qs: QuerySet[CheckIn], countable: list[Question]) -> list[_Blocks]:
    """Per question, its closed blocks (one query, a row per month). A block counts the
    check-ins that hold an answer to the question's key, whatever the answer, so that an
    admin who edits the question's choices cannot regroup the blocks around one answer."""
    months = answer_months(
        qs, {question["key"]: Q(answers__has_key=question["key"]) for question in countable}
    )
    settled_before = timezone.now() - EDIT_WINDOW
    found = []
    for question in countable:
        mine = months.get((None, question["key"]), [])
        closed = answer_blocks(
            [(m.start, m.answers, m.people) for m in mine],
            minimum=AGGREGATE_MIN,
            settled_before=settled_before,
        )
        found.append(_Blocks(closed, most_by_one(closed, {m.start: m.most_by_one for m in mine})))
    return found


@dataclass(frozen=True)
class _Reading:
    """Whose figures: the program, the kind of check-in, the mentorships left out."""

    program_id: int
    kind: str
    left_out: answer_noise.LeftOutAnswers


def _question_aggregates(
    qs: QuerySet[CheckIn], questions: list[Question], reading: _Reading
) -> list[QuestionAggregate]:
    """Two queries for every countable question of a kind: where each question's closed
    blocks are, then per month how many answered it and the count per point or choice. Each
    block's counts are released with noise (``answer_noise``); the average and the
    distribution are read from the released counts. Text answers are never read."""
    countable = [question for question in questions if question["type"] in ("scale", "choice")]
    if not countable:
        return []
    blocks = _blocks(qs, countable)
    expressions: dict[str, Any] = {}
    for index, question in enumerate(countable):
        key = question["key"]
        until = blocks[index].until
        covered = Q(answered_at__lt=until) if until else Q(pk__in=[])
        expressions[f"n{index}"] = Count("pk", filter=_valid(question) & covered)
        for point, (value, _label) in enumerate(_answer_points(question)):
            expressions[f"p{index}_{point}"] = Count(
                "pk", filter=Q(**{f"answers__{key}": value}) & covered
            )
    months: list[dict[str, Any]] = [
        dict(row)
        for row in qs.annotate(month=TruncMonth("answered_at", tzinfo=UTC))
        .values("month")
        .annotate(**expressions)
        .order_by()
    ]
    return [
        _released(question, index, blocks[index], months, reading)
        for index, question in enumerate(countable)
    ]


def _released(
    question: Question, index: int, blocks: _Blocks, months: list[dict[str, Any]], reading: _Reading
) -> QuestionAggregate:
    """One question's figures: the answers its closed blocks hold (exact), and the count per
    point or choice summed over the blocks, each block's with its own noise."""
    points = _answer_points(question)
    answered = sum(row[f"n{index}"] for row in months)
    if answered < AGGREGATE_MIN:
        return QuestionAggregate(question["key"], question["text"], question["type"], answered)
    released: dict[Any, int] = {value: 0 for value, _label in points}
    for block in blocks.closed:
        inside = [row for row in months if block.start <= row["month"] < block.end]
        counts = {
            value: sum(row[f"p{index}_{point}"] for row in inside)
            for point, (value, _label) in enumerate(points)
        }
        noisy = answer_noise.block_counts(
            program_id=reading.program_id,
            kind=reading.kind,
            key=question["key"],
            block=block,
            counts=counts,
            points=[value for value, _label in points],
            most_by_one=blocks.most_by_one.get(block.start, 1),
            left_out=answer_noise.left_out_in(reading.left_out, block),
        )
        for value, count in noisy.items():
            released[value] += count
    return QuestionAggregate(
        key=question["key"],
        text=question["text"],
        type=question["type"],
        answers=answered,
        average=answer_noise.mean_of(released, 1) if question["type"] == "scale" else None,
        distribution=[(label, released[value]) for value, label in points],
        covers_until=blocks.until,
    )


def checkin_aggregates_for_program(*, program: Program, reader: User) -> list[KindAggregate]:
    """Per kind: check-ins due and answered, and per question of the program's current
    questions the number of answers, the average (scales) and the distribution, hidden below
    ``AGGREGATE_MIN`` answers. Two queries per kind at most, whatever the program's size.

    Everything leaves out the mentorships ``reader`` is one of. The due and answered counts
    move with each answer: an admin who is one of a pair would read in them the moment the
    other answered. The figures count whole blocks of at least ``AGGREGATE_MIN`` people's
    answers, but with the reader's own answer among them a block of five is four others, the
    partner one of them: without the reader's pairs it is five people the reader is not
    paired with."""
    now = timezone.now()
    templates = checkin_templates_for(program_ids=[program.pk])
    counts = {
        row["kind"]: (row["due"], row["answered"])
        for row in CheckIn.objects.filter(
            counts_as_due(), mentorship__program=program, due_at__lte=now
        )
        .exclude(in_the_pair(reader))
        .values("kind")
        .annotate(due=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    }
    left_out = tuple(
        pairs_of(user=reader, program_ids=[program.pk]).order_by("pk").values_list("pk", flat=True)
    )
    aggregates = []
    for kind in CheckInKind.values:
        settings = templates[(program.pk, kind)]
        answered_qs = CheckIn.objects.filter(
            mentorship__program=program, kind=kind, answered_at__isnull=False
        ).exclude(in_the_pair(reader))
        answered = answer_noise.left_out_answers(left_out=left_out, kind=kind)
        reading = _Reading(program.pk, kind, answered)
        questions = _question_aggregates(answered_qs, settings.questions, reading)
        aggregates.append(
            KindAggregate(
                kind=kind,
                label=settings.label,
                due=counts.get(kind, (0, 0))[0],
                answered=counts.get(kind, (0, 0))[1],
                questions=questions,
                edited=settings.edited,
            )
        )
    return aggregates


def checkin_list_shared_with_admins(*, program: Program, viewer: User) -> QuerySet[CheckIn]:
    """Answered check-ins whose authors chose to show them to the program's admins, except
    those of a mentorship ``viewer`` is one of the pair of: an admin who is the partner reads
    only what the author shared with the partner, on the mentorship's pages."""
    return (
        checkin_queryset()
        .select_related("author")
        .filter(mentorship__program=program, shared_with_admins=True, answered_at__isnull=False)
        .exclude(in_the_pair(viewer))
        .order_by("-answered_at", "-pk")
    )
