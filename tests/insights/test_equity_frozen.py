"""Published equity figures never change (issue #13): final cohorts are frozen as sums the first
time they are needed, and each release's decisions are kept in the database, so deleting an
account, withdrawing a background, editing a goal update, a rules change or a cache flush moves
no cell already shown; a cohort that becomes final later is summed without those people.

The fixture is ``test_equity_section``'s program (2025Q1), read on ``READ`` (2025Q1 and 2025Q2
final), then on ``LATER`` (2025Q3 final too).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection

from tandem.insights.equity.frozen import CohortSums
from tandem.insights.equity.metrics import INDEX, METRICS
from tandem.insights.equity.replay import decide_in_order, truncated
from tandem.insights.equity.suppression import withhold_every_group
from tandem.insights.frozen import (
    ReleaseStore,
    frozen_cohorts,
    frozen_cohorts_freeze,
    frozen_names,
)
from tandem.insights.models import EquityCohort, EquityQuarter, EquityRelease
from tandem.insights.scope import scope_of
from tandem.insights.selectors import equity_data
from tandem.insights.selectors.equity import PRIVATE_ANSWERS, equity_section
from tandem.mentorships.models import GoalState, GoalUpdate, Mentorship
from tandem.people.models import Identity, User
from tandem.people.services import identity_withdraw
from tandem.programs.models import Role
from tests.insights.equity_atoms import random_family
from tests.insights.equity_clock import clock
from tests.insights.test_equity_over_time import _seen, fresh_cache, program
from tests.insights.test_equity_section import READ, WRITTEN, mentee
from tests.mentorships.factories import member
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db
ALL_RANGES = {metric.key for metric in METRICS} - PRIVATE_ANSWERS
LATER = datetime(2026, 5, 1, tzinfo=UTC)  # 2025Q3's cohort is final too
Q1, Q3 = 2025 * 4, 2025 * 4 + 2
__all__ = ["fresh_cache", "program"]  # fixtures


def _published(client, program):
    """Every equity cell the section, the API and the CSV downloads show for the program."""
    section, api = _seen(client, program)
    url = f"/api/programs/{program.slug}/insights/equity"
    downloads = [client.get(f"{url}/{metric.key}/csv").content for metric in METRICS]
    return section, api, downloads


def _parents(*, matched):
    """The 2025Q1 mentees who shared "parent" and were (or were not) matched, in a fixed order."""
    found = Identity.objects.filter(attributes__icontains="parent").order_by("user_id")
    had = Mentorship.objects.values("mentee")
    found = found.filter(user__in=had) if matched else found.exclude(user__in=had)
    return [identity.user for identity in found]


def _delete_as_site_admin(client, person):
    """The admin's delete page (it refuses people with mentorships: their history is
    read-only there; those are deleted with ``User.delete``, the same cascade)."""
    client.force_login(User.objects.create_superuser("site@example.com", "pw"))
    answer = client.post(f"/admin/people/user/{person.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302 and not User.objects.filter(pk=person.pk).exists()


def test_published_cells_survive_deletion_withdrawal_edits_and_rule_changes(
    client, program, monkeypatch
):
    with clock(READ):
        admin = member(program, Role.ADMIN)
        client.force_login(admin)
        before = _published(client, program)
        assert any(row["people"] for row in before[0][0][0][2])  # figures are shown
        assert EquityRelease.objects.exists()
        deleted, withdrawn, edited = _parents(matched=True)[:3]
        deleted.delete()  # with their enrolment, mentorships, check-ins, goals and identity
        _delete_as_site_admin(client, _parents(matched=False)[0])
        assert identity_withdraw(user=withdrawn)
        GoalUpdate.objects.filter(goal__mentorship__mentee=edited).update(state=GoalState.DROPPED)
        monkeypatch.setattr(equity_data, "CACHE_PREFIX", "insights:equity:bumped:")
        monkeypatch.setattr(equity_data, "PAGE_BUDGET_SECONDS", 0.0)  # no time to audit again
        cache.clear()
        client.force_login(admin)
        assert _published(client, program) == before


def test_a_cohort_final_later_is_summed_without_the_deleted_and_withdrawn(client, program):
    with clock(READ):
        client.force_login(member(program, Role.ADMIN))
        before = _seen(client, program)[0]
    with clock(datetime(2025, 8, 1, tzinfo=UTC)):  # 2025Q3: 7 more carers
        carers = [member(program, Role.MENTEE) for _ in range(7)]
        for person in carers:
            Identity.objects.create(user=person, attributes=["Carer"], consented_at=WRITTEN)
    with clock(READ):
        _delete_as_site_admin(client, carers[0])
        identity_withdraw(user=carers[1])
    with clock(LATER):
        data = equity_data.equity_data()
        client.force_login(member(program, Role.ADMIN))
        after = _seen(client, program)[0]
    t, carer = Q3 - data.first_quarter, data.names.index("carer")  # 4 in 2025Q1, 5 in Q3
    assert data.totals[0, t, INDEX["enrolled"]] == 6
    assert data.groups[0, t, carer, INDEX["enrolled"]] == 5
    # The parents' cells, now beside the carers': of 2025Q1 alone, and the yearly release of
    # private answers (for all quarters only; it still covers up to 2025Q2).
    for scope, metrics in ((1, ALL_RANGES), (0, PRIVATE_ANSWERS)):
        for (key, _, rows, _), (same, _, grown, _) in zip(before[scope], after[scope], strict=True):
            assert key == same
            if key in metrics:
                assert rows[0]["people"] and rows[0] in grown, key


def test_the_site_keeps_a_deleted_programs_frozen_cohorts(program):
    others = [ProgramFactory(), ProgramFactory()]
    for other in others:
        mentee(other, ["parent"])

    def site(ids):
        return [(t.key, t.rows, t.notes) for t in equity_section(scope_of(ids))]

    with clock(READ):
        before = site((program.pk, *(other.pk for other in others)))
        assert any(rows[0]["people"] for _, rows, _ in before)
        others[0].delete()
        assert site((program.pk, others[1].pk)) == before


def _cohort(quarter, enrolled):
    return CohortSums(
        quarter, 1, {"enrolled": enrolled}, {"parent": {"enrolled": enrolled}}, (("parent",),)
    )


def test_freezing_a_quarter_twice_keeps_the_first_record():
    named = {Q1: ("parent",)}
    frozen_cohorts_freeze(quarters=range(Q1, Q1 + 2), cohorts=[_cohort(Q1, 6)], named=named)
    frozen_cohorts_freeze(
        quarters=range(Q1, Q1 + 3),
        cohorts=[_cohort(Q1, 9), _cohort(Q3, 5)],
        named={Q1: (), Q3: ("carer",)},
    )
    assert frozen_cohorts(Q3) == [_cohort(Q1, 6), _cohort(Q3, 5)]
    assert frozen_names(Q3) == {Q1: ("parent",), Q1 + 1: (), Q3: ("carer",)}
    assert EquityQuarter.objects.count() == 3


def test_reading_twice_freezes_once(program):
    with clock(READ):
        first = equity_data.equity_data()
        rows = list(EquityCohort.objects.values_list("pk", flat=True))
        again = equity_data.equity_data()
    assert rows == list(EquityCohort.objects.values_list("pk", flat=True)) and rows
    assert (first.groups == again.groups).all() and first.names == again.names


@pytest.mark.django_db(transaction=True)
def test_two_connections_freezing_one_quarter_end_with_one_record(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    together = threading.Barrier(2)
    manager = EquityCohort.objects
    bulk_create = manager.bulk_create

    def slowly(*args, **kwargs):  # the marker is written, the transaction still open
        threading.Event().wait(0.3)
        return bulk_create(*args, **kwargs)

    monkeypatch.setattr(manager, "bulk_create", slowly)
    seen: dict[int, list[CohortSums]] = {}

    def freeze(enrolled):
        try:
            together.wait()
            frozen_cohorts_freeze(
                quarters=range(Q1, Q1 + 1), cohorts=[_cohort(Q1, enrolled)], named={}
            )
            seen[enrolled] = frozen_cohorts(Q1)
        finally:
            connection.close()

    threads = [threading.Thread(target=freeze, args=(n,)) for n in (6, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen[6] == seen[9] and seen[6] in ([_cohort(Q1, 6)], [_cohort(Q1, 9)])
    assert EquityQuarter.objects.count() == 1 and EquityCohort.objects.count() == 1


def test_the_frozen_table_holds_sums_only(program):
    fields = {field.name: field for field in EquityCohort._meta.get_fields()}
    assert set(fields) == {"id", "quarter", "program", "totals", "groups", "combos"}
    assert not any(field.is_relation for field in fields.values())
    with clock(READ):
        equity_data.equity_data()
    (cohort,) = EquityCohort.objects.all()  # one row for the program's 2025Q1 cohort
    assert cohort.program == program.pk and cohort.totals["enrolled"] == 15
    assert set(cohort.groups) == {"parent", "carer", "veteran"}
    assert sorted(cohort.combos) == [[], ["carer"], ["carer", "parent"], ["parent"], ["veteran"]]


def test_a_release_is_kept_once_and_a_metric_added_later_is_withheld_in_it():
    data, _ = random_family((2, 2, 3, 0.6, 7))
    part = truncated(data, 2)
    store = ReleaseStore()
    first = decide_in_order(part)
    kept = store.keep(part, first)
    other = withhold_every_group(part)
    assert any((other.withheld[m.key] != first.withheld[m.key]).any() for m in METRICS)
    again = store.keep(part, other)  # another process, later: the first one stays
    for metric in METRICS:
        assert (kept.withheld[metric.key] == first.withheld[metric.key]).all()
        assert (again.withheld[metric.key] == first.withheld[metric.key]).all()
    assert again.exposed == first.exposed and EquityRelease.objects.count() == 1
    row = EquityRelease.objects.get()
    del row.withheld["satisfaction"]
    row.save()
    assert store.get(part).withheld["satisfaction"].all()
