"""One entry point for every objective: ``solve(graph, objective=...) -> Assignment``.

Hard constraints (pins, forbidden pairs) are applied first, one solver from
``tandem.matching.solvers`` runs on what is left, and the result is reported with a proven
upper bound, its blocking pairs and the cause of each unmatched mentee.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from numbers import Real

import numpy as np

from tandem.matching.graph import CandidateGraph, check_capacity
from tandem.matching.solvers.bounds import lagrangian_bound
from tandem.matching.solvers.constraints import Residual, apply_constraints, lift
from tandem.matching.solvers.fair import fair_edges
from tandem.matching.solvers.groups import floor_edges
from tandem.matching.solvers.quality import (
    ALL_COMPATIBLE_FULL,
    GROUP_FLOOR,
    NO_EDGES,
    NOT_SELECTED,
    blocking_count,
    causes_of,
    count_blocking_pairs,
    unmatched_causes,
)
from tandem.matching.solvers.shortlist import proven_optimal
from tandem.matching.solvers.stable import deferred_acceptance

__all__ = [
    "ALL_COMPATIBLE_FULL",
    "GROUP_FLOOR",
    "NOT_SELECTED",
    "NO_EDGES",
    "OBJECTIVES",
    "Assignment",
    "CandidateGraph",
    "count_blocking_pairs",
    "solve",
    "unmatched_causes",
]

OBJECTIVES = ("optimal", "fair", "stable")
UNKNOWN_OBJECTIVE = "Unknown objective {objective!r}: use 'optimal', 'fair' or 'stable'."
GROUP_FLOOR_NEEDS_GROUPS = "group_floor needs group_of_mentee: a group label or None per mentee."
GROUP_FLOOR_NOT_STABLE = (
    "A group floor cannot be combined with the 'stable' objective, where stability alone "
    "decides who is matched. Use 'optimal' or 'fair'."
)
GROUP_FLOOR_NEGATIVE = "group_floor must be a finite number >= 0 (1.0 means equal match rates)."
OUTSIDE_BOUND_SHAPE = "outside_bound needs one value per mentee ({expected}), got {got}."

# How the upper bound was obtained (Assignment.bound_method).
BOUND_LP_DUAL = "lp_dual"
BOUND_ZERO_PRICES = "zero_prices"


@dataclass(frozen=True)
class Assignment:
    """The result of :func:`solve`, in Python types.

    Attributes
    ----------
    objective : str
    mentor_of : tuple of int
        Mentor index per mentee, -1 if unmatched.
    score_of : tuple of float or None
        Score of each mentee's pair, None if unmatched.
    n_matched : int
    total_score : float
        Sum of the matched scores, summed exactly in float (not the solver's integers).
    min_score : float or None
        Worst-off matched mentee's score.
    upper_bound : float
        Proven upper bound on the `optimal` objective's total (so ``gap`` is measured, never
        assumed); with ``outside_bound`` it also covers pairs outside the candidate graph.
    bound_method : str
        ``"lp_dual"`` (flow potentials: tight) or ``"zero_prices"`` (cheap, looser).
    blocking_pairs : int
        Allowed pairs who both strictly prefer each other to their assignment.
    unmatched_cause : tuple of str or None
        Per mentee, see :func:`~tandem.matching.solvers.quality.unmatched_causes`.
    phase_seconds : dict of str to float
        Wall time of each phase: constraints, solve, bound, report.
    """

    objective: str
    mentor_of: tuple[int, ...]
    score_of: tuple[float | None, ...]
    n_matched: int
    total_score: float
    min_score: float | None
    upper_bound: float
    bound_method: str
    blocking_pairs: int
    unmatched_cause: tuple[str | None, ...]
    phase_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """``upper_bound - total_score``: how far from the best total this result may be."""
        return self.upper_bound - self.total_score

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The matched (mentee, mentor) pairs, by mentee."""
        return [(i, j) for i, j in enumerate(self.mentor_of) if j >= 0]


@dataclass
class _Phases:
    progress: Callable[[str, int, int], None] | None
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str, step: int) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name, step, 4)
        start = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - start, 6)


@dataclass
class _Solved:
    edge_of: np.ndarray  # residual edge id per mentee
    optimal: np.ndarray | None = None  # a proven optimal assignment...
    prices: np.ndarray | None = None  # ...and the mentor prices (LP duals) that prove it


def _check_arguments(
    graph: CandidateGraph,
    objective: str,
    group_of_mentee: Sequence | None,
    group_floor: float | None,
    outside_bound: Sequence[float] | np.ndarray | None,
) -> None:
    if objective not in OBJECTIVES:
        raise ValueError(UNKNOWN_OBJECTIVE.format(objective=objective))
    check_capacity(graph)  # from_edges checked the edges; the capacity may have been replaced
    if group_floor is not None:
        if group_of_mentee is None:
            raise ValueError(GROUP_FLOOR_NEEDS_GROUPS)
        if objective == "stable":
            raise ValueError(GROUP_FLOOR_NOT_STABLE)
        # infinity passed ">= 0" and then failed as an OverflowError in CP-SAT's model
        # (families check); a string failed as a TypeError
        if not (isinstance(group_floor, Real) and math.isfinite(group_floor) and group_floor >= 0):
            raise ValueError(GROUP_FLOOR_NEGATIVE)
    if outside_bound is not None and np.shape(outside_bound) != (graph.n_mentees,):
        raise ValueError(
            OUTSIDE_BOUND_SHAPE.format(expected=graph.n_mentees, got=np.shape(outside_bound))
        )


def _usable(graph: CandidateGraph) -> CandidateGraph:
    """``graph`` with each capacity cut to the number of mentees, which no mentor can exceed:
    "unlimited" given as the int64 maximum overflowed the seat sums (stable failed, or
    claimed an upper bound of 0; fair's floor search failed)."""
    if int(graph.capacity.max(initial=0)) <= graph.n_mentees:
        return graph
    return replace(graph, capacity=np.minimum(graph.capacity, graph.n_mentees))


def _run(
    residual: Residual,
    objective: str,
    group_of_mentee: Sequence | None,
    group_floor: float | None,
    seed: int,
) -> _Solved:
    graph = residual.graph
    if objective == "stable":
        return _Solved(deferred_acceptance(graph))
    proven = proven_optimal(graph)
    optimal = proven.edge_of
    if group_floor is not None and group_of_mentee is not None:  # a floor comes with groups
        pinned = np.zeros(graph.n_mentees, dtype=bool)
        pinned[residual.pinned_mentees] = True
        fair = objective == "fair"
        edge_of = floor_edges(
            graph, group_of_mentee, group_floor, fair=fair, pinned=pinned, seed=seed
        )
    elif objective == "fair":
        edge_of = fair_edges(graph, proven)
    else:
        edge_of = optimal
    return _Solved(edge_of, optimal, proven.prices)


def _upper_bound(
    residual: Residual,
    solved: _Solved,
    outside_bound: Sequence[float] | np.ndarray | None,
    pinned_total: float,
) -> tuple[float, str]:
    """Pinned scores plus a Lagrangian bound on the residual problem (see ``bounds``)."""
    graph = residual.graph
    if solved.prices is None:  # no proven optimum (and so no prices)
        prices, method = np.zeros(graph.n_mentors), BOUND_ZERO_PRICES
    else:
        prices, method = solved.prices, BOUND_LP_DUAL
    free = np.ones(graph.n_mentees, dtype=bool)
    free[residual.pinned_mentees] = False
    seats = int(graph.capacity.clip(min=0).sum())
    if outside_bound is not None:
        outside = np.where(free, np.asarray(outside_bound, dtype=np.float64), -np.inf)
        slots = min(int(free.sum()), seats)
        bound = lagrangian_bound(graph, prices, slots, outside_bound=outside)
    elif solved.optimal is None:
        with_edges = int(np.count_nonzero(np.bincount(graph.mentee, minlength=len(free))))
        bound = lagrangian_bound(graph, prices, min(with_edges, seats))
    else:
        # A bound for exactly K pairs covers only results with K pairs: a group floor that
        # matched fewer could, with negative scores, beat it (a negative gap; families check).
        slots = int(np.count_nonzero(solved.optimal >= 0))
        exact = int(np.count_nonzero(solved.edge_of >= 0)) == slots
        bound = lagrangian_bound(graph, prices, slots, exact_cardinality=exact)
    return pinned_total + bound, method


def _report(
    graph: CandidateGraph,
    residual: Residual,
    solved: _Solved,
    objective: str,
    bound: float,
    method: str,
    seconds: dict[str, float],
    floored: bool,
) -> Assignment:
    edge_of = lift(residual, solved.edge_of)
    matched = edge_of >= 0
    scores = graph.score[edge_of[matched]]
    mentor_of = np.full(graph.n_mentees, -1, dtype=np.int64)
    mentor_of[matched] = graph.mentor[edge_of[matched]]
    score_of: list[float | None] = [None] * graph.n_mentees
    for i, s in zip(np.flatnonzero(matched).tolist(), scores.tolist(), strict=True):
        score_of[i] = s
    return Assignment(
        objective=objective,
        mentor_of=tuple(mentor_of.tolist()),
        score_of=tuple(score_of),
        n_matched=int(matched.sum()),
        total_score=math.fsum(scores.tolist()),
        min_score=float(scores.min()) if len(scores) else None,
        upper_bound=float(bound),
        bound_method=method,
        blocking_pairs=blocking_count(graph, edge_of, residual.allowed),
        unmatched_cause=tuple(_causes(graph, edge_of, residual.allowed, floored)),
        phase_seconds=seconds,
    )


def _causes(
    graph: CandidateGraph, edge_of: np.ndarray, allowed: np.ndarray, floored: bool
) -> list[str | None]:
    """Why each mentee is unmatched: a mentor with room left over (``not_selected``) can only
    be the group floor's doing when one was set, and the cause says so."""
    causes = causes_of(graph, edge_of, allowed)
    if floored:
        causes = [GROUP_FLOOR if c == NOT_SELECTED else c for c in causes]
    return causes


def solve(
    graph: CandidateGraph,
    *,
    objective: str = "optimal",
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
    group_of_mentee: Sequence | None = None,
    group_floor: float | None = None,
    outside_bound: Sequence[float] | np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> Assignment:
    """Assign mentees to mentors under one objective, with a proven bound and diagnostics.

    Parameters
    ----------
    graph : CandidateGraph
        Allowed pairs with scores and mentor capacities; an absent pair is forbidden.
    objective : {"optimal", "fair", "stable"}
        ``optimal``: the most mentees matched, then the highest total score.
        ``fair``: the most matched, then the highest worst-off (minimum) matched score, then
        the highest total. ``stable``: mentee-proposing deferred acceptance on
        ``mentee_pref`` / ``mentor_pref`` (no blocking pair; the mentee-optimal one).
    pinned : iterable of (mentee, mentor)
        Pairs that must be in the result; they use up mentor capacity.
    forbidden : iterable of (mentee, mentor)
        Pairs that must not be in the result.
    group_of_mentee : sequence, optional
        Opt-in group label per mentee (None: no group). Used with ``group_floor``.
    group_floor : float, optional
        Each group's match rate must be at least ``group_floor`` times the rate of everyone
        else (``optimal`` and ``fair`` only; solved exactly with CP-SAT, cohort sizes).
    outside_bound : array of float, optional
        Per mentee, an upper bound on the score of any pair *not* in the graph. The upper
        bound then holds for the dense problem over all pairs, not only the candidates.
    seed : int
        Seeds CP-SAT (group floors). The other solvers are deterministic: the same inputs
        always give the same result.
    progress : callable, optional
        Called as ``progress(phase, step, n_steps)`` when each phase starts.

    Returns
    -------
    Assignment

    Raises
    ------
    ValueError
        Unknown objective; a capacity that is not one count >= 0 per mentor (the edges are
        checked when the graph is built, see :func:`~tandem.matching.graph.check_graph`); a pin
        that is not an allowed pair, repeats a mentee or overfills a mentor; a pair out of
        range; a group floor without groups, with ``stable``, that cannot be met given the
        pins, or that only holds if nobody is matched (some pair could be); an
        ``outside_bound`` of the wrong length.

    Notes
    -----
    ``optimal`` is one OR-Tools min-cost max-flow on the sparse graph (memory grows with the
    edges): the maximum flow of least cost, with scores rescaled to integers in
    ``0..2**31`` (each pair within ~5e-10 of the score range); the reported total is
    re-summed in float. ``fair`` finds the worst-off score by one descending sweep that keeps
    its matching (``solvers.bottleneck``), then maximises the total above it (min-cost flow).
    ``stable`` is vectorised deferred acceptance.
    The upper bound comes from LP duality with the optimal flow's node potentials as mentor
    prices (see ``tandem.matching.solvers.bounds``); for ``stable`` prices are zero. Pinned
    mentees are excluded from ``fair``'s worst-off score; blocking pairs are counted with
    pins in place, so a pin can cause some.

    References
    ----------
    .. [1] R. K. Ahuja, T. L. Magnanti, J. B. Orlin, *Network Flows*, 1993 (ch. 9-10, 12).
    .. [2] D. Gale, L. S. Shapley, "College admissions and the stability of marriage", 1962.

    Examples
    --------
    >>> g = CandidateGraph.from_edges(
    ...     3, 2, [0, 0, 1, 1, 2], [0, 1, 0, 1, 1], [1.0, 0.5, 0.5, 0.1, 0.05], [1, 1])
    >>> a = solve(g)
    >>> a.mentor_of, a.n_matched, round(a.total_score, 6), a.gap < 1e-6
    ((0, 1, -1), 2, 1.1, True)
    >>> solve(g, objective="fair").mentor_of
    (1, 0, -1)
    >>> solve(g, objective="stable", pinned=[(2, 1)]).unmatched_cause
    (None, 'all_compatible_full', None)
    """
    _check_arguments(graph, objective, group_of_mentee, group_floor, outside_bound)
    graph = _usable(graph)
    phases = _Phases(progress)
    with phases("constraints", 1):
        residual = apply_constraints(graph, pinned, forbidden)
    with phases("solve", 2):
        solved = _run(residual, objective, group_of_mentee, group_floor, seed)
    with phases("bound", 3):
        pinned_total = math.fsum(graph.score[residual.pinned_edges].tolist())
        bound, method = _upper_bound(residual, solved, outside_bound, pinned_total)
    with phases("report", 4):
        floored = group_floor is not None
        report = _report(graph, residual, solved, objective, bound, method, phases.seconds, floored)
    return report
