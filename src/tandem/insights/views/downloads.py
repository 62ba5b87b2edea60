"""Downloads of the figures on the pages: each table as CSV, each section as XLSX, for the
same range (``?from=&to=``) and under the same access as the page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.web import error_page, not_found_as_404
from tandem.insights.exports import section_xlsx, table_csv, table_named
from tandem.insights.scope import InsightScope
from tandem.insights.sections import section_named
from tandem.insights.selectors.access import access_program_insights, access_site_insights
from tandem.insights.tables import InsightTable

TABLE_NOT_FOUND = "No such table in this section."
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(stem: str, scope: InsightScope, extension: str) -> str:
    range_part = "-".join(scope.query().values())
    return f"{stem}{'-' + range_part if range_part else ''}.{extension}"


def attachment(content: str | bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_response(table: InsightTable, *, stem: str, scope: InsightScope) -> HttpResponse:
    return attachment(
        table_csv(table),
        name=file_name(stem, scope, "csv"),
        content_type="text/csv; charset=utf-8",
    )


def xlsx_response(tables: list[InsightTable], *, stem: str, scope: InsightScope) -> HttpResponse:
    return attachment(
        section_xlsx(tables), name=file_name(stem, scope, "xlsx"), content_type=XLSX_TYPE
    )


def the_table(tables: list[InsightTable], key: str) -> InsightTable:
    found = table_named(tables, key)
    if found is None:
        raise NotFound(TABLE_NOT_FOUND)
    return found


def _download(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in; missing or forbidden is the 404 page, a bad range the error page (400)."""

    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise
        except ApplicationError as error:
            return error_page(request, error, back=reverse("dashboard"))

    return login_required(not_found_as_404(wrapper))


def _range(request: AuthenticatedRequest) -> dict[str, str]:
    return {"first": request.GET.get("from", ""), "last": request.GET.get("to", "")}


@_download
def program_table_csv(
    request: AuthenticatedRequest, slug: str, section: str, table: str
) -> HttpResponse:
    program, scope = access_program_insights(user=request.user, slug=slug, **_range(request))
    tables = section_named(section).build(scope)
    stem = f"{program.slug}-{section}-{table}"
    return csv_response(the_table(tables, table), stem=stem, scope=scope)


@_download
def program_section_xlsx(request: AuthenticatedRequest, slug: str, section: str) -> HttpResponse:
    program, scope = access_program_insights(user=request.user, slug=slug, **_range(request))
    tables = section_named(section).build(scope)
    return xlsx_response(tables, stem=f"{program.slug}-{section}", scope=scope)


@_download
def site_table_csv(request: AuthenticatedRequest, section: str, table: str) -> HttpResponse:
    scope = access_site_insights(user=request.user, **_range(request))
    tables = section_named(section).build(scope)
    return csv_response(
        the_table(tables, table), stem=f"all-programs-{section}-{table}", scope=scope
    )


@_download
def site_section_xlsx(request: AuthenticatedRequest, section: str) -> HttpResponse:
    scope = access_site_insights(user=request.user, **_range(request))
    tables = section_named(section).build(scope)
    return xlsx_response(tables, stem=f"all-programs-{section}", scope=scope)
