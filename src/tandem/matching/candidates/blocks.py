"""Blockwise passes over every mentee x mentor pair, on every core.

A pass computes one block of mentees against all mentors, reduces it to something small
(candidates, a bound) and drops it. Blocks are independent, so :func:`map_blocks` runs them on
a thread pool, with BLAS held to one thread per worker: NumPy releases the GIL inside the
matrix product and the reductions, so each worker keeps one core busy with both. One
multi-threaded product followed by single-threaded reductions would leave a core idle for
half of every block. Results come back in block order, so a pass is deterministic.

Everything else in a run keeps BLAS on one thread too (:func:`one_blas_thread`): the other
operations are small, and a multi-threaded BLAS on a busy machine can be slower by an order of
magnitude (threads spinning while they wait for a core), seen here on a 591 x 591 ``eigh``.

Blocks are kept small enough to stay in the processor's cache between the product that writes
them and the reductions that read them.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

ALL = slice(None)  # every row or column of a block
Index = slice | np.ndarray  # rows or columns of a block: a slice, or sorted indices
BLOCK_PAIRS = 4_000_000  # pairs per block: 16 MB of float32
MAX_BLOCK_ROWS = 4096  # a narrow block still gathers whole rows of the cheap bound's factors
WORKERS_VARIABLE = "TANDEM_MATCH_THREADS"

Result = TypeVar("Result")
Params = ParamSpec("Params")


def block_ranges(n_rows: int, n_cols: int, pairs: int = BLOCK_PAIRS) -> list[tuple[int, int]]:
    """``(start, stop)`` row ranges covering ``n_rows`` with about ``pairs`` cells each.

    >>> block_ranges(5, 2, pairs=4)
    [(0, 2), (2, 4), (4, 5)]
    """
    rows = max(1, pairs // max(n_cols, 1))
    return [(start, min(start + rows, n_rows)) for start in range(0, n_rows, rows)]


def worker_count() -> int:
    """Threads for a pass: the cores this process may use, or ``TANDEM_MATCH_THREADS``."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if hasattr(os, "sched_getaffinity"):  # Linux: honours taskset and container limits
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def one_blas_thread(function: Callable[Params, Result]) -> Callable[Params, Result]:
    """Decorator: run ``function`` with BLAS held to one thread (see the module notes)."""

    @functools.wraps(function)
    def wrapper(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper


def map_blocks(
    work: Callable[[Any, Any], Result],
    ranges: Sequence[tuple[Any, Any]],
    workers: int | None = None,
) -> Iterator[Result]:
    """``work(start, stop)`` for every range (or ``work(rows, cols)`` for every block of
    :func:`priced_blocks`), yielded in order; at most ``2 * workers`` blocks are in flight,
    so memory stays a few blocks whatever the number of rows.

    >>> list(map_blocks(lambda start, stop: stop - start, [(0, 2), (2, 5)], workers=2))
    [2, 3]
    """
    workers = workers or worker_count()
    if workers == 1 or len(ranges) <= 1:
        for start, stop in ranges:
            yield work(start, stop)
        return
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for start, stop in ranges:
            pending.append(pool.submit(work, start, stop))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def priced_blocks(
    reach: np.ndarray, prices: np.ndarray, pairs: int = BLOCK_PAIRS
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Blocks ``(rows, cols)`` (sorted indices) that cover, for every row ``i``, each column
    priced below ``reach[i]``; rows whose reach is at or below every price are left out.

    Rows are taken in order of reach, so the rows of a block need nearly the same columns
    (the cheapest ones, up to the block's widest row), and a block has at most ``pairs``
    cells and ``MAX_BLOCK_ROWS`` rows.

    >>> [(r.tolist(), c.tolist()) for r, c in priced_blocks(
    ...     np.array([0.5, 0.3, 0.9, 0.0]), np.array([0.4, 0.2, 0.6]), pairs=4)]
    [([0, 1], [0, 1]), ([2], [0, 1, 2])]
    """
    by_price = np.argsort(prices, kind="stable")
    width = np.searchsorted(prices[by_price], reach, side="left")
    order = np.argsort(width, kind="stable")
    order = order[width[order] > 0]
    widths = width[order]
    blocks, lo = [], 0
    while lo < len(order):
        # the most rows r with r * (width of the block's last row) <= pairs
        size = np.arange(1, min(MAX_BLOCK_ROWS, len(order) - lo) + 1)
        fits = size * widths[lo : lo + len(size)] <= pairs
        hi = lo + max(1, int(np.searchsorted(~fits, True)))
        blocks.append((np.sort(order[lo:hi]), np.sort(by_price[: widths[hi - 1]])))
        lo = hi
    return blocks


def for_each_block(
    work: Callable[[int, int], object],
    ranges: Sequence[tuple[int, int]],
    workers: int | None = None,
) -> None:
    """:func:`map_blocks` for work done for its effect (each block writes its own rows)."""
    for _ in map_blocks(work, ranges, workers):
        pass


def nonzero_2d(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a C-ordered 2-D mask, several times faster on a block: flat
    positions first, then rows and columns by division (survivors are few).

    >>> [a.tolist() for a in nonzero_2d(np.array([[False, True], [True, True]]))]
    [[0, 1, 1], [1, 0, 1]]
    """
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


class ScratchBuffers(threading.local):
    """One reusable float32 buffer per thread: a block written into memory that is already
    mapped costs no page faults."""

    def __init__(self) -> None:
        self.buffer = np.zeros(0, dtype=np.float32)

    def get(self, shape: tuple[int, int]) -> np.ndarray:
        """A C-contiguous float32 array of ``shape`` (contents undefined)."""
        size = shape[0] * shape[1]
        if len(self.buffer) < size:
            self.buffer = np.empty(size, dtype=np.float32)
        return self.buffer[:size].reshape(shape)
