"""Counting check-in answers in one pass: every answered check-in is grouped by its answers to
the few questions the insights count, so the database returns one count per combination of
answers given (a few hundred at most), never a row per check-in.

An answer is read only under its question's key, only in the kind of check-in that asks it,
and only when it is one of the question's points (compared as JSON, so the text "4" where a
scale stores the number 4 is not one): any other answer, a comment above all, never leaves the
database.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import NotSupportedError
from django.db.models import CharField, Count, Func

from tandem.feedback.models import CheckIn
from tandem.insights.scope import InsightScope


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


def answer_counts(scope: InsightScope, questions: list[Counted]) -> dict[str, Counter[Any]]:
    """Per question, how many check-ins answered in the scope's range gave each of its points
    (one grouped query)."""
    names = {f"a_{question.column}": Answer(question) for question in questions}
    rows = (
        CheckIn.objects.filter(
            mentorship__program_id__in=scope.program_ids, answered_at__isnull=False
        )
        .filter(scope.within("answered_at"))
        .annotate(**names)
        .values(*names)
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[str, Counter[Any]] = {question.column: Counter() for question in questions}
    for row in rows:  # one row per combination of answers given
        for question in questions:
            text = row[f"a_{question.column}"]
            if text is not None:
                found[question.column][json.loads(text)] += row["n"]
    return found
