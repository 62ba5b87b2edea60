"""``tandem match``: match participant files (or a score table) from the command line.

Outputs are written only when the whole run succeeded: each goes to a temporary file that is
renamed into place at the end. Input errors are printed one per line as
``file:row:column: message`` and no output file is created.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from tandem.matching.candidates.generate import DEFAULT_TOP_K
from tandem.matching.embedders.choose import (
    MODEL_LIMIT,
    NAMES,
    choose_embedder,
    embedder_name,
    model_installed,
)
from tandem.matching.embedders.minilm import NOT_INSTALLED
from tandem.matching.explain import Reason
from tandem.matching.features import CONFLICT_RULES, DEFAULT_CONFLICT_RULES, UNKNOWN_RULE
from tandem.matching.graph import CandidateGraph
from tandem.matching.io import InputError, read_inputs, read_participants
from tandem.matching.pipeline import OBJECTIVES, match_participants, match_score_table
from tandem.matching.records.cells import read_float
from tandem.matching.records.reading import escape_cell
from tandem.matching.result import MatchResult
from tandem.matching.scoretable import ScoreTable, read_score_table
from tandem.matching.sentences import CONCERN
from tandem.matching.text import Embedder

DESCRIPTION = "Match mentees with mentors, from participant files or a score table."
PAIR_COLUMNS = ("mentee_id", "mentor_id", "score", "reasons")
REASON_SEPARATOR = "; "  # a pair's reasons in one CSV cell
CONCERN_MARK = "concern: "  # before a concern's words in that cell
BAD_TOP_K = "expected a whole number >= 1, got {value!r}"
BAD_PAIR = "expected mentee:mentor, got {value!r}"
BAD_WEIGHTS = "expected --weights name=number,..., got {value!r}"
NEED_INPUT = "give --mentees and --mentors, or --participants, or --scores and --capacities"
UNWRITABLE = "{path}: cannot write the file: {reason}"
EXIT_INPUT = 1
EXIT_USAGE = 2


def _pair(value: str) -> tuple[str, str]:
    mentee, sep, mentor = value.partition(":")
    if not sep or not mentee or not mentor:
        raise argparse.ArgumentTypeError(BAD_PAIR.format(value=value))
    return mentee, mentor


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(BAD_TOP_K.format(value=value))
    return int(value)


def _weights(value: str) -> dict[str, float]:
    weights = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, sep, number = part.partition("=")
        try:
            weights[name.strip()] = read_float(number)
        except ValueError:
            raise argparse.ArgumentTypeError(BAD_WEIGHTS.format(value=value)) from None
        if not sep:
            raise argparse.ArgumentTypeError(BAD_WEIGHTS.format(value=value))
    return weights


def _rules(value: str) -> tuple[str, ...]:
    rules = tuple(filter(None, (p.strip() for p in value.split(","))))
    for rule in rules:
        if rule not in CONFLICT_RULES:
            raise argparse.ArgumentTypeError(UNKNOWN_RULE.format(name=rule))
    return rules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem match", description=DESCRIPTION)
    source = parser.add_argument_group("input")
    source.add_argument("--mentees", help="mentee CSV or XLSX")
    source.add_argument("--mentors", help="mentor CSV or XLSX")
    source.add_argument("--participants", help="one file with a role column (mentee|mentor)")
    source.add_argument("--scores", help="score table: mentee_id,mentor_id,score[,mentor_score]")
    source.add_argument("--capacities", help="mentor capacities: id,capacity")
    parser.add_argument("--objective", choices=OBJECTIVES, default="optimal")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="pairs CSV (default: standard output)")
    parser.add_argument("--report", help="report JSON")
    parser.add_argument("--reverse", action="store_true", help="reverse mentoring")
    parser.add_argument("--weights", type=_weights, default={}, help="e.g. goals=3,skills=1")
    parser.add_argument(
        "--pin", type=_pair, nargs="+", action="extend", default=[], metavar="MENTEE:MENTOR"
    )
    parser.add_argument(
        "--forbid", type=_pair, nargs="+", action="extend", default=[], metavar="MENTEE:MENTOR"
    )
    parser.add_argument(
        "--conflict-rules",
        type=_rules,
        default=DEFAULT_CONFLICT_RULES,
        help="comma-separated: manager, department (default: manager)",
    )
    parser.add_argument(
        "--top-k",
        type=_positive,
        default=DEFAULT_TOP_K,
        help=f"candidates per person for large inputs (default: {DEFAULT_TOP_K})",
    )
    parser.add_argument(
        "--embedder",
        choices=NAMES,
        default="auto",
        help=(
            "text similarity (default auto: all-MiniLM-L6-v2 in numpy if its weights are "
            f"installed and the run has at most {MODEL_LIMIT} texts, else the built-in one)"
        ),
    )
    parser.add_argument("--no-progress", action="store_true")
    return parser


def _progress_bar(args: argparse.Namespace, total: int) -> Any:
    if args.no_progress or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="mentee", desc="scoring", file=sys.stderr)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[MatchResult, list]:
    """The result and the mentee ids in input order, the pairs file's (not pairs first)."""
    started = time.perf_counter()
    if args.scores or args.capacities:
        if not (args.scores and args.capacities):
            parser.error(NEED_INPUT)
        table = read_score_table(args.scores, args.capacities)
        read_seconds = time.perf_counter() - started
        _warn(table.warnings)
        forbidden = set(args.forbid)
        if forbidden:
            table = _drop_pairs(table, forbidden)
        result = match_score_table(
            table,
            objective=args.objective,
            pinned=args.pin,
            seed=args.seed,
            warnings=table.warnings,
        )
        order = table.mentee_ids
    else:
        if args.participants:
            people = read_participants(args.participants)
        elif args.mentees and args.mentors:
            people = read_inputs(args.mentees, args.mentors)
        else:
            parser.error(NEED_INPUT)
        read_seconds = time.perf_counter() - started
        _warn(people.warnings)
        embedder, fell_back = _embedder(args.embedder, len(people.mentees) + len(people.mentors))
        print(f"embedder: {embedder_name(embedder)}", file=sys.stderr)
        _warn(fell_back)
        bar = _progress_bar(args, len(people.mentees))
        given = [*people.warnings, *fell_back]
        try:
            result = match_participants(
                people.mentees,
                people.mentors,
                objective=args.objective,
                weights=args.weights,
                reverse=args.reverse,
                conflict_rules=args.conflict_rules,
                pinned=args.pin,
                forbidden=args.forbid,
                seed=args.seed,
                top_k=args.top_k,
                progress=bar.update if bar else None,
                embedder=embedder,
                warnings=given,
            )
        finally:
            if bar:
                bar.close()
        _warn(result.report["warnings"][len(given) :])  # the run's own (short candidate lists)
        result.report["embedder"] = embedder_name(embedder)
        order = [mentee.id for mentee in people.mentees]
    result.report["phase_seconds"] = {
        "read": round(read_seconds, 4),
        **result.report["phase_seconds"],
    }
    return result, order


def _embedder(name: str, texts: int) -> tuple[Embedder, list[str]]:
    """The embedder to run, and a warning when ``auto`` wanted the model but could not load
    it (not installed, or its weights changed) and so runs the built-in lexicon."""
    try:
        if name == "auto" and texts <= MODEL_LIMIT:
            try:
                if not model_installed():
                    raise ImportError(NOT_INSTALLED)
                return choose_embedder("mixed"), []
            except (ImportError, ValueError) as exc:
                fallback = choose_embedder("builtin")
                return fallback, [f"embedder auto: {exc}; ran the {embedder_name(fallback)}"]
        return choose_embedder(name, texts), []
    except ImportError as exc:
        raise ValueError(str(exc)) from None


def _drop_pairs(table: ScoreTable, forbidden: set[tuple[str, str]]) -> ScoreTable:
    graph = table.graph
    keep = [
        (table.mentee_ids[a], table.mentor_ids[b]) not in forbidden
        for a, b in zip(graph.mentee.tolist(), graph.mentor.tolist(), strict=True)
    ]

    def pick(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[keep]

    table.graph = CandidateGraph.from_edges(
        graph.n_mentees,
        graph.n_mentors,
        graph.mentee[keep],
        graph.mentor[keep],
        graph.score[keep],
        graph.capacity,
        pick(graph.mentee_pref),
        pick(graph.mentor_pref),
    )
    return table


def _warn(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _cell_text(reason: Reason) -> str:
    return f"{CONCERN_MARK}{reason.text}" if reason.kind == CONCERN else reason.text


def score_text(score: float, *, exact: bool) -> str:
    """A score as the pairs file writes it. ``exact`` (score-table mode) echoes the input score:
    the shortest text that reads back as the very same number. Otherwise (scores computed from
    profiles) six decimals, as the report gives.

    >>> score_text(0.123456789, exact=True), score_text(0.123456789, exact=False)
    ('0.123456789', '0.123457')
    """
    return repr(float(score)) if exact else f"{score:.6f}"


def pairs_csv(
    result: MatchResult, mentee_order: Sequence[str] | None = None, *, exact_scores: bool = False
) -> str:
    """The pairs file: one row per mentee; unmatched rows have an empty mentor and the reason.
    A pair's reasons are joined with ``REASON_SEPARATOR`` into one cell, each concern marked.
    ``exact_scores``: echo each score exactly (score-table mode; see :func:`score_text`).
    An id a spreadsheet would run as a formula (``=cmd``, ``@SUM(1)``, as the input file may
    hold it) gets the participant export's leading apostrophe (``escape_cell``), which the
    participant reader takes off again (I/O review: ids went out raw); a score, a number
    Tandem wrote, stays a number even when negative, and the reasons are Tandem's words.

    >>> from tandem.matching.explain import Reason
    >>> why = (Reason("cadence", "both prefer weekly"), Reason("format", "far", "concern"))
    >>> print(pairs_csv(MatchResult(
    ...     pairs=[{"mentee_id": "a", "mentor_id": "m", "score": 0.5, "reasons": why}],
    ...     unmatched=[{"mentee_id": "b",
    ...                 "reason": Reason("language", "no mentor shares a language")}])).strip())
    mentee_id,mentor_id,score,reasons
    a,m,0.500000,both prefer weekly; concern: far
    b,,,no mentor shares a language
    """
    rows = {
        p["mentee_id"]: [
            escape_cell(p["mentee_id"]),
            escape_cell(p["mentor_id"]),
            score_text(p["score"], exact=exact_scores),
            REASON_SEPARATOR.join(_cell_text(reason) for reason in p["reasons"]),
        ]
        for p in result.pairs
    }
    rows.update(
        {
            u["mentee_id"]: [escape_cell(u["mentee_id"]), "", "", u["reason"].text]
            for u in result.unmatched
        }
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PAIR_COLUMNS)
    writer.writerows(rows[k] for k in (mentee_order or rows))
    return buffer.getvalue()


def _output_paths(args: argparse.Namespace) -> list[str]:
    return [path for path in (args.out, args.report) if path]


def _unwritable_outputs(args: argparse.Namespace) -> list[str]:
    """A problem for each output file that cannot be written, found before the run: a
    missing folder or a directory given as ``--out`` failed only after the whole match, with
    a traceback (I/O review). Each is tried by creating (and removing) its temporary file,
    the one :func:`_write_outputs` writes first."""
    problems = []
    for path in _output_paths(args):
        temporary = f"{path}.tmp{os.getpid()}"
        try:
            if os.path.isdir(path):
                raise IsADirectoryError(21, "it is a directory")
            with open(temporary, "x", encoding="utf-8"):
                pass
        except OSError as error:
            problems.append(UNWRITABLE.format(path=path, reason=error.strerror or error))
        else:
            os.remove(temporary)
    return problems


def _write_outputs(args: argparse.Namespace, result: MatchResult, pairs: str) -> None:
    staged = []
    try:
        if args.out:
            staged.append((args.out, pairs))
        if args.report:
            staged.append((args.report, json.dumps(result.report, indent=2) + "\n"))
        temporaries = []
        for path, text in staged:
            temporary = f"{path}.tmp{os.getpid()}"
            try:
                with open(temporary, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
            except OSError as error:  # a full disk's error names no file: this one
                error.filename = error.filename or path
                raise
            temporaries.append((temporary, path))
        for temporary, path in temporaries:
            os.replace(temporary, path)
    finally:
        for path, _ in staged:
            temporary = f"{path}.tmp{os.getpid()}"
            if os.path.exists(temporary):
                os.remove(temporary)


def main(argv: list[str] | None = None) -> int:
    """Run ``tandem match``; returns the exit status (0 ok, 1 input error, 2 usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["match"]:
        argv = argv[1:]
    parser = build_parser()
    args = parser.parse_args(argv)
    unwritable = _unwritable_outputs(args)
    for problem in unwritable:
        print(problem, file=sys.stderr)
    if unwritable:
        return EXIT_INPUT
    try:
        result, order = _run(args, parser)
    except InputError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return EXIT_INPUT
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    pairs = pairs_csv(result, order, exact_scores=bool(args.scores))
    try:
        _write_outputs(args, result, pairs)
    except OSError as error:  # the disk filled or the folder went during the run
        path = str(error.filename2 or error.filename).removesuffix(f".tmp{os.getpid()}")
        print(UNWRITABLE.format(path=path, reason=error.strerror), file=sys.stderr)
        return EXIT_INPUT
    if not args.out:
        sys.stdout.write(pairs)
    report = result.report
    mean = report["mean_score"]
    print(
        f"matched {report['matched']} of {report['mentees']} mentees"
        + (f", mean score {mean:.3f}" if mean is not None else ""),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
