"""What the admin home shows of match runs: in each program an admin runs, the runs that wait
for them (failed, or finished and not yet published or discarded, unless out of date: another
run was published since, so it can no longer be), in two queries for a page of programs and
only for the programs the caller administers."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F

from tandem.matchruns.models import MatchRun, RunStatus
from tandem.matchruns.review import out_of_date
from tandem.people.models import User
from tandem.programs.selectors.overview import Shortlist, administered_among, first_per_program

# A failed run waits to be re-run or discarded; a finished one to be published or discarded.
WAITING_FOR_ADMIN = (RunStatus.FAILED, RunStatus.DONE)


def match_runs_waiting_for_admin(
    *, user: User | AnonymousUser, program_ids: Iterable[int]
) -> dict[int, Shortlist[MatchRun]]:
    """The waiting runs of each of ``program_ids`` the caller administers, newest first, each
    with ``pair_count``; programs with none are left out."""
    runs = (
        MatchRun.objects.filter(
            program__in=administered_among(user=user, program_ids=program_ids),
            status__in=WAITING_FOR_ADMIN,
        )
        .exclude(out_of_date())
        .defer("inputs", "report")
        .annotate(pair_count=Count("pairs"))
    )
    return first_per_program(runs, order_by=[F("created_at").desc(), F("pk").desc()])
