"""End-to-end scale benchmark of ``tandem match``: 100,000 mentees x 20,000 mentors from CSV.

Usage::

    .venv/bin/python bench/match_scale.py [--mentees 100000] [--mentors 20000] [--seed 0]
        [--data DIR] [--top-k 20] [--kind synthetic|demo]

Writes participants to ``DIR`` (default: a temporary directory; files already there are
reused) with ``--kind synthetic`` (the default: ``tandem.matching.synthetic``, small fixed
pools of texts and tags) or ``--kind demo`` (``tandem.demo.people``: realistic, every text
different, with the requested split between the sides), then runs
``tandem match`` in this process exactly as the command line does, with ``--report``. Prints
wall time per phase (from ``report.json``), peak RSS of the process (``getrusage``), matched
vs ``matchable_at_most`` (a proven upper bound on the maximum cardinality over *all* allowed
pairs: when equal, the most mentees possible are matched), total score, the proven upper bound
over all pairs and the relative gap, with the CPU seconds of each phase and the load average
(the CPU time of reading includes writing the outputs). Leave ``OPENBLAS_NUM_THREADS`` unset
to measure the default.

It also prints a machine reference measured just before the run (a fixed pure-Python loop and a
fixed one-thread float32 matrix product): the speed of a shared virtual machine drifts, by a
third within an hour here, and the reference tells a slow run from a slow machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tandem.demo import matching_csv  # noqa: E402
from tandem.demo import people as demo_people  # noqa: E402
from tandem.matching import command  # noqa: E402
from tandem.matching.records.columns import MENTEE_COLUMNS, MENTOR_COLUMNS  # noqa: E402


def write_split_csv(directory: Path, n_mentees: int, n_mentors: int, seed: int) -> list[Path]:
    """Demo participants with an exact split: ``n_mentors`` mentors, ``n_mentees`` mentees."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "mentees.csv", directory / "mentors.csv"]
    rng = np.random.default_rng(seed)
    width = demo_people.id_width(n_mentees + n_mentors)
    with (
        open(paths[0], "w", newline="", encoding="utf-8") as mentees_file,
        open(paths[1], "w", newline="", encoding="utf-8") as mentors_file,
    ):
        writers = {"mentee": csv.writer(mentees_file), "mentor": csv.writer(mentors_file)}
        writers["mentee"].writerow(MENTEE_COLUMNS)
        writers["mentor"].writerow(MENTOR_COLUMNS)
        for role, count, others, other_role in (
            ("mentor", n_mentors, n_mentees, "mentee"),
            ("mentee", n_mentees, n_mentors, "mentor"),
        ):
            for start in range(0, count, demo_people.CHUNK):
                size = min(demo_people.CHUNK, count - start)
                chunk = demo_people.people_chunk(
                    rng, role, start, size, width, others, other_role, n_mentors
                )
                writers[role].writerows(matching_csv.matching_row(person) for person in chunk)
    return paths


def write_synthetic_csv(directory: Path, n_mentees: int, n_mentors: int, seed: int) -> None:
    """Participants from :func:`tandem.matching.synthetic.people`, one file per side."""
    from tandem.matching.io import write_participants_csv
    from tandem.matching.synthetic import people

    directory.mkdir(parents=True, exist_ok=True)
    mentees, mentors = people(n_mentees, n_mentors, seed=seed)
    write_participants_csv(directory / "mentees.csv", mentees=mentees)
    write_participants_csv(directory / "mentors.csv", mentors=mentors)


def machine_reference() -> str:
    """Seconds for a fixed pure-Python loop and one-thread float32 GFLOP/s, best of three."""
    from threadpoolctl import threadpool_limits

    loop, gemm = [], []
    left = np.ones((1000, 512), dtype=np.float32)
    right = np.ones((512, 20_000), dtype=np.float32)
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(3):
            start = time.perf_counter()
            sum(i * i for i in range(3_000_000))
            loop.append(time.perf_counter() - start)
            start = time.perf_counter()
            left @ right
            gemm.append(time.perf_counter() - start)
    flops = 2 * left.shape[0] * left.shape[1] * right.shape[1]
    return f"python loop {min(loop):.3f} s, float32 GEMM {flops / min(gemm) / 1e9:.0f} GFLOP/s"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=100_000)
    parser.add_argument("--mentors", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top-k", type=int, default=None)
    parser.add_argument("--data", help="directory for the CSV files (reused if present)")
    parser.add_argument("--objective", default="optimal")
    parser.add_argument("--kind", choices=("synthetic", "demo"), default="synthetic")
    args = parser.parse_args(argv)
    directory = Path(args.data or tempfile.mkdtemp(prefix="tandem-scale-"))
    mentees, mentors = directory / "mentees.csv", directory / "mentors.csv"
    if not (mentees.exists() and mentors.exists()):
        start = time.perf_counter()
        write = write_synthetic_csv if args.kind == "synthetic" else write_split_csv
        write(directory, args.mentees, args.mentors, args.seed)
        print(f"wrote {directory} in {time.perf_counter() - start:.1f} s", flush=True)
    report_path, out_path = directory / "report.json", directory / "pairs.csv"
    argv = ["--mentees", str(mentees), "--mentors", str(mentors), "--objective", args.objective]
    argv += ["--report", str(report_path), "--out", str(out_path), "--no-progress"]
    if args.top_k:
        argv += ["--top-k", str(args.top_k)]
    print(f"machine reference: {machine_reference()}", flush=True)
    print("tandem match " + " ".join(argv), flush=True)
    start, start_cpu, load = time.perf_counter(), time.process_time(), os.getloadavg()
    status = command.main(argv)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = json.loads(report_path.read_text())
    print(f"exit status {status}; wall {wall:.1f} s; CPU {cpu:.1f} s; peak RSS {peak_mb:.0f} MB")
    print("load average before, after: " + ", ".join(f"{a:.2f}" for a in load + os.getloadavg()))
    cpu_seconds = report.get("phase_cpu_seconds", {})
    # The command does not time its own CPU: reading the files (and writing them) is the rest.
    cpu_seconds.setdefault("read", cpu - sum(cpu_seconds.values()))
    print(f"  {'phase':<24} {'wall':>8}   {'CPU':>8}")
    for name, seconds in report["phase_seconds"].items():
        used = f"{cpu_seconds[name]:8.2f} s" if name in cpu_seconds else ""
        print(f"  {name:<24} {seconds:8.2f} s {used}")
    print(
        f"mentees {report['mentees']}, mentors {report['mentors']}, "
        f"candidate pairs {report['candidate_pairs']} ({report['candidates']})"
    )
    at_most = report.get("bound", {}).get("matchable_at_most", "n/a")
    print(f"matched {report['matched']} (at most {at_most} matchable)")
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
