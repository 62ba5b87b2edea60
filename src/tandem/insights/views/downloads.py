"""Downloads of the figures on the pages: each table as CSV, each section as XLSX, for the
same range (``?from=&to=``) and under the same access as the page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.exceptions import ApplicationError, NotFound, TooManyRequests
from tandem.core.web import error_page, not_found_as_404
from tandem.insights.exports import csv_response, the_table, xlsx_response
from tandem.insights.sections import section_named
from tandem.insights.selectors.access import access_program_insights, access_site_insights


def _download(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and read only (a POST is a 405); missing or forbidden is the 404 page, a bad
    range the error page (400), too many computations the error page (429, with
    ``Retry-After``)."""

    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise
        except ApplicationError as error:
            response = error_page(request, error, back=reverse("dashboard"))
            if isinstance(error, TooManyRequests):
                response["Retry-After"] = str(error.retry_after)
            return response

    return login_required(not_found_as_404(require_safe(wrapper)))


def _range(request: AuthenticatedRequest) -> dict[str, str]:
    return {"first": request.GET.get("from", ""), "last": request.GET.get("to", "")}


@_download
def program_table_csv(
    request: AuthenticatedRequest, slug: str, section: str, table: str
) -> HttpResponse:
    program, scope = access_program_insights(user=request.user, slug=slug, **_range(request))
    tables = section_named(section).file_tables(scope, by=request.user.pk)
    stem = f"{program.slug}-{section}-{table}"
    return csv_response(the_table(tables, table), stem=stem, scope=scope)


@_download
def program_section_xlsx(request: AuthenticatedRequest, slug: str, section: str) -> HttpResponse:
    program, scope = access_program_insights(user=request.user, slug=slug, **_range(request))
    tables = section_named(section).file_tables(scope, by=request.user.pk)
    return xlsx_response(tables, stem=f"{program.slug}-{section}", scope=scope)


@_download
def site_table_csv(request: AuthenticatedRequest, section: str, table: str) -> HttpResponse:
    scope = access_site_insights(user=request.user, **_range(request))
    tables = section_named(section).file_tables(scope, by=request.user.pk)
    return csv_response(
        the_table(tables, table), stem=f"all-programs-{section}-{table}", scope=scope
    )


@_download
def site_section_xlsx(request: AuthenticatedRequest, section: str) -> HttpResponse:
    scope = access_site_insights(user=request.user, **_range(request))
    tables = section_named(section).file_tables(scope, by=request.user.pk)
    return xlsx_response(tables, stem=f"all-programs-{section}", scope=scope)
