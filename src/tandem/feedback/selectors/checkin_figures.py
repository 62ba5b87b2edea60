"""A program's check-in figures for its admins: per kind, check-ins due and answered, and
per scale or choice question the answers, the average and the spread, over whole blocks of at
least ``AGGREGATE_MIN`` settled answers (``answer_blocks``: two figures never differ by one
answer); and the check-ins their authors shared with the admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Avg, Count, IntegerField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from tandem.feedback.models import EDIT_WINDOW, CheckIn, CheckInKind
from tandem.feedback.questions import Question
from tandem.feedback.selectors.answer_blocks import answer_blocks, covered_until
from tandem.feedback.selectors.checkins import (
    SCALE_HIGH,
    SCALE_LOW,
    checkin_queryset,
    checkin_templates_for,
)
from tandem.mentorships.selectors.outside_admins import in_the_pair
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


def _answer_points(question: Question) -> list[tuple[Any, str]]:
    if question["type"] == "scale":
        return [(point, str(point)) for point in range(SCALE_LOW, SCALE_HIGH + 1)]
    return [(value, label) for value, label in question["choices"]]


def _valid(question: Question) -> Q:
    """An answer that is one of the question's points: an older answer to a key that was a
    free-text question before is neither read nor cast."""
    points = [value for value, _label in _answer_points(question)]
    return Q(**{f"answers__{question['key']}__in": points})


def _covered_until(qs: QuerySet[CheckIn], countable: list[Question]) -> list[datetime | None]:
    """Per question, the end of its last closed block of answers (one query). A block counts
    the check-ins that hold an answer to the question's key, whatever the answer, so that an
    admin who edits the question's choices cannot regroup the blocks around one answer."""
    counts: dict[str, Any] = {}
    for index, question in enumerate(countable):
        answered = Q(answers__has_key=question["key"])
        counts[f"n{index}"] = Count("pk", filter=answered)
        counts[f"people{index}"] = Count("author", filter=answered, distinct=True)
    by_month = (
        qs.annotate(month=TruncMonth("answered_at", tzinfo=UTC))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    )
    months: list[dict[str, Any]] = [dict(row) for row in by_month]
    settled_before = timezone.now() - EDIT_WINDOW
    return [
        covered_until(
            answer_blocks(
                [(row["month"], row[f"n{index}"], row[f"people{index}"]) for row in months],
                minimum=AGGREGATE_MIN,
                settled_before=settled_before,
            )
        )
        for index in range(len(countable))
    ]


def _question_aggregates(
    qs: QuerySet[CheckIn], questions: list[Question]
) -> list[QuestionAggregate]:
    """Two queries for every countable question of a kind: where each question's closed
    blocks end, then how many answered it before that, the average of a scale, and the count
    per point or choice. Text answers are never read."""
    countable = [question for question in questions if question["type"] in ("scale", "choice")]
    if not countable:
        return []
    edges = _covered_until(qs, countable)
    expressions: dict[str, Any] = {}
    for index, question in enumerate(countable):
        key = question["key"]
        valid = _valid(question)
        covered = Q(answered_at__lt=edges[index]) if edges[index] else Q(pk__in=[])
        expressions[f"n{index}"] = Count("pk", filter=valid & covered)
        if question["type"] == "scale":
            expressions[f"avg{index}"] = Avg(
                Cast(KT(f"answers__{key}"), IntegerField()), filter=valid & covered
            )
        for point, (value, _label) in enumerate(_answer_points(question)):
            expressions[f"p{index}_{point}"] = Count(
                "pk", filter=Q(**{f"answers__{key}": value}) & covered
            )
    totals = qs.aggregate(**expressions)
    found = []
    for index, question in enumerate(countable):
        answered = totals[f"n{index}"]
        if answered < AGGREGATE_MIN:
            found.append(
                QuestionAggregate(question["key"], question["text"], question["type"], answered)
            )
            continue
        average = totals.get(f"avg{index}")
        found.append(
            QuestionAggregate(
                key=question["key"],
                text=question["text"],
                type=question["type"],
                answers=answered,
                average=round(float(average), 1) if average is not None else None,
                distribution=[
                    (label, totals[f"p{index}_{point}"])
                    for point, (_value, label) in enumerate(_answer_points(question))
                ],
                covers_until=edges[index],
            )
        )
    return found


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
        for row in CheckIn.objects.filter(mentorship__program=program, due_at__lte=now)
        .exclude(in_the_pair(reader))
        .values("kind")
        .annotate(due=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    }
    aggregates = []
    for kind in CheckInKind.values:
        settings = templates[(program.pk, kind)]
        answered_qs = CheckIn.objects.filter(
            mentorship__program=program, kind=kind, answered_at__isnull=False
        ).exclude(in_the_pair(reader))
        questions = _question_aggregates(answered_qs, settings.questions)
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
