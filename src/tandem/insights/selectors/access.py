"""Who may read insights: a program's admins for that program; site staff (``is_staff``, the
people who create programs) for every program together. Participants read their own history
on their own pages, never here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from tandem.core.exceptions import NotFound
from tandem.insights.scope import InsightScope, clipped, scope_of
from tandem.insights.selectors.quarters import quarters_with_data
from tandem.people.models import User
from tandem.programs.models import Program
from tandem.programs.selectors import ProgramAccess, access_program

SITE_INSIGHTS_NOT_FOUND = "Not found."


def access_program_insights(
    *, user: User | AnonymousUser, slug: str, first: str = "", last: str = ""
) -> tuple[Program, InsightScope]:
    """The program (for its admins only; anyone else gets the same 404 as a missing program)
    and the scope the request asks for, clipped to the quarters that can hold data."""
    program = access_program(user=user, slug=slug, need=ProgramAccess.ADMIN)
    return program, _clipped((program.pk,), first=first, last=last)


def access_site_insights(
    *, user: User | AnonymousUser, first: str = "", last: str = ""
) -> InsightScope:
    """Every program's figures together, for site staff; a 404 for anyone else."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise NotFound(SITE_INSIGHTS_NOT_FOUND)
    program_ids = tuple(Program.objects.order_by("pk").values_list("pk", flat=True))
    return _clipped(program_ids, first=first, last=last)


def _clipped(program_ids: tuple[int, ...], *, first: str, last: str) -> InsightScope:
    scope = scope_of(program_ids, first=first, last=last)
    if scope.first is None and scope.last is None:
        return scope  # the default view: no need to look up the quarters
    return clipped(scope, quarters_with_data(program_ids))
