"""Benchmark Tandem's matching solvers against their baselines, in one run.

Usage::

    .venv/bin/python bench/match.py --size small|medium|large|sparse-random-medium|
        sparse-random|clustered-small|clustered|clustered-mixed [--seed 0]
        [--skip-slow-baselines] [--methods tandem-stable,matching-hr]

Sizes: ``small`` dense 1,000 x 200 (capacity 5, < 1 min with every baseline); ``medium``
dense 10,000 x 2,000 (capacity 5: 20M pairs, as many seats as mentees); ``large`` a sparse
candidate graph, 100,000 mentees x 20,000 mentors, ~50 random candidates each, capacity 6
(dense baselines cannot run there). ``sparse-random`` is ``large`` with supply equal to demand
(capacity 5, 5.0M pairs) and ``sparse-random-medium`` the same at 10,000 x 2,000 (0.5M pairs):
there the baselines run on the same edges (``ortools-edges``: OR-Tools ``SimpleMinCostFlow``
on every pair of the graph; ``scipy-sparse``: SciPy's ``min_weight_full_bipartite_matching``
on the capacity-expanded sparse matrix, up to ``SCIPY_SPARSE_MAX`` expanded pairs). Scores are
uniform on [0, 1); for `stable` the mentee's preference is ``0.7 score + 0.3 noise`` and the
mentor's ``0.5 score + 0.5 noise``.

Clustered sizes (``clustered-small`` 1,000 x 200, ``clustered`` and ``clustered-mixed``
10,000 x 2,000) are shaped like real programs (see :func:`clustered_instance`): topic-mixture
profiles over 40 topics, demand Zipf-distributed over the topics while mentors spread evenly
(so mentor popularity is Zipf-like and the popular topics are oversubscribed several times),
a 30 % minority of mentees drawing their topics from the tail, score ``0.75 cosine + 0.25
time-zone overlap`` rounded to float32 (many exact and near ties), 1 % of pairs forbidden
(absent from the graph), supply equal to demand: capacity 5 everywhere, or for ``mixed`` 100
mentors with 20 seats, 1,000 with 1 and the rest 7 or 8. ``stable`` uses the score as both
sides' preference there. Two more methods run on each mentee's top-20 pairs of the same
instance: Tandem ``optimal`` (``tandem-topk``) and a plain OR-Tools max-flow-min-cost
(``ortools-topk``, no proof).

Baselines: SciPy ``linear_sum_assignment`` on the capacity-expanded dense matrix (each
mentor repeated ``capacity`` times); OR-Tools ``SimpleMinCostFlow`` on the dense graph
(costs ``-round(score * 1e6)``, supply ``min(n, seats)``); the `matching` package's
``HospitalResident`` algorithm (``resident_optimal``, what ``HospitalResident.solve`` runs) for
stable, timed from its ready player objects. The game's constructor is left out: it deep-copies
every player and checks its inputs with list scans of O(n^2 m), which alone ran for over an
hour at the medium size (it adds nothing to the solution: our inputs are valid by design).

Memory: every method runs in a fresh ``spawn`` child process that rebuilds the (seeded)
instance, then reports ``VmHWM - VmRSS`` from /proc/self/status: the peak resident memory
the method added on top of the loaded instance, C++ allocations included (tracemalloc
would miss OR-Tools' own memory). Wall time and CPU time (``time.process_time``, all threads)
are measured in the child around the call only; on a shared machine the CPU time is the steadier
of the two, since waiting for a core does not count.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
import time
import warnings
from pathlib import Path
from queue import Empty

import numpy as np
import scipy as sp
from ortools.graph.python import min_cost_flow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tandem.matching.graph import CandidateGraph  # noqa: E402
from tandem.matching.solve import count_blocking_pairs, solve  # noqa: E402

SIZES = {
    "small": {"kind": "dense", "n": 1_000, "m": 200, "capacity": 5},
    "medium": {"kind": "dense", "n": 10_000, "m": 2_000, "capacity": 5},
    "large": {"kind": "sparse", "n": 100_000, "m": 20_000, "k": 50, "capacity": 6},
    "sparse-random-medium": {"kind": "sparse", "n": 10_000, "m": 2_000, "k": 50, "capacity": 5},
    "sparse-random": {"kind": "sparse", "n": 100_000, "m": 20_000, "k": 50, "capacity": 5},
    "clustered-small": {"kind": "clustered", "n": 1_000, "m": 200, "capacity": "flat"},
    "clustered": {"kind": "clustered", "n": 10_000, "m": 2_000, "capacity": "flat"},
    "clustered-mixed": {"kind": "clustered", "n": 10_000, "m": 2_000, "capacity": "mixed"},
}
SLOW = {"matching-hr"}  # tens of minutes at the medium size
TANDEM = ("tandem-optimal", "tandem-fair", "tandem-stable")
BASELINES = ("scipy-lsa", "ortools-dense", "matching-hr")
TOP_K = ("tandem-topk", "ortools-topk")  # clustered sizes: the same instance's top-20 graph
TOP_K_WIDTH = 20
SPARSE_BASELINES = ("ortools-edges", "scipy-sparse")  # sparse sizes: on the graph's own edges
# Capacity-expanded pairs above which scipy-sparse is not run (10,000 x 2,000: 2.5 M, 0.8 s).
SCIPY_SPARSE_MAX = 5_000_000
COMPARE = {
    "tandem-optimal": ("scipy-lsa", "ortools-dense", *SPARSE_BASELINES),
    "tandem-fair": ("scipy-lsa", "ortools-dense", *SPARSE_BASELINES),
    "tandem-stable": ("matching-hr", "ortools-dense", "ortools-edges"),
    "tandem-topk": ("ortools-topk",),
}
TOPICS, TAIL_FROM, MINORITY, FORBIDDEN = 40, 20, 0.30, 0.01


def _topic_profiles(rng, count: int, main: np.ndarray) -> np.ndarray:
    """Unit topic mixtures: 60 % on a main topic, the rest a sparse Dirichlet draw."""
    vectors = 0.4 * rng.dirichlet(np.full(TOPICS, 0.15), count)
    vectors[np.arange(count), main] += 0.6
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _hours_overlap(rng, n: int, m: int) -> np.ndarray:
    """Shared working hours / 8, from UTC offsets clustered on a few regions (eighths: ties)."""
    regions = np.array([-8, -5, 0, 1, 2, 5, 8, 10])
    weights = np.array([0.15, 0.25, 0.15, 0.15, 0.05, 0.1, 0.1, 0.05])
    mentee_tz = rng.choice(regions, n, p=weights) + rng.integers(-1, 2, n)
    mentor_tz = rng.choice(regions, m, p=weights) + rng.integers(-1, 2, m)
    apart = np.abs(mentee_tz[:, None] - mentor_tz[None, :])
    apart = np.minimum(apart, 24 - apart)
    return np.clip(8 - apart, 0, 8) / 8


def _clustered_capacity(m: int, n: int, kind: str) -> np.ndarray:
    if kind == "flat":
        return np.full(m, n // m)
    capacity = np.ones(m, dtype=np.int64)  # 1,000 of 2,000 with one seat
    capacity[: m // 20] = 20
    rest = np.arange(m // 20, m // 2)
    seats = n - int(capacity[: m // 20].sum()) - (m - m // 2)
    capacity[rest] = seats // len(rest)
    capacity[rest[: seats - int(capacity[rest].sum())]] += 1
    return capacity


def clustered_instance(spec: dict, rng) -> tuple[CandidateGraph, np.ndarray]:
    """A realistic instance: clustered demand, oversubscribed mentors, ties, forbidden pairs.

    Returns the graph of allowed pairs (grouped by mentee, ~1 % missing) and the dense score
    matrix with ``-inf`` on forbidden pairs.
    """
    n, m = spec["n"], spec["m"]
    zipf = 1.0 / np.arange(1, TOPICS + 1)
    head = rng.choice(TOPICS, n, p=zipf / zipf.sum())
    tail = rng.integers(TAIL_FROM, TOPICS, n)
    mentee_topic = np.where(rng.random(n) < MINORITY, tail, head)
    mentor_topic = rng.permutation(np.arange(m) % TOPICS)
    cosine = _topic_profiles(rng, n, mentee_topic) @ _topic_profiles(rng, m, mentor_topic).T
    score = (0.75 * cosine + 0.25 * _hours_overlap(rng, n, m)).astype(np.float32)
    dense = score.astype(np.float64)
    allowed = rng.random((n, m)) >= FORBIDDEN
    dense[~allowed] = -np.inf
    mentee, mentor = np.nonzero(allowed)
    capacity = _clustered_capacity(m, n, spec["capacity"])
    graph = CandidateGraph.from_edges(n, m, mentee, mentor, dense[allowed], capacity)
    return graph, dense


def make_instance(size: str, seed: int) -> tuple[CandidateGraph, np.ndarray | None]:
    """The seeded instance of ``size``: the graph, and the dense score matrix if dense."""
    spec, rng = SIZES[size], np.random.default_rng(seed)
    n, m = spec["n"], spec["m"]
    if spec["kind"] == "clustered":
        return clustered_instance(spec, rng)
    if spec["kind"] == "dense":
        dense = rng.random((n, m))
        mentee, mentor = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    else:
        dense = None
        picks = np.sort(rng.integers(0, m, (n, spec["k"])), axis=1)
        fresh = np.ones(picks.shape, dtype=bool)
        fresh[:, 1:] = picks[:, 1:] != picks[:, :-1]
        mentee, mentor = np.nonzero(fresh)[0], picks[fresh]
    score = dense.ravel() if dense is not None else rng.random(len(mentee))
    mentee_pref = 0.7 * score + 0.3 * rng.random(len(score))
    mentor_pref = 0.5 * score + 0.5 * rng.random(len(score))
    capacity = np.full(m, spec["capacity"])
    graph = CandidateGraph.from_edges(
        n, m, mentee, mentor, score, capacity, mentee_pref, mentor_pref
    )
    return graph, dense


def run_tandem(graph: CandidateGraph, objective: str, outside_bound=None) -> dict:
    """One Tandem solve; see :func:`run_graph` for the end-to-end (``--size huge``) hook."""
    result = solve(graph, objective=objective, outside_bound=outside_bound)
    return {
        "mentor_of": np.asarray(result.mentor_of),
        "upper_bound": result.upper_bound,
        "phases": result.phase_seconds,
    }


def _scipy_lsa(graph: CandidateGraph, dense: np.ndarray) -> dict:
    columns = np.repeat(np.arange(graph.n_mentors), graph.capacity)
    rows, cols = sp.optimize.linear_sum_assignment(dense[:, columns], maximize=True)
    mentor_of = np.full(graph.n_mentees, -1)
    mentor_of[rows] = columns[cols]
    return {"mentor_of": mentor_of}


def _ortools_dense(graph: CandidateGraph, dense: np.ndarray | None = None) -> dict:
    """OR-Tools on every pair of ``graph`` (costs ``-round(score * 1e6)``).

    Supply ``min(n, seats)`` with ``solve()`` when every pair is allowed (uniform sizes);
    otherwise ``solve_max_flow_with_min_cost`` (the most matched, then the least cost).
    """
    n, m, edges = graph.n_mentees, graph.n_mentors, graph.n_edges
    source, sink = n + m, n + m + 1
    tails = np.concatenate([graph.mentee, np.full(n, source), np.arange(m) + n])
    heads = np.concatenate([graph.mentor.astype(np.int64) + n, np.arange(n), np.full(m, sink)])
    caps = np.concatenate([np.ones(edges + n, np.int64), graph.capacity])
    costs = np.concatenate([-np.rint(graph.score * 1e6), np.zeros(n + m)]).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int64), heads, caps, costs)
    supply = int(min(n, graph.capacity.sum()))
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    complete = edges == n * m
    status = flow.solve() if complete else flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError("OR-Tools baseline did not solve")
    used = np.flatnonzero(flow.flows(np.arange(edges)) > 0)
    mentor_of = np.full(n, -1)
    mentor_of[graph.mentee[used]] = graph.mentor[used]
    return {"mentor_of": mentor_of}


def _scipy_sparse(graph: CandidateGraph) -> dict:
    """SciPy's LAPJVsp on the capacity-expanded sparse matrix (mentor ``j``'s pairs repeated
    once per seat). It needs a matching that covers every mentee (or every seat): scores are
    shifted by 1 so that no weight is zero, which leaves the best full matching unchanged."""
    capacity = graph.capacity
    first_seat = np.cumsum(capacity) - capacity
    copies = capacity[graph.mentor]
    copy = np.arange(copies.sum()) - np.repeat(np.cumsum(copies) - copies, copies)
    seat = np.repeat(first_seat[graph.mentor], copies) + copy
    weight = np.repeat(graph.score, copies) + 1.0
    shape = (graph.n_mentees, int(capacity.sum()))
    matrix = sp.sparse.csr_array((weight, (np.repeat(graph.mentee, copies), seat)), shape=shape)
    try:
        rows, seats = sp.sparse.csgraph.min_weight_full_bipartite_matching(matrix, maximize=True)
    except ValueError as error:  # no full matching: SciPy's method does not apply
        raise RuntimeError(f"scipy-sparse: {error}") from None
    mentor_of = np.full(graph.n_mentees, -1)
    mentor_of[rows] = np.repeat(np.arange(graph.n_mentors), capacity)[seats]
    return {"mentor_of": mentor_of}


def top_k_graph(graph: CandidateGraph, dense: np.ndarray, k: int = TOP_K_WIDTH) -> CandidateGraph:
    """Each mentee's ``k`` best allowed pairs of the dense matrix (``-inf``: forbidden)."""
    best = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    mentee = np.repeat(np.arange(graph.n_mentees), k)
    score = dense[mentee, best.ravel()]
    keep = np.isfinite(score)
    return CandidateGraph.from_edges(
        graph.n_mentees,
        graph.n_mentors,
        mentee[keep],
        best.ravel()[keep],
        score[keep],
        graph.capacity,
    )


def _hr_dictionaries(graph: CandidateGraph):
    n, m = graph.n_mentees, graph.n_mentors
    mentee_pref = graph.mentee_pref.reshape(n, m)
    mentor_pref = graph.mentor_pref.reshape(n, m).T
    mentee_rank = np.argsort(-mentee_pref, axis=1, kind="stable")  # ties: lower index first
    mentor_rank = np.argsort(-mentor_pref, axis=1, kind="stable")
    mentors, mentees = [f"h{j}" for j in range(m)], [f"r{i}" for i in range(n)]
    residents = {
        mentees[i]: [mentors[j] for j in row] for i, row in enumerate(mentee_rank.tolist())
    }
    hospitals = {
        mentors[j]: [mentees[i] for i in row] for j, row in enumerate(mentor_rank.tolist())
    }
    capacities = {mentors[j]: int(c) for j, c in enumerate(graph.capacity)}
    return residents, hospitals, capacities


def _hr_players(graph: CandidateGraph):
    """`matching`'s resident and hospital players, built before the clock starts."""
    from matching.games.hospital_resident import _make_players

    return _make_players(*_hr_dictionaries(graph))


def _matching_hr(graph: CandidateGraph, players) -> dict:
    from matching.algorithms.hospital_resident import resident_optimal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solution = resident_optimal(*players)
    mentor_of = np.full(graph.n_mentees, -1)
    for hospital, residents in solution.items():
        for resident in residents:
            mentor_of[int(resident.name[1:])] = int(hospital.name[1:])
    return {"mentor_of": mentor_of}


def _memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _child(size: str, seed: int, method: str, queue) -> None:
    graph, dense = make_instance(size, seed)
    prepared = _hr_players(graph) if method == "matching-hr" else None
    if method in TOP_K:
        graph = top_k_graph(graph, dense)
        del dense
    before = _memory_kb("VmRSS")
    start, start_cpu = time.perf_counter(), time.process_time()
    if method == "tandem-topk":
        out = run_tandem(graph, "optimal")
    elif method == "ortools-topk":
        out = _ortools_dense(graph)
    elif method.startswith("tandem-"):
        out = run_tandem(graph, method.removeprefix("tandem-"))
    elif method == "scipy-lsa":
        out = _scipy_lsa(graph, dense)
    elif method in ("ortools-dense", "ortools-edges"):
        out = _ortools_dense(graph, dense)
    elif method == "scipy-sparse":
        out = _scipy_sparse(graph)
    else:
        out = _matching_hr(graph, prepared)
    out["seconds"] = time.perf_counter() - start
    out["cpu_seconds"] = time.process_time() - start_cpu
    out["peak_mb"] = (_memory_kb("VmHWM") - before) / 1024
    queue.put(out)


def run_method(size: str, seed: int, method: str) -> dict:
    """Run one method in a fresh process; returns its assignment, time and peak memory."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(size, seed, method, queue))
    process.start()
    while True:
        try:
            out = queue.get(timeout=1.0)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"{method} crashed (exit code {process.exitcode})") from None
    process.join()
    return out


def _measure(graph: CandidateGraph, out: dict) -> dict:
    mentor_of = out["mentor_of"]
    matched = np.flatnonzero(mentor_of >= 0)
    key = graph.mentee.astype(np.int64) * graph.n_mentors + graph.mentor
    wanted = matched * graph.n_mentors + mentor_of[matched]
    order = np.argsort(key)
    scores = graph.score[order[np.searchsorted(key, wanted, sorter=order)]]
    return {
        **out,
        "matched": len(matched),
        "total": math.fsum(scores.tolist()),
        "min": float(scores.min()) if len(scores) else math.nan,
        "blocking": count_blocking_pairs(graph, mentor_of),
    }


def _print_tables(rows: dict) -> None:
    head = "| method | wall s | CPU s | solve s | peak MB | matched | total score | min score |"
    # tandem-topk and ortools-topk are measured on the top-k graph but scored here on the
    # whole instance, whose pairs include theirs. CPU s (the process's CPU time over the
    # call) moves far less than wall time when other work shares the machine.
    print(head + " blocking | upper bound |")
    print("|" + "---|" * 10)
    for name, r in rows.items():
        solve_s = f"{r['phases']['solve']:.2f}" if "phases" in r else ""
        bound = f"{r['upper_bound']:.6f}" if "upper_bound" in r else ""
        print(
            f"| {name} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {solve_s} | "
            f"{r['peak_mb']:.0f} | {r['matched']} | {r['total']:.6f} | {r['min']:.6f} | "
            f"{r['blocking']} | {bound} |"
        )
    print("\n| tandem vs baseline | speed-up, wall | speed-up, CPU | memory ratio | total ratio |")
    print("|---|---|---|---|---|")
    for name, against in COMPARE.items():
        for base in against:
            if name in rows and base in rows:
                t, b = rows[name], rows[base]
                print(
                    f"| {name} vs {base} | {b['seconds'] / t['seconds']:.1f}x | "
                    f"{b['cpu_seconds'] / t['cpu_seconds']:.1f}x | "
                    f"{t['peak_mb'] / max(b['peak_mb'], 1):.2f} | {t['total'] / b['total']:.9f} |"
                )


def _verify(rows: dict) -> bool:
    ok = True
    for scipy in ("scipy-lsa", "scipy-sparse"):
        if "tandem-optimal" in rows and scipy in rows:
            mine, theirs = rows["tandem-optimal"]["total"], rows[scipy]["total"]
            same = abs(mine - theirs) <= 1e-6 * abs(theirs) and (
                rows["tandem-optimal"]["matched"] == rows[scipy]["matched"]
            )
            print(
                f"optimal total == {scipy} total (1e-6 relative): {'PASS' if same else 'FAIL'} "
                f"({mine:.9f} vs {theirs:.9f})"
            )
            ok &= same
    if "tandem-stable" in rows and "matching-hr" in rows:
        same = np.array_equal(rows["tandem-stable"]["mentor_of"], rows["matching-hr"]["mentor_of"])
        print(f"stable identical to matching's HospitalResident: {'PASS' if same else 'FAIL'}")
        ok &= same
    for mine, theirs in (
        ("tandem-optimal", "ortools-dense"),
        ("tandem-optimal", "ortools-edges"),
        ("tandem-topk", "ortools-topk"),
    ):
        if mine in rows and theirs in rows:
            a, b = rows[mine], rows[theirs]
            # OR-Tools optimises scores rounded to 1e-6: its total may trail by n * 5e-7.
            same = a["matched"] == b["matched"] and a["total"] >= b["total"] - 5e-7 * a["matched"]
            print(
                f"{mine} matched == {theirs}, total >= (up to its 1e-6 rounding): "
                f"{'PASS' if same else 'FAIL'} ({a['total']:.9f} vs {b['total']:.9f})"
            )
            ok &= same
    for name in ("tandem-optimal", "tandem-topk"):
        if name in rows:
            r = rows[name]
            print(f"{name} proven gap (upper bound - total): {r['upper_bound'] - r['total']:.3e}")
    return ok


def _reset_peak() -> bool:
    """Reset VmHWM (Linux >= 4.0) so the next peak belongs to the next phase alone."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_graph(graph: CandidateGraph, *, outside_bound=None, objectives=TANDEM) -> dict:
    """In-process hook for end-to-end runs (the lead's ``--size huge`` from CSV).

    Runs the Tandem objectives on a ready ``graph`` (e.g. from the feature engineer's
    candidate generation, with its ``outside_bound``) and returns rows for
    ``_print_tables``. Peak memory is VmHWM after a reset (see ``_reset_peak``) minus VmRSS
    before the call; if the reset is not allowed it is the process peak so far.

    Examples
    --------
    >>> graph, _ = make_instance("small", 0)  # doctest: +SKIP
    >>> _print_tables(run_graph(graph))  # doctest: +SKIP
    """
    rows = {}
    for method in objectives:
        _reset_peak()
        before = _memory_kb("VmRSS")
        start, start_cpu = time.perf_counter(), time.process_time()
        out = run_tandem(graph, method.removeprefix("tandem-"), outside_bound)
        out["seconds"] = time.perf_counter() - start
        out["cpu_seconds"] = time.process_time() - start_cpu
        out["peak_mb"] = (_memory_kb("VmHWM") - before) / 1024
        rows[method] = _measure(graph, out)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--skip-slow-baselines",
        action="store_true",
        help="skip matching's HospitalResident (tens of minutes at the medium size)",
    )
    parser.add_argument(
        "--methods",
        type=lambda text: text.split(","),
        help="comma-separated subset to run, e.g. tandem-stable,matching-hr",
    )
    args = parser.parse_args(argv)
    graph, dense = make_instance(args.size, args.seed)
    methods = list(TANDEM)
    if SIZES[args.size]["kind"] == "clustered":
        methods += ["ortools-dense", *TOP_K]  # scipy-lsa: 100 s and 0.8 GB; HR: dense only
    elif dense is not None:
        methods += [b for b in BASELINES if not (args.skip_slow_baselines and b in SLOW)]
    else:
        methods.append("ortools-edges")
        expanded = int(graph.capacity[graph.mentor].sum())
        if expanded <= SCIPY_SPARSE_MAX:
            methods.append("scipy-sparse")
        else:
            print(f"scipy-sparse skipped: {expanded} capacity-expanded pairs > {SCIPY_SPARSE_MAX}")
    if args.methods:
        unknown = set(args.methods) - set(TANDEM + BASELINES + TOP_K + SPARSE_BASELINES)
        if unknown:
            parser.error(f"unknown method(s): {', '.join(sorted(unknown))}")
        methods = [m for m in methods if m in args.methods]
    print(
        f"instance: {args.size} seed {args.seed}: {graph.n_mentees} mentees x "
        f"{graph.n_mentors} mentors, {graph.n_edges} pairs, {int(graph.capacity.sum())} seats"
    )
    rows = {}
    for method in methods:
        try:
            rows[method] = _measure(graph, run_method(args.size, args.seed, method))
        except RuntimeError as error:
            print(f"  {method}: {error}", flush=True)
            continue
        print(f"  {method}: {rows[method]['seconds']:.2f} s", flush=True)
    print()
    _print_tables(rows)
    print()
    return 0 if _verify(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
