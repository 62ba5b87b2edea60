"""The suppression auditor: which withheld cells could be worked out exactly, and the greedy
complementary suppression that withholds more until none can.

A published cell tells ``a · atoms`` for its atom-indicator vector ``a``; a withheld cell with
vector ``w`` is recoverable exactly (by differencing, adding or any other linear use of what is
published) iff ``w`` lies in the row space of the published vectors. Atoms known to be empty (a
published total of zero) are dropped first: they are known.

The atom space is large (programs x quarters x combinations of groups), but every cell's vector
is ``x ⊗ m`` with ``x`` the (program, quarter) slices it covers and ``m`` the column of its group
(or of everyone) in the matrix of combinations. Writing those columns in a basis of their span
changes no span membership; and the basis splits into blocks such that each group's column uses
one block only (groups that overlap in no exact linear way fall in separate blocks). The row
space is then the direct sum of the blocks', so each block is audited on its own, in a space of
(slices) x (block rank) dimensions: usually one group against the slices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy as sp

RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Block:
    """Columns (0: everyone, 1 + g: group g) whose vectors share one block of coordinates."""

    columns: tuple[int, ...]
    coordinates: np.ndarray  # rank x len(columns)


def blocks(combos: np.ndarray) -> list[Block]:
    """Split the columns ``[everyone, group 0, group 1, ...]`` of the combinations matrix into
    independent blocks with their coordinates in a basis of the block's span.

    >>> combos = np.array([[1, 1], [1, 0], [0, 0]], dtype=bool)
    >>> [b.columns for b in blocks(combos)]
    [(0,), (1,), (2,)]
    >>> same = np.array([[1, 1], [0, 0]], dtype=bool)  # the two groups hold the same people
    >>> [b.columns for b in blocks(same)]
    [(0,), (1, 2)]
    """
    matrix = np.column_stack([np.ones(len(combos)), combos.astype(np.float64)])
    _, triangle, order = sp.linalg.qr(matrix, pivoting=True, mode="economic")
    diagonal = np.abs(np.diag(triangle))
    rank = int(np.sum(diagonal > RELATIVE_TOLERANCE * max(diagonal.max(initial=0.0), 1.0)))
    basis = sorted(int(c) for c in order[:rank])
    coefficients = np.linalg.lstsq(matrix[:, basis], matrix, rcond=None)[0]
    coefficients[np.abs(coefficients) < RELATIVE_TOLERANCE] = 0.0
    parent = list(range(matrix.shape[1]))

    def root(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for column in range(matrix.shape[1]):
        for row in np.flatnonzero(coefficients[:, column]):
            parent[root(column)] = root(basis[int(row)])
    members: dict[int, list[int]] = {}
    for column in range(matrix.shape[1]):
        members.setdefault(root(column), []).append(column)
    found = []
    for columns in sorted(members.values()):
        rows = [k for k, b in enumerate(basis) if b in columns]
        found.append(Block(tuple(columns), coefficients[np.ix_(rows, columns)]))
    return found


@dataclass(frozen=True)
class RowSpace:
    """The row space of the published vectors, from their SVD ``U S V``."""

    left: np.ndarray  # rows x rank
    singular: np.ndarray  # rank
    basis: np.ndarray  # rank x atoms, orthonormal

    @classmethod
    def of(cls, published: np.ndarray) -> RowSpace:
        if len(published) == 0:
            width = published.shape[1]
            return cls(np.zeros((0, 0)), np.zeros(0), np.zeros((0, width)))
        left, singular, right = np.linalg.svd(published, full_matrices=False)
        keep = singular > RELATIVE_TOLERANCE * max(float(singular.max(initial=0.0)), 1.0)
        return cls(left[:, keep], singular[keep], right[keep])

    def recoverable(self, targets: np.ndarray) -> np.ndarray:
        """Which targets lie in the row space: their residual after projection is ~0."""
        residual = targets - (targets @ self.basis.T) @ self.basis
        scale = np.maximum(np.linalg.norm(targets, axis=1), 1.0)
        return np.linalg.norm(residual, axis=1) <= 1e-7 * scale

    def essential(self) -> np.ndarray:
        """Rows outside the span of the others (leverage 1): a target whose combinations use
        one of them cannot be worked out once it is withheld."""
        return np.sum(self.left * self.left, axis=1) > 1 - 1e-7

    def weights(self, targets: np.ndarray) -> np.ndarray:
        """``[row, target]``: the minimum-norm combination of the published rows that gives
        each (recoverable) target; the rows most like the target weigh most."""
        return self.left @ ((self.basis @ targets.T) / self.singular[:, None])


def recoverable(published: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Which target rows lie in the row space of ``published``: the pure auditor.

    >>> published = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    >>> recoverable(published, np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])).tolist()
    [True, False]
    """
    return RowSpace.of(published).recoverable(targets)
