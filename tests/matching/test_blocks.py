import threading

import numpy as np
import pytest

from tandem.matching.candidates.blocks import ScratchBuffers, block_ranges, map_blocks, worker_count


@pytest.mark.parametrize("n, m, pairs", [(0, 5, 10), (1, 5, 10), (17, 5, 10), (100, 3, 1)])
def test_block_ranges_cover_every_row_once(n, m, pairs):
    ranges = block_ranges(n, m, pairs)
    covered = [row for start, stop in ranges for row in range(start, stop)]
    assert covered == list(range(n))
    assert all(stop - start == max(1, pairs // m) for start, stop in ranges[:-1])


def test_map_blocks_yields_results_in_block_order_from_several_threads():
    seen_threads = set()

    def work(start, stop):
        seen_threads.add(threading.get_ident())
        # Later blocks finish first: the order must still be the blocks' order.
        threading.Event().wait(0.01 * (20 - start))
        return start, stop

    ranges = block_ranges(20, 1, 1)
    assert list(map_blocks(work, ranges, workers=3)) == ranges
    assert len(seen_threads) > 1


def test_map_blocks_reraises_a_block_error():
    def work(start, stop):
        if start == 3:
            raise ValueError("bad block")
        return start

    with pytest.raises(ValueError, match="bad block"):
        list(map_blocks(work, block_ranges(6, 1, 1), workers=2))


def test_worker_count_honours_the_setting(monkeypatch):
    monkeypatch.setenv("TANDEM_MATCH_THREADS", "3")
    assert worker_count() == 3
    monkeypatch.setenv("TANDEM_MATCH_THREADS", "zero")
    assert worker_count() >= 1


def test_scratch_buffers_are_reused_per_thread_and_separate_between_threads():
    scratch = ScratchBuffers()
    first = scratch.get((4, 5))
    assert scratch.get((2, 5)).base is first.base  # smaller: the same memory
    other = {}
    thread = threading.Thread(target=lambda: other.setdefault("a", scratch.get((4, 5))))
    thread.start()
    thread.join()
    assert not np.shares_memory(other["a"], first)
