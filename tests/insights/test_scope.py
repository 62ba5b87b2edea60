"""The quarter grid: what a range may be, and the 400 that names the field otherwise."""

import pytest

from tandem.core.exceptions import ApplicationError
from tandem.insights.scope import Quarter, scope_of


@pytest.mark.parametrize("written", ["2026Q1", "2026q1", "2026-Q1", " 2026Q1 "])
def test_a_quarter_is_read_in_its_usual_spellings(written):
    assert scope_of((1,), first=written).first == Quarter(2026, 1)


@pytest.mark.parametrize(
    "written", ["２０２６Q1", "2026Q5", "1999Q4", "2101Q1", "26Q1", "2026 Q1x", "٢٠٢٦Q1"]
)
def test_anything_else_is_a_400_naming_the_field(written):
    with pytest.raises(ApplicationError) as error:
        scope_of((1,), last=written)
    assert error.value.status == 400 and set(error.value.fields) == {"to"}


def test_a_reversed_range_names_to():
    with pytest.raises(ApplicationError) as error:
        scope_of((1,), first="2026Q3", last="2026Q1")
    assert set(error.value.fields) == {"to"}
