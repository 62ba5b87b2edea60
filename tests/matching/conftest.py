"""Shared fixtures for the matching tests."""

from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import dataclass, field

import numpy as np
import pytest


@dataclass
class _Assignment:
    mentor_of: np.ndarray
    score_of: np.ndarray
    objective: str
    upper_bound: float | None = None
    blocking_pairs: int = 0
    phase_seconds: dict = field(default_factory=dict)


def _greedy_solve(
    graph,
    *,
    objective,
    pinned=(),
    forbidden=(),
    group_of_mentee=None,
    group_floor=None,
    seed=0,
    progress=None,
    outside_bound=None,
):
    """Stand-in used only while ``tandem.matching.solve`` does not exist yet."""
    mentor_of = np.full(graph.n_mentees, -1)
    score_of = np.full(graph.n_mentees, np.nan)
    load = np.zeros(graph.n_mentors, dtype=int)
    for i, j in pinned:
        mentor_of[i] = j
        load[j] += 1
    for e in np.argsort(-graph.score, kind="stable"):
        i, j = int(graph.mentee[e]), int(graph.mentor[e])
        if mentor_of[i] < 0 and load[j] < graph.capacity[j]:
            mentor_of[i], load[j] = j, load[j] + 1
    for e in range(graph.n_edges):
        if mentor_of[graph.mentee[e]] == graph.mentor[e]:
            score_of[graph.mentee[e]] = graph.score[e]
    return _Assignment(mentor_of, score_of, objective, float(np.nansum(score_of)))


def _greedy_causes(graph, mentor_of):
    has_edges = np.bincount(graph.mentee, minlength=graph.n_mentees) > 0
    return [
        None if j >= 0 else ("all_compatible_full" if has_edges[i] else "no_edges")
        for i, j in enumerate(mentor_of)
    ]


@pytest.fixture
def solver(monkeypatch):
    """The real solver when it exists, else a greedy stand-in with the same interface."""
    if importlib.util.find_spec("tandem.matching.solve") is None:
        module = types.ModuleType("tandem.matching.solve")
        module.solve, module.unmatched_causes = _greedy_solve, _greedy_causes
        monkeypatch.setitem(sys.modules, "tandem.matching.solve", module)
    return importlib.import_module("tandem.matching.solve")
