"""Solvers over a :class:`~tandem.matching.graph.CandidateGraph`.

Each takes a graph whose hard constraints are already applied (see ``constraints``) and
returns the used edge id per mentee (-1 if unmatched). ``tandem.matching.solve`` is the
public entry point that validates inputs, runs one of these and reports on the result.
"""

from tandem.matching.solvers.bounds import flow_prices, lagrangian_bound
from tandem.matching.solvers.fair import best_floor, fair_edges
from tandem.matching.solvers.flow import max_cardinality, optimal_edges
from tandem.matching.solvers.groups import floor_edges
from tandem.matching.solvers.quality import count_blocking_pairs, unmatched_causes
from tandem.matching.solvers.stable import deferred_acceptance

__all__ = [
    "best_floor",
    "count_blocking_pairs",
    "deferred_acceptance",
    "fair_edges",
    "floor_edges",
    "flow_prices",
    "lagrangian_bound",
    "max_cardinality",
    "optimal_edges",
    "unmatched_causes",
]
