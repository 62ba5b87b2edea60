"""The insight pages: a program's for its admins, every program's for site staff. Each shows
one section (tabs for the others), filtered to a range of whole quarters, every table as a
chart with its data table below, and links to download the figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.exceptions import ApplicationError, TooManyRequests
from tandem.core.web import form_add_error, not_found_as_404
from tandem.insights.scope import InsightScope, Quarter, clipped, scope_of
from tandem.insights.sections import SECTIONS, Section, section_named
from tandem.insights.selectors.access import access_program_insights, access_site_insights
from tandem.insights.selectors.quarters import quarters_with_data
from tandem.insights.views.present import shown
from tandem.programs.models import Program

ANY_QUARTER = ("", "Any quarter")
MONTHS = ("Jan–Mar", "Apr–Jun", "Jul–Sep", "Oct–Dec")


class RangeForm(forms.Form):
    """The quarter range: ``from`` and ``to`` among the quarters that have data."""

    def __init__(self, data: Any, *, quarters: list[Quarter]):
        super().__init__(data)
        choices = [
            ANY_QUARTER,
            *((str(q), f"{q.year} Q{q.number} ({MONTHS[q.number - 1]})") for q in quarters),
        ]
        self.fields["from"] = forms.ChoiceField(label="From", choices=choices, required=False)
        self.fields["to"] = forms.ChoiceField(label="To", choices=choices, required=False)


@dataclass(frozen=True)
class Links:
    """The URLs of one scope's pages and downloads (a program's, or every program's)."""

    prefix: str  # URL names start with it: insights_program or insights_site
    args: tuple[str, ...]

    def page(self, section: str) -> str:
        return reverse(f"{self.prefix}_section", args=[*self.args, section])

    def xlsx(self, section: str) -> str:
        return reverse(f"{self.prefix}_xlsx", args=[*self.args, section])

    def csv(self, section: str, table: str) -> str:
        return reverse(f"{self.prefix}_csv", args=[*self.args, section, table])


def quarter_text(quarter: Quarter) -> str:
    return f"Q{quarter.number} {quarter.year}"


def showing(scope: InsightScope, quarters: list[Quarter]) -> str:
    """The quarters the figures cover in words ("Showing Q1 2025 – Q4 2026"): the range
    clipped to the quarters with data, its open ends filled in, so nobody reads "to 2030"."""
    if scope.empty or not quarters:
        return "No quarter of this range holds data yet."
    first, last = scope.first or quarters[0], scope.last or quarters[-1]
    if first == last:
        return f"Showing {quarter_text(first)}"
    return f"Showing {quarter_text(first)} – {quarter_text(last)}"


def _scope(
    request: AuthenticatedRequest, program_ids: tuple[int, ...], quarters: list[Quarter]
) -> tuple[RangeForm, InsightScope | None]:
    """The range the filter asks for (clipped to the quarters with data), or ``None`` (and the
    form's errors) when it is wrong."""
    form = RangeForm(request.GET, quarters=quarters)
    scope = None
    if form.is_valid():
        try:
            first, last = form.cleaned_data["from"], form.cleaned_data["to"]
            scope = clipped(scope_of(program_ids, first=first, last=last), quarters)
        except ApplicationError as error:
            form_add_error(form, error)
    for name in form.errors:
        if name in form.fields:  # the message is read with the field
            described = {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
            form.fields[name].widget.attrs.update(described)
    return form, scope


def _page(
    request: AuthenticatedRequest,
    *,
    program: Program | None,
    program_ids: tuple[int, ...],
    section: Section,
    links: Links,
) -> HttpResponse:
    quarters = quarters_with_data(program_ids)
    form, scope = _scope(request, program_ids, quarters)
    tables, computed_at, wait = [], None, None
    if scope is not None:
        try:
            built, computed_at = section.build_dated(scope, by=request.user.pk)
        except TooManyRequests as error:
            built, wait = [], error
        tables = [
            shown(table, section=section.key, csv_url=links.csv(section.key, table.key))
            for table in built
        ]
    query = "?" + urlencode(scope.query()) if scope and scope.query() else ""
    context = {
        "program": program,
        "section": section,
        "tabs": [(tab, links.page(tab.key)) for tab in SECTIONS],
        "form": form,
        "scope": scope,
        "showing": showing(scope, quarters) if scope else "",
        "tables": tables,
        "computed_at": computed_at,  # of a snapshot up to INSIGHTS_MAX_AGE old (sections.py)
        "refresh_minutes": max(1, round(settings.INSIGHTS_MAX_AGE / 60)),
        "snapshots": settings.INSIGHTS_MAX_AGE > 0,
        "query": query,
        "here": links.page(section.key),
        "xlsx_url": links.xlsx(section.key),
        "wait": wait,  # too many computations, or these being computed: the page says to wait
    }
    status = 400 if scope is None else 429 if wait else 200
    response = render(request, "insights/insights.html", context, status=status)
    if wait:
        response["Retry-After"] = str(wait.retry_after)
    return response


def _section(key: str | None) -> Section:
    return section_named(key if key is not None else (SECTIONS[0].key if SECTIONS else ""))


@login_required
@not_found_as_404
@require_safe
def program_insights(
    request: AuthenticatedRequest, slug: str, section: str | None = None
) -> HttpResponse:
    program, _ = access_program_insights(user=request.user, slug=slug)
    return _page(
        request,
        program=program,
        program_ids=(program.pk,),
        section=_section(section),
        links=Links("insights_program", (program.slug,)),
    )


@login_required
@not_found_as_404
@require_safe
def site_insights(request: AuthenticatedRequest, section: str | None = None) -> HttpResponse:
    scope = access_site_insights(user=request.user)
    return _page(
        request,
        program=None,
        program_ids=scope.program_ids,
        section=_section(section),
        links=Links("insights_site", ()),
    )
