"""Check-in and closing-survey results: per scale question the answers, their average and
their spread; the closing survey's "would you recommend" answers, and, after an early end,
each side's view of why it ended. Only answers inside whole blocks of at least five people's
settled answers count (``outcomes.answers``), so two ranges never differ by one answer.

Counted per answer: each answered check-in (of either side of a pair) answered in the range
counts once. Only the answer to the question's key is read, and only when it is one of the
question's points (a 1 to 5 scale, or one of the choices), so a free-text answer is never
read. A check-in's answers are its author's: as on the program's check-in page
(``feedback.selectors.checkin_figures``), a question with fewer than ``AGGREGATE_MIN``
answers shows how many answered but withholds its average and its spread.
"""

from __future__ import annotations

from typing import Any

from tandem.feedback.models import EDIT_WINDOW_HOURS, CheckInKind
from tandem.feedback.questions import END_CATEGORY_KEY, FIT_KEY, PROGRESS_KEY, USEFULNESS_KEY
from tandem.feedback.selectors import answer_noise
from tandem.feedback.selectors.checkin_figures import AGGREGATE_MIN
from tandem.feedback.selectors.checkins import SCALE_HIGH, SCALE_LOW
from tandem.insights.scope import InsightScope
from tandem.insights.selectors.outcomes.answers import Counted, answer_counts
from tandem.insights.tables import (
    Cell,
    Chart,
    Column,
    ColumnKind,
    InsightTable,
    add_counted_rows,
    counted_table,
)
from tandem.mentorships.models.mentorships import EndCategory

# (column key, check-in kind, answer key, label): the scale questions every program asks.
SCALE_QUESTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("fit", CheckInKind.FIRST_MEETING, FIT_KEY, "Fit (first meeting)"),
    ("pulse_progress", CheckInKind.PULSE, PROGRESS_KEY, "Progress (pulse)"),
    ("pulse_useful", CheckInKind.PULSE, USEFULNESS_KEY, "Meeting useful (pulse)"),
    ("midpoint_progress", CheckInKind.MIDPOINT, PROGRESS_KEY, "Progress (mid-point)"),
    ("goals_achieved", CheckInKind.CLOSING, "goals_achieved", "Goals achieved (closing)"),
    ("satisfaction", CheckInKind.CLOSING, "satisfaction", "Satisfaction (closing)"),
)
RECOMMEND_KEY = "would_recommend"
RECOMMEND_CHOICES = (("yes", "Yes"), ("maybe", "Maybe"), ("no", "No"))
RECOMMEND_VALUES = tuple(value for value, _label in RECOMMEND_CHOICES)
POINTS: tuple[int, ...] = tuple(range(SCALE_LOW, SCALE_HIGH + 1))
FAVOURABLE = (4, 5)

WITHHELD = (
    "Withheld: {labels} had fewer than {least} answers, and an average of so few could point "
    "at one person's answer."
)
FEW_CHOICES = (
    "Withheld: {total} answers, fewer than {least}: counts of so few could point at one "
    "person's answer."
)
NO_ANSWERS = "No check-in was answered in these quarters."
BLOCKS = (
    " Answers are counted in whole blocks of calendar months holding at least five people's "
    f"answers that can no longer be changed ({EDIT_WINDOW_HOURS} hours after they were given; "
    "the latest wait until their block is full), and each block's counts "
    "carry noise of their own, the same on every reading, so that no one's answer can be "
    "worked out: the counts need not add up to the answers."
)


def _counted() -> list[Counted]:
    scales = [Counted(column, kind, key, POINTS) for column, kind, key, _l in SCALE_QUESTIONS]
    return [
        *scales,
        Counted("recommend", CheckInKind.CLOSING, RECOMMEND_KEY, RECOMMEND_VALUES),
        Counted("view", CheckInKind.CLOSING, END_CATEGORY_KEY, tuple(EndCategory.values)),
    ]


def _counts(scope: InsightScope) -> dict[str, Any]:
    """Every count and average of the section (``answer_counts``): per scale question
    ``<column>_n`` answers (exact), and from the released counts ``<column>_avg`` and
    ``<column>_<point>``; per choice ``recommend_<value>`` and ``view_<value>`` (released) and
    ``<prefix>_n`` (exact)."""
    found = answer_counts(scope, _counted())
    counts: dict[str, Any] = {}
    for column, *_rest in SCALE_QUESTIONS:
        tally = found[column]
        counts[f"{column}_n"] = tally.answers
        counts[f"{column}_avg"] = answer_noise.mean_of(tally.counts, 2)
        for point in POINTS:
            counts[f"{column}_{point}"] = tally.counts[point]
    for prefix, values in (("recommend", RECOMMEND_VALUES), ("view", EndCategory.values)):
        counts[f"{prefix}_n"] = found[prefix].answers
        for value in values:
            counts[f"{prefix}_{value}"] = found[prefix].counts[value]
    return counts


def _withheld_note(labels: list[str]) -> str:
    return WITHHELD.format(labels=", ".join(labels), least=AGGREGATE_MIN)


def _scores_table(counts: dict[str, Any]) -> InsightTable:
    table = InsightTable(
        key="checkin_scores",
        title="Check-in and closing-survey scores",
        summary=(
            "For each 1-to-5 question (5 is best): how many answers were given in these "
            "quarters (every answered check-in counts once, from either side of a pair), their "
            f"average, and the share that were 4 or 5. Below {AGGREGATE_MIN} answers the "
            "average and share are withheld." + BLOCKS
        ),
        columns=[
            Column("question", "Question", ColumnKind.TEXT),
            Column("answers", "Answers"),
            Column("average", "Average (1 to 5)", ColumnKind.NUMBER),
            Column("favourable", "Answered 4 or 5", ColumnKind.RATE),
        ],
        chart=Chart(
            "hbar",
            x="question",
            series=("average",),
            y_label="Average (1 to 5)",
            scale=(SCALE_LOW, SCALE_HIGH),
        ),
    )
    withheld = []
    for column, _kind, _key, label in SCALE_QUESTIONS:
        answers = counts[f"{column}_n"]
        shown = answers >= AGGREGATE_MIN
        good = sum(counts[f"{column}_{point}"] for point in FAVOURABLE)
        released = sum(counts[f"{column}_{point}"] for point in POINTS)
        average = counts[f"{column}_avg"]
        table.rows.append(
            {
                "question": label,
                "answers": answers,
                "average": round(float(average), 2) if shown and average is not None else None,
                "favourable": round(good / released, 3) if shown and released else None,
            }
        )
        if answers and not shown:
            withheld.append(label)
    if withheld:
        table.notes.append(_withheld_note(withheld))
    return table


def _distribution_table(counts: dict[str, Any]) -> InsightTable:
    table = InsightTable(
        key="checkin_distribution",
        title="How the answers spread over the scale",
        summary=(
            "For each 1-to-5 question, how many answers gave each point of the scale. A "
            f"question with fewer than {AGGREGATE_MIN} answers is withheld (empty cells)." + BLOCKS
        ),
        columns=[
            Column("point", "Answer", ColumnKind.TEXT),
            *[Column(column, label) for column, _kind, _key, label in SCALE_QUESTIONS],
        ],
        chart=Chart(
            "bar",
            x="point",
            series=tuple(column for column, *_rest in SCALE_QUESTIONS),
            y_label="Answers",
        ),
    )
    shown = {column: counts[f"{column}_n"] >= AGGREGATE_MIN for column, *_r in SCALE_QUESTIONS}
    for point in POINTS:
        row: dict[str, Cell] = {"point": f"{point} of {SCALE_HIGH}"}
        for column, *_rest in SCALE_QUESTIONS:
            row[column] = counts[f"{column}_{point}"] if shown[column] else None
        table.rows.append(row)
    withheld = [
        label
        for column, _kind, _key, label in SCALE_QUESTIONS
        if counts[f"{column}_n"] and not shown[column]
    ]
    if withheld:
        table.notes.append(_withheld_note(withheld))
    return table


def _choice_table(
    table: InsightTable, counts: dict[str, Any], prefix: str, choices: list[tuple[str, str]]
) -> InsightTable:
    """The answers to one choice question and their shares, withheld below the minimum."""
    total = sum(counts[f"{prefix}_{value}"] for value, _label in choices)  # released
    answered = counts[f"{prefix}_n"]
    shown = answered >= AGGREGATE_MIN
    answers = [(label, counts[f"{prefix}_{value}"]) for value, label in choices]
    add_counted_rows(table, answers, total=total, withheld=not shown)
    if answered and not shown:
        table.notes.append(FEW_CHOICES.format(total=answered, least=AGGREGATE_MIN))
    return table


ANSWER = Column("answer", "Answer", ColumnKind.TEXT)
ANSWERS = Column("answers", "Answers")


def _recommend_table(counts: dict[str, Any]) -> InsightTable:
    table = counted_table(
        key="would_recommend",
        title="Would they recommend mentoring here?",
        summary=(
            "The closing survey's answers to \"Would you recommend mentoring here to a "
            "colleague?\" given in these quarters, and each answer's share. Below "
            f"{AGGREGATE_MIN} answers the counts are withheld." + BLOCKS
        ),
        labels=[ANSWER],
        count=ANSWERS,
        share_label="Share",
    )
    return _choice_table(table, counts, "recommend", list(RECOMMEND_CHOICES))


def _end_views_table(counts: dict[str, Any]) -> InsightTable:
    table = counted_table(
        key="early_end_views",
        title="Why it ended early, in each side's view",
        summary=(
            "After a mentorship ended early, its closing survey asks each side privately why "
            "it ended in their view (one answer from a short list, optional). The answers "
            f"given in these quarters, and each one's share. Below {AGGREGATE_MIN} answers "
            "the counts are withheld." + BLOCKS
        ),
        labels=[ANSWER],
        count=ANSWERS,
        share_label="Share",
        chart="hbar",
    )
    return _choice_table(table, counts, "view", list(EndCategory.choices))


def checkin_tables(scope: InsightScope) -> list[InsightTable]:
    counts = _counts(scope)
    tables = [
        _scores_table(counts),
        _distribution_table(counts),
        _recommend_table(counts),
        _end_views_table(counts),
    ]
    answered = any(counts.values())
    if not answered:
        for table in tables:
            table.notes.append(NO_ANSWERS)
    return tables
