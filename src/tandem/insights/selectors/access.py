"""Who may read insights: a program's admins for that program; site staff (``is_staff``, the
people who create programs) for every program together. Participants read their own history
on their own pages, never here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from tandem.core.exceptions import NotFound
from tandem.insights.scope import InsightScope, scope_of
from tandem.people.models import User
from tandem.programs.models import Program
from tandem.programs.selectors import ProgramAccess, access_program

SITE_INSIGHTS_NOT_FOUND = "Not found."


def access_program_insights(
    *, user: User | AnonymousUser, slug: str, first: str = "", last: str = ""
) -> tuple[Program, InsightScope]:
    """The program (for its admins only; anyone else gets the same 404 as a missing program)
    and the scope the request asks for."""
    program = access_program(user=user, slug=slug, need=ProgramAccess.ADMIN)
    return program, scope_of((program.pk,), first=first, last=last)


def access_site_insights(
    *, user: User | AnonymousUser, first: str = "", last: str = ""
) -> InsightScope:
    """Every program's figures together, for site staff; a 404 for anyone else."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise NotFound(SITE_INSIGHTS_NOT_FOUND)
    program_ids = tuple(Program.objects.order_by("pk").values_list("pk", flat=True))
    return scope_of(program_ids, first=first, last=last)
