"""Precomputed score tables: ``mentee_id,mentor_id,score[,mentor_score]`` plus capacities.

A pair without a row is forbidden. Errors are collected like participant files' errors.
"""

from __future__ import annotations

import math
import os
from collections.abc import Container
from dataclasses import dataclass, field

from tandem.matching.graph import SCORE_LIMIT, CandidateGraph
from tandem.matching.io import (
    DUPLICATE_ID,
    EMPTY_ID,
    UNKNOWN_WARNING,
    InputError,
    InputProblem,
    read_plain_table,
)
from tandem.matching.records.cells import read_float
from tandem.matching.records.reading import MISSING_COLUMN

SCORE_COLUMNS = ("mentee_id", "mentor_id", "score", "mentor_score")
BAD_SCORE = "score must be a number (got {value!r})"
SCORE_OUT_OF_RANGE = (
    "score must lie between -1e12 and 1e12; put the scores on one scale, such as 0 to 1"
)
DUPLICATE_PAIR = "pair {mentee!r}, {mentor!r} appears twice (first on row {first})"
UNKNOWN_MENTOR = "mentor {value!r} is not in the capacities file"
BAD_CAPACITY = "capacity must be a whole number >= 0 (got {value!r})"
# Seats beyond any file's mentees change nothing (the solver cuts a capacity to the number of
# mentees); kept below int64, where 1e20 overflowed building the graph (families check).
CAPACITY_CAP = 2**31


@dataclass
class ScoreTable:
    """A precomputed score table as a graph; ``mentee_ids``/``mentor_ids`` index it."""

    graph: CandidateGraph
    mentee_ids: list[str]
    mentor_ids: list[str]
    warnings: list[str] = field(default_factory=list)


def read_score_table(
    scores_path: str | os.PathLike[str], capacities_path: str | os.PathLike[str]
) -> ScoreTable:
    """Read ``mentee_id,mentor_id,score[,mentor_score]`` rows and an ``id,capacity`` file.

    A pair without a row is forbidden. ``mentor_score`` is how the mentor ranks that mentee
    (for ``stable``); without it both sides rank by ``score``.

    Raises
    ------
    InputError
        With every problem in both files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "s.csv").write_text("mentee_id,mentor_id,score\\na,m,0.5\\nb,m,0.7\\n")
    >>> _ = (d / "c.csv").write_text("id,capacity,name\\nm,1,Mo\\n")
    >>> table = read_score_table(d / "s.csv", d / "c.csv")
    >>> table.mentee_ids, table.graph.score.tolist()
    (['a', 'b'], [0.5, 0.7])
    """
    errors: list[InputProblem] = []
    capacity = _read_capacities(capacities_path, errors)
    file = str(scores_path)
    try:
        header, rows = read_plain_table(scores_path)
    except InputError as exc:
        raise InputError(errors + exc.errors) from None
    missing = [c for c in SCORE_COLUMNS[:3] if c not in header]
    errors += [InputProblem(file, 1, c, MISSING_COLUMN.format(column=c)) for c in missing]
    if missing:
        raise InputError(errors)
    mentee_ids: dict[str, int] = {}
    mentor_ids = {mentor_id: k for k, mentor_id in enumerate(capacity)}
    edges: dict[tuple[int, int], tuple[float, float]] = {}
    first: dict[tuple[int, int], int] = {}
    for number, values in rows:
        pair = _score_row(file, number, values, mentor_ids, errors)
        if pair is None:
            continue
        (mentee, mentor), scores = pair
        key = (mentee_ids.setdefault(mentee, len(mentee_ids)), mentor_ids[mentor])
        if key in first:
            errors.append(
                InputProblem(
                    file,
                    number,
                    "mentor_id",
                    DUPLICATE_PAIR.format(mentee=mentee, mentor=mentor, first=first[key]),
                )
            )
            continue
        first[key], edges[key] = number, scores
    if errors:
        raise InputError(errors)
    pairs = list(edges)
    graph = CandidateGraph.from_edges(
        len(mentee_ids),
        len(mentor_ids),
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        [edges[p][0] for p in pairs],
        list(capacity.values()),
        mentor_pref=[edges[p][1] for p in pairs],
    )
    unknown = [c for c in header if c not in SCORE_COLUMNS]
    warnings = (
        [
            UNKNOWN_WARNING.format(
                file=file, columns=", ".join(unknown), s="s" if len(unknown) > 1 else ""
            )
        ]
        if unknown
        else []
    )
    return ScoreTable(graph, list(mentee_ids), list(mentor_ids), warnings)


def _read_capacities(path: str | os.PathLike[str], errors: list[InputProblem]) -> dict[str, int]:
    file = str(path)
    try:
        header, rows = read_plain_table(path)
    except InputError as exc:
        errors += exc.errors
        return {}
    missing = [c for c in ("id", "capacity") if c not in header]
    errors += [InputProblem(file, 1, c, MISSING_COLUMN.format(column=c)) for c in missing]
    capacity: dict[str, int] = {}
    first: dict[str, int] = {}
    for number, values in rows if not missing else ():
        person = values["id"]
        if not person:
            errors.append(InputProblem(file, number, "id", EMPTY_ID))
            continue
        if person in first:
            errors.append(
                InputProblem(
                    file, number, "id", DUPLICATE_ID.format(value=person, first=first[person])
                )
            )
            continue
        first[person] = number
        try:
            capacity[person] = _capacity(values["capacity"])
        except ValueError as exc:
            errors.append(InputProblem(file, number, "capacity", str(exc)))
            capacity[person] = 0  # still a known mentor, so score rows are checked properly
    return capacity


def _capacity(text: str) -> int:
    """What is left of a mentor's capacity: a whole number >= 0 (0 takes no one), unlike a
    participant file's capacity, which states how many mentees a person takes (1 or more).
    A capacity above ``CAPACITY_CAP`` reads as that many: more seats than any file has mentees.
    """
    try:
        number = read_float(text)
    except ValueError:
        raise ValueError(BAD_CAPACITY.format(value=text)) from None
    if not number.is_integer() or number < 0:
        raise ValueError(BAD_CAPACITY.format(value=text))
    return int(min(number, CAPACITY_CAP))


def _score_row(
    file: str,
    number: int,
    values: dict[str, str],
    mentor_ids: Container[str],
    errors: list[InputProblem],
) -> tuple[tuple[str, str], tuple[float, float]] | None:
    mentee, mentor = values["mentee_id"], values["mentor_id"]
    problems = len(errors)
    if not mentee:
        errors.append(InputProblem(file, number, "mentee_id", EMPTY_ID))
    if mentor not in mentor_ids:
        errors.append(InputProblem(file, number, "mentor_id", UNKNOWN_MENTOR.format(value=mentor)))
    scores: list[float] = []
    for column in ("score", "mentor_score"):
        text = values.get(column, "")
        if column == "mentor_score" and not text:
            scores.append(scores[0] if scores else 0.0)
            continue
        try:
            value = read_float(text)
            if not math.isfinite(value):
                raise ValueError(text)
            if column == "score" and abs(value) > SCORE_LIMIT:
                errors.append(InputProblem(file, number, column, SCORE_OUT_OF_RANGE))
            scores.append(value)
        except ValueError:
            errors.append(InputProblem(file, number, column, BAD_SCORE.format(value=text)))
            scores.append(0.0)
    if len(errors) > problems:
        return None
    score, mentor_score = scores
    return (mentee, mentor), (score, mentor_score)
