"""Counting check-in answers in two passes: where each program's blocks of answers close
(``feedback.selectors.answer_blocks``: whole months, at least five people's answers, settled),
then every answered check-in grouped by program, month and its answers to the few questions the
insights count, so the database returns one count per combination (a few thousand at most),
never a row per check-in. A question's figure over a range covers only the blocks wholly
inside the range, per program, so two ranges (or a program and the site) differ by whole blocks
of at least five people's answers: a figure never moves by one answer.

An answer is read only under its question's key, only in the kind of check-in that asks it,
and only when it is one of the question's points (compared as JSON, so the text "4" where a
scale stores the number 4 is not one): any other answer, a comment above all, never leaves the
database.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import NotSupportedError
from django.db.models import CharField, Count, Func, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tandem.feedback.models import EDIT_WINDOW, CheckIn
from tandem.feedback.selectors import answer_noise
from tandem.feedback.selectors.answer_blocks import (
    Block,
    answer_blocks,
    block_of,
    blocks_within,
    most_by_one,
)
from tandem.feedback.selectors.answer_months import answer_months
from tandem.feedback.selectors.checkin_figures import AGGREGATE_MIN
from tandem.insights.scope import InsightScope
from tandem.mentorships.models import Mentorship


@dataclass(frozen=True)
class Counted:
    """One counted question: a column name, the check-in kind that asks it, its key, and the
    answers that count (JSON values: whole numbers for a scale, strings for a choice)."""

    column: str
    kind: str
    key: str
    points: tuple[int | str, ...]


class Answer(Func):
    """The answer to ``question`` as JSON text when the check-in is of its kind and the answer
    is one of its points, else ``NULL``. The answer is extracted once per row: a simple
    ``CASE value WHEN ...`` evaluates its operand once."""

    output_field = CharField()

    def __init__(self, question: Counted) -> None:
        super().__init__("kind", "answers")
        self.question = question

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        kind, answers = self.get_source_expressions()
        kind_sql, kind_params = compiler.compile(kind)
        answers_sql, answers_params = compiler.compile(answers)
        if connection.vendor == "sqlite":
            value = f"json_quote(json_extract({answers_sql}, %s))"
            path = f'$."{self.question.key}"'
        elif connection.vendor == "postgresql":
            value = f"(({answers_sql}) -> %s)::text"
            path = self.question.key
        else:
            raise NotSupportedError(f"Answer has no SQL for {connection.vendor}")
        texts = [json.dumps(point) for point in self.question.points]
        whens = " ".join("WHEN %s THEN %s" for _text in texts)
        sql = f"CASE WHEN {kind_sql} = %s THEN (CASE {value} {whens} END) END"
        pairs = [param for text in texts for param in (text, text)]
        return sql, (*kind_params, self.question.kind, *answers_params, path, *pairs)


def _answered(scope: InsightScope) -> QuerySet[CheckIn]:
    """The scope's answered check-ins, without the pairs it leaves out (the reader's own): their
    answers neither count nor help make up a block, so a reader in a pair never faces a block
    of four others with the partner among them."""
    return CheckIn.objects.filter(
        mentorship__program_id__in=scope.program_ids, answered_at__isnull=False
    ).exclude(mentorship_id__in=scope.left_out)


@dataclass(frozen=True)
class _Blocks:
    """One program's closed blocks of answers to one question inside the scope's range, and
    per block (by start) the most answers one person gave in it."""

    inside: list[Block]
    most_by_one: dict[datetime, int]


def _blocks(scope: InsightScope, questions: list[Counted]) -> dict[tuple[int, str], _Blocks]:
    """Per program and question, its closed blocks inside the scope's range. The blocks count
    who answered the question's key, not what (all time, so every range is cut the same way);
    one query, a row per program and month."""
    counted = {
        question.column: Q(kind=question.kind, answers__has_key=question.key)
        for question in questions
    }
    months = answer_months(_answered(scope), counted, group="mentorship__program_id")
    settled_before = timezone.now() - EDIT_WINDOW
    found: dict[tuple[int, str], _Blocks] = {}
    for (program_id, column), mine in months.items():
        closed = answer_blocks(
            [(m.start, m.answers, m.people) for m in mine],
            minimum=AGGREGATE_MIN,
            settled_before=settled_before,
        )
        inside = blocks_within(closed, scope.start, scope.end)
        if inside:
            most = most_by_one(inside, {m.start: m.most_by_one for m in mine})
            found[(program_id, column)] = _Blocks(inside, most)
    return found


def _left_out_by_program(scope: InsightScope) -> dict[int, tuple[int, ...]]:
    """The mentorships the scope leaves out (the reader's own), per program: what keys their
    noise, as on the program's check-in page (one query, only when there are any)."""
    if not scope.left_out:
        return {}
    found: dict[int, list[int]] = {}
    for pk, program_id in (
        Mentorship.objects.filter(pk__in=scope.left_out)
        .order_by("pk")
        .values_list("pk", "program_id")
    ):
        found.setdefault(program_id, []).append(pk)
    return {program_id: tuple(pks) for program_id, pks in found.items()}


@dataclass
class Tally:
    """One question's answers inside its blocks: how many (exact: admins see who answered)
    and the released count per point (``answer_noise``)."""

    answers: int = 0
    counts: Counter[Any] = field(default_factory=Counter)


def answer_counts(scope: InsightScope, questions: list[Counted]) -> dict[str, Tally]:
    """Per question, how many check-ins answered in the scope's range, inside its blocks, and
    how many gave each of its points, each block's counts released with noise (the same draws
    as the program's check-in page reads for the same block); two grouped queries, and one
    more when the scope leaves mentorships out."""
    blocks = _blocks(scope, questions)
    names = {f"a_{question.column}": Answer(question) for question in questions}
    rows = (
        _answered(scope)
        .filter(scope.within("answered_at"))
        .annotate(month=TruncMonth("answered_at", tzinfo=UTC), **names)
        .values("mentorship__program_id", "month", *names)
        .annotate(n=Count("pk"))
        .order_by()
    )
    exact: dict[tuple[int, str, datetime], Counter[Any]] = {}
    for row in rows:  # one row per program, month and combination of answers given
        program_id = row["mentorship__program_id"]
        for question in questions:
            text = row[f"a_{question.column}"]
            found = blocks.get((program_id, question.column))
            block = block_of(found.inside, row["month"]) if found and text is not None else None
            if block is not None:
                key = (program_id, question.column, block.start)
                exact.setdefault(key, Counter())[json.loads(text)] += row["n"]
    left_out = _left_out_by_program(scope) if blocks else {}
    answered: dict[tuple[int, str], answer_noise.LeftOutAnswers] = {}
    released = {question.column: Tally() for question in questions}
    for (program_id, column), found in blocks.items():
        question = next(q for q in questions if q.column == column)
        if (program_id, question.kind) not in answered:
            answered[(program_id, question.kind)] = answer_noise.left_out_answers(
                left_out=left_out.get(program_id, ()), kind=question.kind
            )
        for block in found.inside:
            counts = exact.get((program_id, column, block.start), Counter())
            noisy = answer_noise.block_counts(
                program_id=program_id,
                kind=question.kind,
                key=question.key,
                block=block,
                counts=counts,
                points=question.points,
                most_by_one=found.most_by_one.get(block.start, 1),
                left_out=answer_noise.left_out_in(answered[(program_id, question.kind)], block),
            )
            released[column].counts.update(noisy)
            released[column].answers += sum(counts.values())
    return released
