"""The answer blocks: any two figures differ by whole blocks of at least the minimum."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from tandem.feedback.selectors.answer_blocks import answer_blocks

MONTHS = [date(2024 + index // 12, index % 12 + 1, 1) for index in range(36)]


MONTH = st.integers(min_value=0, max_value=7).flatmap(
    lambda answers: st.tuples(
        st.just(answers), st.integers(min_value=min(answers, 1), max_value=answers)
    )
)


@given(st.lists(MONTH, min_size=1, max_size=36), st.data())
def test_blocks_hold_the_minimum_and_figures_grow_only_by_whole_blocks(counts, data):
    months = [
        (month, answers, people) for month, (answers, people) in zip(MONTHS, counts, strict=False)
    ]
    cut = data.draw(st.integers(min_value=0, max_value=len(months)))
    settled = datetime.combine(
        MONTHS[cut] if cut < len(MONTHS) else date(2027, 1, 1), datetime.min.time(), tzinfo=UTC
    )
    blocks = answer_blocks(months, minimum=5, settled_before=settled)
    assert all(block.answers >= 5 for block in blocks)
    # Five people at least: some month of every block had five different people answering.
    for block in blocks:
        inside = [
            people
            for month, _answers, people in months
            if block.start.date() <= month < block.end.date()
        ]
        assert max(inside) >= 5
    assert all(
        a.end == b.start or a.end < b.start for a, b in zip(blocks, blocks[1:], strict=False)
    )
    assert all(block.end <= settled for block in blocks)
    # A block starts with an answer: its first month has one.
    given = {month for month, answers, _people in months if answers}
    assert all(block.start.date() in given for block in blocks)
    # Later, with more months settled, the earlier blocks are unchanged: what was published
    # stays, and the figures only ever grow by a whole new block.
    later = answer_blocks(months, minimum=5, settled_before=datetime(2030, 1, 1, tzinfo=UTC))
    assert later[: len(blocks)] == blocks
