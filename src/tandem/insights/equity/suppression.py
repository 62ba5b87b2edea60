"""Which equity figures are withheld: the primary rule, then complementary suppression until no
withheld figure can be worked out exactly from everything published (see ``audit``).

Decisions are made once for the whole family (every program, the site, every range, every
group and figure), so a program's admins and the site's staff see the same withholdings and
no view can show what another hides.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy as sp
from threadpoolctl import threadpool_limits

from tandem.insights.equity.audit import RowSpace, blocks
from tandem.insights.equity.family import EquityData
from tandem.insights.equity.metrics import INDEX, METRICS, QUANTITIES
from tandem.insights.equity.perturb import MAX_TARGET_SLICES, anchors_of, changing, pool

Key = tuple[int, int, int]  # (scope, range, group)


@dataclass(frozen=True)
class Decisions:
    withheld: dict[str, np.ndarray]  # metric key -> [scope, range, group] bool
    # Withheld figures whose quantity equals what the totals alone tell (a cell of nobody, or a
    # group everyone on the site shares): nothing can hide them, and hiding them reveals nothing
    # the totals do not.
    exposed: frozenset[tuple[str, int, int, int]]
    # False: the audit ran out of its budget, and every group figure is withheld instead.
    complete: bool = True


@dataclass(frozen=True)
class Fixed:
    """What an earlier release decided, in this family's indices: figures withheld then stay
    withheld, and quantities published then stay published (like the totals, they can no
    longer be hidden, so the audit must protect everything else around them)."""

    withheld: dict[str, np.ndarray]  # metric key -> [scope, range, group] bool
    published: dict[str, np.ndarray]  # quantity -> [scope, range, group] bool


class OutOfBudget(Exception):
    """The audit would take longer than its budget."""


@dataclass
class _Problem:
    """One quantity in one block: the published rows and the withheld targets."""

    published: np.ndarray
    published_keys: list[Key | None]  # None: a total, never withheld
    targets: np.ndarray
    target_keys: list[Key]


class _Suppressor:
    def __init__(
        self, data: EquityData, deadline: float | None = None, fixed: Fixed | None = None
    ) -> None:
        self.data = data
        self.deadline = deadline
        self.withheld = {m.key: data.primary(m) for m in METRICS}
        self.exposed = {q: np.zeros_like(self.withheld[METRICS[0].key]) for q in QUANTITIES}
        self.pinned = {q: np.zeros_like(self.exposed[q]) for q in QUANTITIES}
        if fixed is not None:
            for key, mask in fixed.withheld.items():
                self.withheld[key] |= mask
            self.pinned = fixed.published
        self.blocks = [b for b in blocks(data.combos) if any(c > 0 for c in b.columns)]
        self.block_of = {c: n for n, b in enumerate(self.blocks) for c in b.columns}
        self.cost = data.group_cells[..., INDEX["enrolled"]]
        self.coverage = data.coverage.reshape(-1, data.coverage.shape[-1]).astype(np.float64)
        self.rows: dict[tuple[bytes, int, int], np.ndarray] = {}
        self.proofs: dict[tuple[str, int], np.ndarray] = {}  # perturbations (columns) found
        self.pools: dict[tuple[bytes, bytes, int], sp.sparse.csc_array] = {}

    def block_rows(self, quantity: str, block: int, position: int) -> np.ndarray:
        """Every (scope, range) row of one column of a block, over the slices not known zero."""
        slices = ~self.data.known_zero(quantity)
        key = (slices.tobytes(), block, position)
        if key not in self.rows:
            coordinates = self.blocks[block].coordinates[:, position]
            self.rows[key] = np.kron(self.coverage[:, slices], coordinates)
        return self.rows[key]

    def problem(self, quantity: str, block: int) -> _Problem:
        n_ranges = self.data.coverage.shape[1]
        published: list[np.ndarray] = []
        targets: list[np.ndarray] = []
        published_keys: list[Key | None] = []
        target_keys: list[Key] = []
        for position, column in enumerate(self.blocks[block].columns):
            rows = self.block_rows(quantity, block, position)
            if column == 0:
                published.append(rows)
                published_keys += [None] * len(rows)
                continue
            g = column - 1
            shown = np.zeros(self.cost.shape[:2], dtype=bool)
            hidden = np.zeros(self.cost.shape[:2], dtype=bool)
            for metric in METRICS:
                if quantity in metric.shown():
                    shown |= ~self.withheld[metric.key][..., g]
                if quantity in metric.protected():
                    hidden |= self.withheld[metric.key][..., g]
            hidden &= ~self.exposed[quantity][..., g]
            for mask, into, keys in (
                (shown, published, published_keys),
                (hidden, targets, target_keys),
            ):
                flat = np.flatnonzero(mask.reshape(-1))
                into.append(rows[flat])
                keys += [(int(i) // n_ranges, int(i) % n_ranges, g) for i in flat]
            pinned = self.pinned[quantity][..., g].reshape(-1)[np.flatnonzero(shown.reshape(-1))]
            start = len(published_keys) - len(pinned)
            for n in np.flatnonzero(pinned):  # published by an earlier release: like a total
                published_keys[start + int(n)] = None
        return _Problem(np.vstack(published), published_keys, np.vstack(targets), target_keys)

    def settle(self, quantity: str, block: int) -> set[Key]:
        """Withhold until no target of this quantity in this block is recoverable; returns the
        cells newly withheld.

        Each perturbation found is kept: it stays a proof while cells are only ever withheld, so
        a target it changes needs no more work, and one SVD serves a whole round of targets."""
        changed: set[Key] = set()
        while True:
            problem = self.problem(quantity, block)
            proofs = self.proofs.get((quantity, block))
            if proofs is None:
                proofs = np.zeros((problem.published.shape[1], 0))
            proven = (np.abs(problem.targets @ proofs) > 1e-9).any(axis=1)
            if proven.all():
                return changed
            space = RowSpace.of(problem.published)
            found = [int(i) for i in np.flatnonzero(space.recoverable(problem.targets) & ~proven)]
            if not found:
                return changed
            proofs, done = self.one_round(quantity, block, problem, space, found, proofs, changed)
            self.proofs[(quantity, block)] = proofs
            if done:
                # Every target found is now proven or exposed, and the others were not
                # recoverable before cells were withheld, so they are not now.
                return changed

    def one_round(
        self,
        quantity: str,
        block: int,
        problem: _Problem,
        space: RowSpace,
        found: list[int],
        proofs: np.ndarray,
        changed: set[Key],
    ) -> tuple[np.ndarray, bool]:
        """Protect the recoverable targets ``found`` with one row space; ``False`` when a cell
        had to be withheld without a proof, so the row space must be found again."""
        costs = np.array([np.inf if k is None else self.cost[k] for k in problem.published_keys])
        stale = False  # cells withheld since ``space`` was found
        for target in found:
            self.check_time()
            vector = problem.targets[target]
            if not vector.any():  # a cell of nobody: the totals tell it is zero
                self.exposed[quantity][problem.target_keys[target]] = True
                continue
            if (np.abs(vector @ proofs) > 1e-9).any():
                continue
            found_delta = self.perturbation(quantity, block, problem, target, costs)
            if found_delta is None:
                if stale or self.fall_back(quantity, problem, space, target, costs, changed):
                    return proofs, False
                continue  # exposed, nothing withheld: ``space`` still holds
            stale = True
            rows, delta = found_delta
            proofs = np.column_stack([proofs, delta])
            for row in rows:
                costs[row] = np.inf  # withheld now: no longer published
                self.withhold(quantity, problem.published_keys[row], changed)
        return proofs, True

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise OutOfBudget

    def withhold(self, quantity: str, key: Key | None, changed: set[Key]) -> None:
        assert key is not None
        for metric in METRICS:
            if quantity in metric.shown():
                self.withheld[metric.key][key] = True
        changed.add(key)

    def fall_back(
        self,
        quantity: str,
        problem: _Problem,
        space: RowSpace,
        target: int,
        costs: np.ndarray,
        changed: set[Key],
    ) -> bool:
        """No pattern fits (each would change a total): withhold one cell the minimum-norm
        combination uses (``True``), or, when it uses the totals alone, record the target as
        exposed (``False``: nothing published changed)."""
        weight = np.abs(space.weights(problem.targets[[target]])[:, 0])
        weight[~np.isfinite(costs)] = 0.0
        if not (weight > 1e-7).any():
            self.exposed[quantity][problem.target_keys[target]] = True
            return False
        row = self.choose(weight, costs, (weight > 1e-7) & space.essential())
        self.withhold(quantity, problem.published_keys[row], changed)
        return True

    def perturbation(
        self, quantity: str, block: int, problem: _Problem, target: int, costs: np.ndarray
    ) -> tuple[list[int], np.ndarray] | None:
        """The cheapest candidate perturbation that changes the target and no total, with the
        published rows it changes (to withhold); ``None`` if every candidate changes a total.
        Rows whose cost is infinite are totals, or cells withheld since ``problem`` was built."""
        deltas = changing(
            self.pool(quantity, block, problem.targets[target]), problem.targets[target]
        )
        touched = np.abs((deltas.T @ problem.published.T).T) > 1e-9
        totals = np.array([k is None for k in problem.published_keys], dtype=bool)
        valid = ~touched[totals].any(axis=0)
        if not valid.any():
            return None
        alive = np.isfinite(costs)
        # The fewest people newly hidden, then the fewest cells.
        price = touched[alive].T.astype(np.float64) @ (costs[alive] + 1e-3)
        best = int(np.argmin(np.where(valid, price, np.inf)))
        delta = deltas[:, [best]].toarray()[:, 0]
        return [int(row) for row in np.flatnonzero(touched[:, best] & alive)], delta

    def pool(self, quantity: str, block: int, target: np.ndarray) -> sp.sparse.csc_array:
        """The candidate patterns anchored at the target's slices; many targets (other
        groups, other quantities) share them, so they are built once."""
        kept = ~self.data.known_zero(quantity)
        coordinates = self.blocks[block].coordinates
        anchors = anchors_of(kept, target, coordinates.shape[0])[:MAX_TARGET_SLICES]
        key = (kept.tobytes(), anchors.tobytes(), block)
        if key not in self.pools:
            self.pools[key] = pool(
                len(self.data.programs),
                self.data.quarters,
                kept,
                anchors,
                coordinates,
                self.blocks[block].columns,
            )
        return self.pools[key]

    @staticmethod
    def choose(weight: np.ndarray, costs: np.ndarray, essential: np.ndarray) -> int:
        """The row to withhold for one target: the cheapest row every combination needs, if
        there is one (withholding it is enough); otherwise, among the rows that weigh most in
        the combination (within half of the heaviest: the cells most like the target), the
        cheapest. Among equal costs, the first in the family's order."""
        if essential.any():
            return int(np.argmin(np.where(essential, costs, np.inf)))
        heavy = weight >= 0.5 * weight.max()
        return int(np.argmin(np.where(heavy, costs, np.inf)))

    def run(self) -> Decisions:
        work = [(q, b) for b in range(len(self.blocks)) for q in QUANTITIES]
        queued = set(range(len(work)))
        index = {item: n for n, item in enumerate(work)}
        while queued:
            self.check_time()
            position = min(queued)
            queued.discard(position)
            quantity, block = work[position]
            for _, _, g in self.settle(quantity, block):
                # Every figure of the cell may have changed: its block's quantities again.
                queued |= {index[(q, self.block_of[g + 1])] for q in QUANTITIES}
        exposed = frozenset(
            (q, int(s), int(r), int(g))
            for q, mask in self.exposed.items()
            for s, r, g in np.argwhere(mask)
        )
        return Decisions(self.withheld, exposed)


def withhold_every_group(data: EquityData) -> Decisions:
    """The safe answer when the audit is not run to the end: every group figure withheld, so
    only the totals are published and no figure can be worked out from the others."""
    everything = np.ones((data.scopes, len(data.ranges), len(data.names)), dtype=bool)
    return Decisions({m.key: everything.copy() for m in METRICS}, frozenset(), complete=False)


def decide(data: EquityData, budget: float | None = None, fixed: Fixed | None = None) -> Decisions:
    """The withheld figures of the whole family (primary and complementary); with a
    ``budget`` in seconds, every group figure withheld instead if the audit would take longer
    (never a partial answer).

    One BLAS thread: the matrices are small and many, and threads fighting over a busy
    machine's cores made this twenty times slower."""
    if not data.names or data.quarters == 0:
        fixed_withheld = {} if fixed is None else fixed.withheld
        return Decisions(
            {m.key: data.primary(m) | fixed_withheld.get(m.key, False) for m in METRICS},
            frozenset(),
        )
    deadline = None if budget is None else time.monotonic() + budget
    with threadpool_limits(limits=1):
        try:
            return _Suppressor(data, deadline, fixed).run()
        except OutOfBudget:
            return withhold_every_group(data)
