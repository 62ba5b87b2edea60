"""A program's check-in figures for its admins: per kind, check-ins due and answered, and
per scale or choice question the answers, the average and the spread, hidden below
``AGGREGATE_MIN`` answers; and the check-ins their authors shared with the admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, IntegerField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import Question
from tandem.feedback.selectors.checkins import (
    SCALE_HIGH,
    SCALE_LOW,
    checkin_queryset,
    checkin_templates_for,
)
from tandem.people.models import User
from tandem.programs.models import Program

# Fewer answers than this and an aggregate could point at one person: it is not shown.
AGGREGATE_MIN = 5


@dataclass(frozen=True)
class QuestionAggregate:
    key: str
    text: str
    type: str
    answers: int
    average: float | None = None
    # (label, count) per scale point or choice; empty when suppressed.
    distribution: list[tuple[str, int]] = field(default_factory=list)

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


def _question_aggregates(
    qs: QuerySet[CheckIn], questions: list[Question]
) -> list[QuestionAggregate]:
    """One query for every countable question of a kind: how many answered it, the average of
    a scale, and the count per point or choice. Only answers that are one of the question's
    points count: an older answer to a key that was a free-text question before is neither
    read nor cast. Text answers are never read."""
    countable = [question for question in questions if question["type"] in ("scale", "choice")]
    if not countable:
        return []
    expressions: dict[str, Any] = {}
    for index, question in enumerate(countable):
        key = question["key"]
        points = [value for value, _label in _answer_points(question)]
        valid = Q(**{f"answers__{key}__in": points})
        expressions[f"n{index}"] = Count("pk", filter=valid)
        if question["type"] == "scale":
            expressions[f"avg{index}"] = Avg(
                Cast(KT(f"answers__{key}"), IntegerField()), filter=valid
            )
        for point, (value, _label) in enumerate(_answer_points(question)):
            expressions[f"p{index}_{point}"] = Count("pk", filter=Q(**{f"answers__{key}": value}))
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
            )
        )
    return found


def checkin_aggregates_for_program(*, program: Program) -> list[KindAggregate]:
    """Per kind: check-ins due and answered, and per question of the program's current
    questions the number of answers, the average (scales) and the distribution, hidden below
    ``AGGREGATE_MIN`` answers. Two queries per kind at most, whatever the program's size."""
    now = timezone.now()
    templates = checkin_templates_for(program_ids=[program.pk])
    counts = {
        row["kind"]: (row["due"], row["answered"])
        for row in CheckIn.objects.filter(mentorship__program=program, due_at__lte=now)
        .values("kind")
        .annotate(due=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    }
    aggregates = []
    for kind in CheckInKind.values:
        settings = templates[(program.pk, kind)]
        answered_qs = CheckIn.objects.filter(
            mentorship__program=program, kind=kind, answered_at__isnull=False
        )
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
        .exclude(Q(mentorship__mentor=viewer) | Q(mentorship__mentee=viewer))
        .order_by("-answered_at", "-pk")
    )
