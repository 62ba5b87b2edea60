"""No filter shows a withheld figure, and what every filter shows together gives none back.

Programs A and B; "parent" is the one listed group. A: 2025Q1 6 parents and 6 others, 2025Q2
3 parents (too few: withheld) and 6 others. B: 6 parents and 6 others in each quarter. Every
scope (A, B, the site) and every range the filters allow (open ends, 2024Q4 to 2025Q3) is built
through the section, its CSV read back, and the people counts it shows for "parent" collected as
vectors over the four (program, quarter) slices: neither A's 2025Q2 nor any withheld match-rate
figure may be in their span. (The other figures count matched mentees: nobody is matched here,
so they are all withheld, and all known to be zero from the totals.)
"""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np
import pytest
from django.core.cache import cache

from tandem.insights.equity.audit import recoverable
from tandem.insights.exports import table_csv
from tandem.insights.scope import scope_of
from tandem.insights.selectors.equity import WITHHELD, equity_section
from tests.insights.test_equity_section import mentee
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db
SLICES = {("A", "2025Q1"): 0, ("A", "2025Q2"): 1, ("B", "2025Q1"): 2, ("B", "2025Q2"): 3}
BOUNDS = ["", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]


@pytest.fixture
def programs():
    from datetime import UTC, datetime

    from tandem.programs.models import Enrolment

    cache.clear()
    made = {"A": ProgramFactory(), "B": ProgramFactory()}
    sizes = {("A", "2025Q1"): 6, ("A", "2025Q2"): 3, ("B", "2025Q1"): 6, ("B", "2025Q2"): 6}
    for (name, quarter), parents in sizes.items():
        month = 1 if quarter.endswith("1") else 4
        for k in range(parents + 6):
            person = mentee(made[name], ["Parent"] if k < parents else None)
            Enrolment.objects.filter(person=person).update(
                created_at=datetime(2025, month, 9, tzinfo=UTC)
            )
    return made


def _covered(names, first, last):
    quarters = [
        q for q in ("2025Q1", "2025Q2") if (not first or q >= first) and (not last or q <= last)
    ]
    vector = np.zeros(len(SLICES))
    for name, quarter in itertools.product(names, quarters):
        vector[SLICES[(name, quarter)]] = 1
    return vector


def test_every_filter_hides_the_same_figures_and_together_they_give_none_back(programs):
    scopes = {
        ("A",): (programs["A"].pk,),
        ("B",): (programs["B"].pk,),
        ("A", "B"): (programs["A"].pk, programs["B"].pk),
    }
    shown, hidden = [], []
    for (names, ids), first, last in itertools.product(scopes.items(), BOUNDS, BOUNDS):
        if first and last and last < first:
            continue
        for table in equity_section(scope_of(ids, first=first, last=last)):
            if not table.rows:
                continue
            (row,) = list(csv.DictReader(io.StringIO(table_csv(table).lstrip("\ufeff"))))
            vector = _covered(names, first, last)
            if row["In words"] == WITHHELD:
                assert all(row[c.label] == "" for c in table.columns[1:-1])
                if table.key == "match_rate":
                    hidden.append(vector)
            elif table.key == "match_rate":
                assert int(row["People"]) == vector @ [6, 3, 6, 6]
                shown.append(vector)
    small = np.eye(len(SLICES))[[SLICES[("A", "2025Q2")]]]
    assert any((v == small[0]).all() for v in hidden)
    assert not recoverable(np.array(shown), small)[0]
    assert not recoverable(np.array(shown), np.array(hidden)).any()
