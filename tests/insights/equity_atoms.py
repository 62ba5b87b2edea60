"""Random person-level data for the equity tests, and an auditor that works in the full atom
space (no blocks, no coordinates) to check the fast one against."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from tandem.insights.equity.family import EquityData
from tandem.insights.equity.metrics import INDEX, METRICS, QUANTITIES
from tandem.insights.equity.suppression import Decisions


def person(rng: np.random.Generator) -> np.ndarray:
    """One mentee's quantities, consistent with each other."""
    values = np.zeros(len(QUANTITIES))
    values[INDEX["enrolled"]] = 1
    if rng.random() < 0.7:
        values[INDEX["matched"]] = 1
        weeks = float(rng.integers(0, 12))
        values[INDEX["weeks"]], values[INDEX["weeks_sq"]] = weeks, weeks * weeks
        values[INDEX["ended_early"]] = rng.random() < 0.2
        values[INDEX["rematched"]] = rng.random() < 0.2
        if rng.random() < 0.6:
            score = float(rng.integers(1, 10)) / 10
            values[[INDEX["scored"], INDEX["score"], INDEX["score_sq"]]] = 1, score, score**2
        if rng.random() < 0.5:
            rating = float(rng.integers(1, 6))
            values[[INDEX["answered"], INDEX["satisfaction"], INDEX["satisfaction_sq"]]] = (
                1,
                rating,
                rating**2,
            )
        if rng.random() < 0.6:
            share = float(rng.integers(0, 3)) / 2
            values[[INDEX["with_goals"], INDEX["goal_share"], INDEX["goal_share_sq"]]] = (
                1,
                share,
                share**2,
            )
    return values


def build(atoms: np.ndarray, membership: np.ndarray) -> EquityData:
    """``atoms[p, t, c, k]`` summed quantities; ``membership[c, g]`` the combinations (each
    held by someone: ``random_atoms`` drops the others)."""
    return EquityData(
        programs=tuple(range(101, 101 + atoms.shape[0])),
        first_quarter=2025 * 4,
        names=tuple(f"group {g}" for g in range(membership.shape[1])),
        combos=membership,
        groups=np.einsum("ptck,cg->ptgk", atoms, membership.astype(np.float64)),
        totals=atoms.sum(axis=2),
    )


def random_atoms(
    rng: np.random.Generator, programs: int, quarters: int, groups: int, density: float
) -> tuple[np.ndarray, np.ndarray]:
    combos = np.array(list(itertools.product([False, True], repeat=groups)), dtype=bool)
    keep = rng.random(len(combos)) < density
    keep[0] = True  # people who shared nothing listed
    membership = combos[keep]
    atoms = np.zeros((programs, quarters, len(membership), len(QUANTITIES)))
    for p, t, c in np.ndindex(programs, quarters, len(membership)):
        for _ in range(int(rng.integers(0, 7)) if rng.random() < 0.8 else 0):
            atoms[p, t, c] += person(rng)
    atoms[0, 0, 0] += person(rng)  # someone, somewhere
    present = atoms[..., INDEX["enrolled"]].sum(axis=(0, 1)) > 0
    return atoms[:, :, present], membership[present]


def atom_rows(data: EquityData, membership: np.ndarray, group: int | None) -> np.ndarray:
    """``[s, r, atom]``: the atom-indicator vector of every (scope, range) cell of a group
    (``None``: everyone), over atoms (program, quarter, combination)."""
    member = np.ones(len(membership), bool) if group is None else membership[:, group]
    cover = data.coverage  # [s, r, p * T + t]
    return (cover[..., :, None] & member[None, None, None, :]).reshape(*cover.shape[:2], -1)


def full_space_problems(data: EquityData, decisions: Decisions, membership: np.ndarray):
    """For every quantity: (published rows, withheld rows, withheld keys) over the atoms that are
    not known to be zero."""
    for quantity in QUANTITIES:
        known = np.repeat(data.known_zero(quantity), len(membership))
        totals = atom_rows(data, membership, None).reshape(-1, known.size)[:, ~known]
        published, withheld, keys = [totals], [], []
        for g in range(len(data.names)):
            rows = atom_rows(data, membership, g)[..., ~known]
            shown = np.zeros(rows.shape[:2], bool)
            hidden = np.zeros(rows.shape[:2], bool)
            for metric in METRICS:
                if quantity in metric.shown():
                    shown |= ~decisions.withheld[metric.key][..., g]
                if quantity in metric.protected():
                    hidden |= decisions.withheld[metric.key][..., g]
            published.append(rows[shown])
            withheld.append(rows[hidden])
            keys += [
                (quantity, int(s), int(r), g) for s, r in zip(*np.nonzero(hidden), strict=True)
            ]
        yield (
            quantity,
            totals.astype(np.float64),
            np.vstack(published).astype(np.float64),
            np.vstack(withheld).astype(np.float64) if withheld else np.zeros((0, (~known).sum())),
            keys,
        )


def family_shapes(quarters: tuple[int, int]) -> st.SearchStrategy:
    """Random families' shapes: programs, quarters (between ``quarters``), listed groups, how
    many combinations of groups occur, and a seed."""
    return st.tuples(
        st.integers(1, 3),
        st.integers(*quarters),
        st.integers(1, 3),
        st.floats(0.2, 1.0),
        st.integers(0, 2**32 - 1),
    )


def random_family(shape: tuple[int, int, int, float, int]) -> tuple[EquityData, np.ndarray]:
    """The family of one shape, and which combinations of groups its atoms are."""
    programs, quarters, groups, density, seed = shape
    atoms, membership = random_atoms(
        np.random.default_rng(seed), programs, quarters, groups, density
    )
    return build(atoms, membership), membership
