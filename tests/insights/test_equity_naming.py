"""Which groups the frozen equity figures name (issue #13): a quarter, when it is frozen, keeps
the groups at least five distinct people with a mentee enrolment before its end shared then,
and a release names the union of its quarters' lists. So every naming had five real people
behind it, and a group once named stays named (no row of a published table disappears).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from tandem.insights.equity.metrics import INDEX
from tandem.insights.scope import scope_of
from tandem.insights.selectors import equity_data
from tandem.insights.selectors.equity import equity_section
from tandem.people.models import Identity
from tandem.programs.models import Enrolment, Role
from tests.insights.equity_clock import clock
from tests.mentorships.factories import member
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db
Q1, Q2, Q3 = 2025 * 4, 2025 * 4 + 1, 2025 * 4 + 2
JOINED = {
    Q1: datetime(2025, 1, 10, tzinfo=UTC),
    Q2: datetime(2025, 4, 10, tzinfo=UTC),
    Q3: datetime(2025, 7, 10, tzinfo=UTC),
}
FINAL = {  # when each quarter's cohort is the latest final one
    Q1: datetime(2025, 11, 1, tzinfo=UTC),
    Q2: datetime(2026, 2, 1, tzinfo=UTC),
    Q3: datetime(2026, 5, 1, tzinfo=UTC),
}
RARE = "rare thing"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def _join(program, quarter, attributes=None, person=None):
    """A mentee of ``program`` who joined in ``quarter`` (an existing ``person`` or a new one),
    with ``attributes`` shared if given."""
    with clock(JOINED[quarter]):
        if person is None:
            person = member(program, Role.MENTEE)
        else:
            Enrolment.objects.create(person=person, program=program, role=Role.MENTEE)
        if attributes:
            Identity.objects.create(user=person, attributes=attributes, consented_at=JOINED[Q1])
    return person


def _read(quarter):
    """The data shown, and every release, when ``quarter`` is the latest final one."""
    with clock(FINAL[quarter]):
        cache.clear()
        data = equity_data.equity_data()
        assert data.final == quarter
        return data, equity_data.equity_releases()


def _enrolled(data, quarter, group):
    """How many of the (only) program's ``quarter`` cohort the data counts in ``group``."""
    g = data.names.index(group)
    return data.groups[0, quarter - data.first_quarter, g, INDEX["enrolled"]]


def test_a_person_whose_earlier_enrolment_was_deleted_counts_once():
    first, second = ProgramFactory(), ProgramFactory()
    person = _join(first, Q1, ["Rare Thing"])
    for _ in range(12):
        _join(first, Q1)
    assert _read(Q1)[0].names == ()
    first.delete()  # the frozen 2025Q1 cohort keeps them; their enrolment in it is gone
    _join(second, Q2, person=person)
    for _ in range(3):
        _join(second, Q2, [RARE])
    for _ in range(12):
        _join(second, Q2)
    data, _ = _read(Q2)
    assert Identity.objects.filter(attributes__icontains="rare").count() == 4
    assert data.names == ()


def test_a_group_is_named_once_its_fifth_persons_cohort_is_final_and_stays_named():
    program = ProgramFactory()
    sharers = [_join(program, Q1, ["Rare  Thing"]) for _ in range(4)]
    for _ in range(8):
        _join(program, Q1)
    sharers.append(_join(program, Q2, [RARE]))  # the fifth, in a cohort not final yet
    for _ in range(6):
        _join(program, Q2)

    assert _read(Q1)[0].names == ()

    data, releases = _read(Q2)
    assert [release.names for release in releases] == [(), (RARE,)]
    # Named from 2025Q2 on, with the sums 2025Q1 froze for its four.
    assert (_enrolled(data, Q1, RARE), _enrolled(data, Q2, RARE)) == (4, 1)

    sharers[0].delete()  # now four people share it
    for _ in range(6):
        _join(program, Q3)
    data, releases = _read(Q3)
    assert [release.names for release in releases] == [(), (RARE,), (RARE,)]
    assert (_enrolled(data, Q1, RARE), _enrolled(data, Q2, RARE)) == (4, 1)
    with clock(FINAL[Q3]):
        tables = equity_section(scope_of((program.pk,)))
    assert all(RARE in [row["group"] for row in table.rows] for table in tables)
