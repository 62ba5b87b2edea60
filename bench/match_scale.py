"""End-to-end scale benchmark of ``tandem match``: 100,000 mentees x 20,000 mentors from CSV.

Usage::

    .venv/bin/python bench/match_scale.py [--mentees 100000] [--mentors 20000] [--seed 0]
        [--data DIR] [--top-k 50]

Writes realistic participants with the demo generator (``tandem.programs.demo``: the same
people, fields and distributions as the demo data, but with the requested split between the
sides) to ``DIR`` (default: a temporary directory; files already there are reused), then runs
``tandem match`` in this process exactly as the command line does, with ``--report``. Prints
wall time per phase (from ``report.json``), peak RSS of the process (``getrusage``), matched
vs matchable (maximum cardinality over *all* allowed pairs is not computed here; the report's
``unmatched_reasons`` say why each mentee is unmatched), total score, the proven upper bound
and the relative gap. Leave ``OPENBLAS_NUM_THREADS`` unset to measure the default.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tandem.matching import command  # noqa: E402
from tandem.programs import demo  # noqa: E402


def write_split_csv(directory: Path, n_mentees: int, n_mentors: int, seed: int) -> list[Path]:
    """Demo participants with an exact split: ``n_mentors`` mentors, ``n_mentees`` mentees."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "mentees.csv", directory / "mentors.csv"]
    rng = np.random.default_rng(seed)
    width = demo._width(n_mentees + n_mentors)
    with open(paths[0], "w", newline="", encoding="utf-8") as mentees_file, open(
        paths[1], "w", newline="", encoding="utf-8"
    ) as mentors_file:
        writers = {"mentee": csv.writer(mentees_file), "mentor": csv.writer(mentors_file)}
        writers["mentee"].writerow(demo.MENTEE_COLUMNS)
        writers["mentor"].writerow(demo.MENTOR_COLUMNS)
        for role, count, others, other_role in (
            ("mentor", n_mentors, n_mentees, "mentee"),
            ("mentee", n_mentees, n_mentors, "mentor"),
        ):
            for start in range(0, count, demo.CHUNK):
                size = min(demo.CHUNK, count - start)
                chunk = demo._chunk(rng, role, start, size, width, others, other_role, n_mentors)
                writers[role].writerows(demo.matching_row(person) for person in chunk)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=100_000)
    parser.add_argument("--mentors", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top-k", type=int, default=None)
    parser.add_argument("--data", help="directory for the CSV files (reused if present)")
    parser.add_argument("--objective", default="optimal")
    args = parser.parse_args(argv)
    directory = Path(args.data or tempfile.mkdtemp(prefix="tandem-scale-"))
    mentees, mentors = directory / "mentees.csv", directory / "mentors.csv"
    if not (mentees.exists() and mentors.exists()):
        start = time.perf_counter()
        write_split_csv(directory, args.mentees, args.mentors, args.seed)
        print(f"wrote {directory} in {time.perf_counter() - start:.1f} s", flush=True)
    report_path, out_path = directory / "report.json", directory / "pairs.csv"
    argv = ["--mentees", str(mentees), "--mentors", str(mentors), "--objective", args.objective]
    argv += ["--report", str(report_path), "--out", str(out_path), "--no-progress"]
    if args.top_k:
        argv += ["--top-k", str(args.top_k)]
    print("tandem match " + " ".join(argv), flush=True)
    start = time.perf_counter()
    status = command.main(argv)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = json.loads(report_path.read_text())
    print(f"exit status {status}; wall {wall:.1f} s; peak RSS {peak_mb:.0f} MB")
    for name, seconds in report["phase_seconds"].items():
        print(f"  {name:<24} {seconds:8.2f} s")
    print(
        f"mentees {report['mentees']}, mentors {report['mentors']}, "
        f"candidate pairs {report['candidate_pairs']} ({report['candidates']})"
    )
    print(f"matched {report['matched']} (matchable: {report.get('matchable', 'n/a')})")
    print(f"unmatched reasons {report['unmatched_reasons']}")
    print(
        f"total {report['total_score']}, upper bound {report['upper_bound']}, "
        f"gap {report['gap']}, relative gap {report['relative_gap']}"
    )
    for key in ("bound", "bound_rounds"):
        if key in report:
            print(f"{key}: {report[key]}")
    return status


if __name__ == "__main__":
    sys.exit(main())
