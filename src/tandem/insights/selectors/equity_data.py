"""The equity report's data: final cohorts, frozen once, and the audit of the whole family
cached under a version of the data, so a page reads its cells from the cache.

Only final cohorts are counted (``equity.cohorts``): the mentees who joined in a quarter whose
cut-off (the end of the quarter plus ``FOLLOW_QUARTERS``) is past by ``EDIT_WINDOW``. Each of
their enrolments gets its quantities *as of that cut-off* from correlated subqueries
(``equity_sums``); the database sums them per program, quarter and exact list of identity
attributes, and only those sums reach Python, where they are frozen per program, quarter and
shared attribute (``insights.frozen``) the first time the quarter is needed once final, with
the groups it may name: those at least ``MIN_GROUP_SIZE`` distinct people with a mentee
enrolment before the quarter's end shared then. From then on the frozen sums are read, never
today's rows: a deleted account, a withdrawn background or an edited goal changes no figure
already shown. Each release's decisions are kept in the database too, so neither does a cache
flush or a rules change.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from tandem.feedback.models import EDIT_WINDOW, CheckIn
from tandem.insights.equity.cohorts import last_final, quarter_of, quarter_start
from tandem.insights.equity.family import EquityData
from tandem.insights.equity.frozen import CohortSums, family, release_families, summed
from tandem.insights.equity.groups import listed_groups, people_per_group
from tandem.insights.equity.replay import decide_in_order
from tandem.insights.equity.suppression import Decisions
from tandem.insights.frozen import (
    ReleaseStore,
    frozen_cohorts,
    frozen_cohorts_freeze,
    frozen_names,
    last_frozen_quarter,
)
from tandem.insights.selectors.equity_sums import cohort_cases, mentees_at_cutoff, quantity_sums
from tandem.matchruns.models import MatchRun, RunStatus
from tandem.mentorships.models import Goal, GoalUpdate, Mentorship
from tandem.people.models import Identity
from tandem.programs.models import Enrolment, Program, Role

# Bumped when the rules change: decisions the old rules made are never served, and since the
# section's snapshots are stored under a version that starts with it, neither are their pages.
CACHE_PREFIX = "insights:equity:v6:"  # v6: the noise is keyed by where the group's people are
CACHE_SECONDS = 3600  # a new version replaces it before; this only bounds stale entries
REFRESH_SECONDS = 15 * 60
# A page never waits longer than this for the audit: past it every group figure is withheld
# until the periodic job (``equity_refresh``, no budget) stores the full decision.
PAGE_BUDGET_SECONDS = 5.0
# The version of the audit the current context last read (``equity_made_under``).
_made_under: ContextVar[str] = ContextVar("equity_made_under", default="")


def final_quarter() -> int:
    """The latest quarter whose cohort is final now."""
    return last_final(timezone.now(), EDIT_WINDOW)


def first_mentee_quarter(program_ids: tuple[int, ...]) -> int | None:
    """The quarter the programs' first mentee joined (``None``: nobody yet)."""
    found = Enrolment.objects.filter(program_id__in=program_ids, role=Role.MENTEE).aggregate(
        at=Min("created_at")
    )
    return None if found["at"] is None else quarter_of(found["at"])


def _cohorts_of(start: int, final: int) -> list[CohortSums]:
    """The cohorts of quarters ``start``..``final`` summed from today's rows, in one query."""
    cohort, cut = cohort_cases(range(start, final + 1))
    return summed(
        mentees_at_cutoff(cut)
        .filter(created_at__gte=quarter_start(start), created_at__lt=quarter_start(final + 1))
        .annotate(quarter=cohort)
        .values("program_id", "quarter", attributes=F("person__identity__attributes"))
        .annotate(**quantity_sums())
        .order_by()
    )


def _named_now(quarter: int) -> tuple[str, ...]:
    """The groups a release may name from ``quarter`` on: shared, today, by enough distinct
    people with a mentee enrolment before the quarter's end (one grouped query)."""
    return listed_groups(
        people_per_group(
            (row["attributes"] or [], row["people"])
            for row in Identity.objects.filter(
                user__enrolments__role=Role.MENTEE,
                user__enrolments__created_at__lt=quarter_start(quarter + 1),
            )
            .values("attributes")
            .annotate(people=Count("user", distinct=True))
            .order_by()
        )
    )


def _frozen_up_to(final: int) -> tuple[list[CohortSums], dict[int, tuple[str, ...]]]:
    """Every final cohort and every frozen quarter's named groups: the quarters that became
    final since the last freeze are summed and frozen first (the first time, every quarter
    since the first mentee joined)."""
    last = last_frozen_quarter()
    if last is None:
        earliest = Enrolment.objects.filter(role=Role.MENTEE).aggregate(at=Min("created_at"))
        start = final + 1 if earliest["at"] is None else quarter_of(earliest["at"])
    else:
        start = last + 1
    if start <= final:
        quarters = range(start, final + 1)
        frozen_cohorts_freeze(
            quarters=quarters,
            cohorts=_cohorts_of(start, final),
            named={quarter: _named_now(quarter) for quarter in quarters},
        )
    return frozen_cohorts(final), frozen_names(final)


def equity_releases() -> list[EquityData]:
    """The family of every cohort release, oldest first; the last is the one shown now."""
    final = final_quarter()
    return release_families(*_frozen_up_to(final), final)


def equity_data() -> EquityData:
    """The atoms of the site's final cohorts, summed per listed group and over everyone (the
    latest release's family alone, not every earlier one)."""
    final = final_quarter()
    return family(*_frozen_up_to(final), final)


def equity_version() -> str:
    """What a snapshot of the section must have been made under to be read now: the rules, the
    data version and its audit's state in the cache, read without auditing (the section's
    computation audits, under its computing lock and after the user's limit). " pending" when
    no audit is cached yet, " unchecked" when it ran out of budget: a snapshot made then is
    not read once the periodic job has stored the full audit."""
    version = data_version()
    return _tagged(version, cache.get(_key(version)))


def equity_made_under() -> str:
    """The version of the audit this context's last computation read, cleared ("" if none):
    the section's snapshot is stored under it, so it never disagrees with that audit."""
    made = _made_under.get()
    _made_under.set("")
    return made


def _tagged(version: str, found: tuple[EquityData, Decisions] | None) -> str:
    mark = " pending" if found is None else "" if found[1].complete else " unchecked"
    return CACHE_PREFIX + version + mark


def data_version() -> str:
    """Changes whenever anything the report counts may have changed (a handful of aggregates
    on indexed columns), and every ``REFRESH_SECONDS``."""
    parts = [
        Enrolment.objects.filter(role=Role.MENTEE).aggregate(n=Count("pk"), at=Max("updated_at")),
        Mentorship.objects.aggregate(
            n=Count("pk"), made=Max("created_at"), ended=Max("ended_at"), now=Max("activated_at")
        ),
        Identity.objects.aggregate(n=Count("pk"), at=Max("consented_at")),
        CheckIn.objects.aggregate(last=Max("pk")),
        Goal.objects.aggregate(n=Count("pk")),
        GoalUpdate.objects.aggregate(n=Count("pk"), at=Max("created_at")),
        MatchRun.objects.filter(status=RunStatus.PUBLISHED).aggregate(
            n=Count("pk"), at=Max("published_at")
        ),
        Program.objects.aggregate(n=Count("pk")),
    ]
    # Answering a check-in changes a row no cheap aggregate sees (counting answered check-ins
    # scans the table: 0.6 s at 100,000 people), so the version also turns every
    # ``REFRESH_SECONDS``: an answer shows within that time.
    bucket = int(timezone.now().timestamp()) // REFRESH_SECONDS
    return repr([bucket, final_quarter(), *(sorted(part.items()) for part in parts)])


def _key(version: str | None = None) -> str:
    version = data_version() if version is None else version
    return CACHE_PREFIX + hashlib.sha256(version.encode()).hexdigest()


def equity_audited() -> tuple[EquityData, Decisions]:
    """The data and the decisions for the whole family, from the cache when the data has not
    changed since they were made. On a miss the audit gets ``PAGE_BUDGET_SECONDS``; if it needs
    more, every group figure is withheld (``complete`` false) until ``equity_refresh`` has
    stored the full decision (``add``: a slow page never replaces it)."""
    return _audited(data_version())


def _audited(version: str) -> tuple[EquityData, Decisions]:
    key = _key(version)
    found = cache.get(key)
    if found is None:
        found = _decided(PAGE_BUDGET_SECONDS)
        if found[1].complete:
            cache.set(key, found, CACHE_SECONDS)
        else:
            cache.add(key, found, CACHE_SECONDS)
    _made_under.set(_tagged(version, found))
    return found


def equity_refresh(now: datetime) -> str:
    """The periodic job: the full audit of the current data version, with no budget, unless
    the cache already holds it; so the decision a page reads is usually complete and warm."""
    key = _key()
    found = cache.get(key)
    if found is not None and found[1].complete:
        return "warm"
    cache.set(key, _decided(None), CACHE_SECONDS)
    return "audited"


def _decided(budget: float | None) -> tuple[EquityData, Decisions]:
    """The data shown now and its decisions: every release read from the database or, the
    first time, audited within ``budget`` (the whole replay) and kept once complete."""
    releases = equity_releases()
    data = releases[-1]
    return data, decide_in_order(data, budget, ReleaseStore(), releases)
