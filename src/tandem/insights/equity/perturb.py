"""Complementary suppression by perturbation: the proof and the choice in one.

If some change ``δ`` of the hidden atom values leaves every published figure as it is but
changes a withheld one, nobody can work that figure out: two data sets agree on everything shown
and differ on it. So to protect a recoverable target we choose a small ``δ`` that changes it
(``δ · target ≠ 0``), and withhold every published cell ``δ`` would change. Those cells are then
protected by the same ``δ``, so withholding them starts no cascade.

The candidates are the usual patterns of cell suppression, over (program, quarter) slices: one
slice; two quarters of one program (+1, -1); and a rectangle of two programs by two quarters
(+1, -1, -1, +1), which leaves every site-wide figure unchanged.
"""

from __future__ import annotations

import numpy as np
import scipy as sp

MAX_TARGET_SLICES = 8  # patterns are anchored at this many of the target's slices


def patterns(
    programs: int, quarters: int, kept: np.ndarray, anchors: np.ndarray
) -> sp.sparse.csc_array:
    """Candidate patterns (columns) over the kept slices, each anchored at one of ``anchors``
    (flat slice numbers ``program * quarters + quarter``). A pattern touching a slice known to be
    zero is left out: those atoms are known, so changing them would be seen.

    >>> kept = np.ones(4, dtype=bool)  # two programs by two quarters
    >>> patterns(2, 2, kept, np.array([0])).toarray().T.astype(int).tolist()
    [[1, 0, 0, 0], [1, -1, 0, 0], [1, -1, -1, 1]]
    """
    rows, signs, columns = [], [], []
    column = 0
    for anchor in anchors[:MAX_TARGET_SLICES]:
        slices, sign, number = _anchored(programs, quarters, kept, int(anchor))
        rows.append(slices.reshape(-1))
        signs.append(sign.reshape(-1))
        columns.append(np.repeat(np.arange(column, column + number), slices.shape[1]))
        column += number
    position = np.cumsum(kept) - 1  # a kept slice's row among the kept
    found = sp.sparse.coo_array(
        (
            np.concatenate([np.zeros(0), *signs]),
            (position[np.concatenate([np.zeros(0, np.int64), *rows])],
             np.concatenate([np.zeros(0, np.int64), *columns])),
        ),
        shape=(int(kept.sum()), column),
    )  # fmt: skip
    found.sum_duplicates()  # padding: a slice repeated with sign 0 adds nothing
    return sp.sparse.csc_array(found)


def _anchored(
    programs: int, quarters: int, kept: np.ndarray, anchor: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """One anchor's patterns as ``(slices, signs)`` of 4 columns (shorter patterns padded with
    sign 0), in the order: the slice, then for each other quarter its pair and rectangles."""
    p, q = divmod(anchor, quarters)
    q2 = np.delete(np.arange(quarters), q)
    p2 = np.delete(np.arange(programs), p)
    pair = p * quarters + q2  # (Q - 1)
    side = np.broadcast_to(p2[None, :] * quarters + q, (len(q2), len(p2)))
    corner = p2[None, :] * quarters + q2[:, None]  # (Q - 1, P - 1)
    shape = (len(q2), len(p2) + 1)  # per other quarter: the pair, then a rectangle per program
    slices = np.full((*shape, 4), anchor, dtype=np.int64)
    signs = np.zeros((*shape, 4))
    slices[..., 1] = pair[:, None]
    slices[:, 1:, 2], slices[:, 1:, 3] = side, corner
    signs[..., :2] = 1, -1
    signs[:, 1:, 2:] = -1, 1
    valid = kept[slices].all(axis=2).reshape(-1)
    chosen = [np.array([[anchor, anchor, anchor, anchor]]), slices.reshape(-1, 4)[valid]]
    sign = [np.array([[1.0, 0.0, 0.0, 0.0]]), signs.reshape(-1, 4)[valid]]
    return np.vstack(chosen), np.vstack(sign), 1 + int(valid.sum())


def directions(coordinates: np.ndarray, columns: tuple[int, ...]) -> np.ndarray:
    """Directions (columns) in a block's coordinates to perturb along: the basis vectors, and
    the same with the everyone column's direction taken out when the block holds it.

    >>> directions(np.array([[1.0]]), (1,)).tolist()
    [[1.0]]
    """
    rank = coordinates.shape[0]
    found = [np.eye(rank)]
    if 0 in columns:
        everyone = coordinates[:, columns.index(0)]
        projected = np.eye(rank) - np.outer(everyone, everyone) / float(everyone @ everyone)
        found.append(projected[:, np.linalg.norm(projected, axis=0) > 1e-9])
    return np.hstack(found)


def pool(
    programs: int,
    quarters: int,
    kept: np.ndarray,
    anchors: np.ndarray,
    coordinates: np.ndarray,
    columns: tuple[int, ...],
) -> sp.sparse.csc_array:
    """Every candidate ``δ`` (columns) anchored at ``anchors``, in the block's space (kept
    slices x block coordinates); ``changing`` keeps those that change a target."""
    shapes = patterns(programs, quarters, kept, anchors)
    ways = directions(coordinates, columns)
    # Row (slice, coordinate), column (pattern, direction): the block's kron order.
    return sp.sparse.csc_array(sp.sparse.kron(shapes, ways))


def anchors_of(kept: np.ndarray, target: np.ndarray, rank: int) -> np.ndarray:
    """The slices (flat numbers) a target covers, the anchors of its candidate patterns."""
    support = np.flatnonzero(np.abs(target.reshape(int(kept.sum()), rank)).sum(axis=1) > 1e-9)
    return np.flatnonzero(kept)[support]


def changing(deltas: sp.sparse.csc_array, target: np.ndarray) -> sp.sparse.csc_array:
    """The columns of ``deltas`` that change ``target``."""
    changes = np.abs(deltas.T @ target) > 1e-9
    return deltas[:, np.flatnonzero(changes)]
