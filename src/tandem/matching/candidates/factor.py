"""A narrower ``L @ R`` for the cheap bound: drop dead columns, factor to the numerical rank.

Both keep the product an upper bound on what it replaces, so candidates and the all-pairs
proof stay valid whatever they drop.
"""

from __future__ import annotations

import numpy as np

LOW_RANK_TOLERANCE = 1e-10  # eigenvalues of left^T left below this share count as zero
LOW_RANK_WORTH = 0.7  # factor only when the rank is below this share of the width
LOW_RANK_SAMPLE = 16_384  # rows used to find the basis
LOW_RANK_MIN_PAIRS = 5_000_000  # fewer pairs: the factoring costs more than it saves


def join_float32(pieces: list, axis: int) -> np.ndarray:
    """The pieces joined along ``axis`` into one C-ordered float32 array, each converted on
    its way in (no float64 copy of the whole, which is hundreds of MB at scale)."""
    return np.concatenate(pieces, axis=axis, dtype=np.float32, casting="same_kind")


def compact(left: list, right: list, const: np.ndarray) -> tuple[list, list]:
    """The same product with fewer columns, piece by piece: a column that is zero on either
    side adds nothing, and one whose right row is the same for every mentor is added to the
    per-mentee ``const`` (in place). One-hot codes nobody on the other side has and skills
    no mentor offers are typically a tenth of the width.
    """
    if not (len(const) and right and np.shape(right[0])[1]):
        return left, right
    kept_left, kept_right = [], []
    for piece_a, piece_b in zip(left, right, strict=True):
        piece_a, piece_b = np.asarray(piece_a), np.asarray(piece_b)
        high_b, low_b = piece_b.max(axis=1), piece_b.min(axis=1)
        same = high_b == low_b
        if same.any():
            const += (piece_a[:, same] @ piece_b[same, 0].astype(np.float64)).astype(np.float32)
        used_a = (piece_a.max(axis=0) > 0) | (piece_a.min(axis=0) < 0)
        keep = used_a & ((high_b > 0) | (low_b < 0)) & ~same
        kept_left.append(piece_a[:, keep])
        kept_right.append(piece_b[keep])
    return kept_left, kept_right


def low_rank(
    left: np.ndarray, right: np.ndarray, chunk: int = 65_536
) -> tuple[np.ndarray, np.ndarray]:
    """``left @ right`` as ``A @ B`` with fewer columns when ``left`` has low rank.

    ``left = A_r V_r^T + E`` (``V_r``: eigenvectors of ``left^T left`` above a relative
    tolerance), so ``left @ right <= A_r @ (V_r^T right) + |E_i| |right_j|`` by
    Cauchy-Schwarz: one more column keeps the product an upper bound whatever is dropped.
    Texts from a few templates and small tag vocabularies make the rank a fraction of the
    width, and the cost of every block shrinks with it. The last column of ``left`` (and
    row of ``right``: the per-mentee constant) is passed through as it is.
    """
    n, d = left.shape[0], left.shape[1] - 1
    if n * right.shape[1] < LOW_RANK_MIN_PAIRS:
        return left, right
    # The basis may come from a sample of rows: a row outside its span only gets a larger
    # residual column, and the bound stays valid.
    sample = left[:: max(1, n // LOW_RANK_SAMPLE), :d].astype(np.float64)
    gram = sample.T @ sample
    values, vectors = np.linalg.eigh(gram)
    keep = values > LOW_RANK_TOLERANCE * max(values.max(initial=0.0), 1e-300)
    if keep.sum() + 1 > LOW_RANK_WORTH * d:
        return left, right
    basis = vectors[:, keep]
    rank = basis.shape[1]
    factor = np.empty((n, rank + 2), dtype=np.float32)
    for lo in range(0, n, chunk):
        part = left[lo : lo + chunk, :d].astype(np.float64)
        reduced = part @ basis
        factor[lo : lo + chunk, :rank] = reduced
        factor[lo : lo + chunk, rank] = np.linalg.norm(part - reduced @ basis.T, axis=1)
        factor[lo : lo + chunk, rank + 1] = left[lo : lo + chunk, d]
    right64 = right[:d].astype(np.float64)
    rest = np.linalg.norm(right64, axis=0)[None, :]
    return factor, join_float32([basis.T @ right64, rest, right[d:]], axis=0)
