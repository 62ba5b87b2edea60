"""The insight figures as JSON and as files: a program's for its admins
(``/api/programs/{slug}/insights/...``), every program's together for site staff
(``/api/insights/...``). The same tables as the pages, for the same range of whole quarters
(``?from=2026Q1&to=2026Q4``); a malformed or reversed range is a 400 naming the field."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from tandem.core.api_types import AuthenticatedRequest
from tandem.insights.exports import XLSX_TYPE, csv_response, the_table, xlsx_response
from tandem.insights.scope import QUARTER_HELP, QUARTER_PATTERN, InsightScope
from tandem.insights.sections import SECTIONS, section_named
from tandem.insights.selectors.access import access_program_insights, access_site_insights
from tandem.insights.selectors.quarters import quarters_with_data
from tandem.insights.tables import Cell, ColumnKind, InsightTable

router = Router(tags=["insights"])

LIMITED = {
    "description": "Too many computations: wait `Retry-After` seconds (see the insights guide).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}
CSV_FILE = {
    "responses": {
        429: LIMITED,
        200: {
            "description": "The table as CSV (UTF-8 with a BOM; a header of column labels).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    }
}
TOO_MANY = {"responses": {429: LIMITED}}
XLSX_FILE = {
    "responses": {
        429: LIMITED,
        200: {
            "description": "The section as an XLSX workbook, one sheet per table.",
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
    }
}


class RangeQuery(Schema):
    first: str = Field(
        "",
        alias="from",
        description=f"First quarter, included. {QUARTER_HELP}",
        json_schema_extra={"pattern": f"^$|{QUARTER_PATTERN.pattern}"},
    )
    last: str = Field(
        "",
        alias="to",
        description=f"Last quarter, included. {QUARTER_HELP}",
        json_schema_extra={"pattern": f"^$|{QUARTER_PATTERN.pattern}"},
    )


class ColumnOut(Schema):
    key: str
    label: str
    kind: ColumnKind = Field(
        description="text; count (whole number); rate (a share from 0 to 1); points (a "
        "difference of two rates, from -1 to 1; shown in percentage points); number; days; weeks"
    )


class ChartOut(Schema):
    kind: str = Field(description="bar | hbar | line | stacked_bar")
    x: str = Field(description="The column along the category axis.")
    series: list[str] = Field(description="The columns plotted.")
    y_label: str
    scale: list[float] | None = Field(
        description="The value axis' fixed [low, high] (a 1-to-5 answer scale); null: from zero."
    )


class TableOut(Schema):
    key: str
    title: str
    summary: str = Field(description="What the table shows and how it is counted.")
    columns: list[ColumnOut]
    rows: list[dict[str, Cell]] = Field(
        description="One object per row, by column key; null is no data (a note says why)."
    )
    chart: ChartOut | None
    notes: list[str]


class SectionOut(Schema):
    key: str
    title: str
    first_quarter: str | None = Field(description="The range's first quarter (null: any).")
    last_quarter: str | None = Field(description="The range's last quarter (null: any).")
    tables: list[TableOut]
    message: str | None = Field(
        None, description="Why there are no tables: the range holds no data (else null)."
    )


class SectionRefOut(Schema):
    key: str
    title: str


class SectionsOut(Schema):
    sections: list[SectionRefOut]
    quarters: list[str] = Field(description="The quarters with data, oldest first.")


def _tables_out(tables: list[InsightTable]) -> list[TableOut]:
    return [TableOut.model_validate(table, from_attributes=True) for table in tables]


def _section_out(key: str, scope: InsightScope, by: int) -> SectionOut:
    section = section_named(key)
    return SectionOut(
        key=section.key,
        title=section.title,
        first_quarter=str(scope.first) if scope.first else None,
        last_quarter=str(scope.last) if scope.last else None,
        tables=_tables_out(section.build(scope, by=by)),
        message=scope.empty_message() if scope.empty else None,
    )


def _sections_out(program_ids: tuple[int, ...]) -> SectionsOut:
    return SectionsOut(
        sections=[SectionRefOut(key=s.key, title=s.title) for s in SECTIONS],
        quarters=[str(quarter) for quarter in quarters_with_data(program_ids)],
    )


@router.get("/programs/{slug}/insights", response=SectionsOut)
def program_sections(request: AuthenticatedRequest, slug: str) -> SectionsOut:
    """The program's insight sections and the quarters with data (the program's admins)."""
    program, _ = access_program_insights(user=request.auth, slug=slug)
    return _sections_out((program.pk,))


@router.get("/programs/{slug}/insights/{section}", response=SectionOut, openapi_extra=TOO_MANY)
def program_section(
    request: AuthenticatedRequest, slug: str, section: str, period: Query[RangeQuery]
) -> SectionOut:
    """One section's tables for the program, in the range of quarters asked for."""
    _, scope = access_program_insights(
        user=request.auth, slug=slug, first=period.first, last=period.last
    )
    return _section_out(section, scope, request.auth.pk)


@router.get(
    "/programs/{slug}/insights/{section}/xlsx", response={200: None}, openapi_extra=XLSX_FILE
)
def program_section_xlsx(
    request: AuthenticatedRequest, slug: str, section: str, period: Query[RangeQuery]
) -> HttpResponse:
    """The section as an XLSX workbook, one sheet per table."""
    program, scope = access_program_insights(
        user=request.auth, slug=slug, first=period.first, last=period.last
    )
    tables = section_named(section).file_tables(scope, by=request.auth.pk)
    return xlsx_response(tables, stem=f"{program.slug}-{section}", scope=scope)


@router.get(
    "/programs/{slug}/insights/{section}/{table}/csv", response={200: None}, openapi_extra=CSV_FILE
)
def program_table_csv(
    request: AuthenticatedRequest, slug: str, section: str, table: str, period: Query[RangeQuery]
) -> HttpResponse:
    """One table of the section as CSV."""
    program, scope = access_program_insights(
        user=request.auth, slug=slug, first=period.first, last=period.last
    )
    found = the_table(section_named(section).file_tables(scope, by=request.auth.pk), table)
    return csv_response(found, stem=f"{program.slug}-{section}-{table}", scope=scope)


@router.get("/insights", response=SectionsOut)
def site_sections(request: AuthenticatedRequest) -> SectionsOut:
    """The insight sections and the quarters with data, for every program (site staff)."""
    scope = access_site_insights(user=request.auth)
    return _sections_out(scope.program_ids)


@router.get("/insights/{section}", response=SectionOut, openapi_extra=TOO_MANY)
def site_section(
    request: AuthenticatedRequest, section: str, period: Query[RangeQuery]
) -> SectionOut:
    """One section's tables for every program together (site staff)."""
    scope = access_site_insights(user=request.auth, first=period.first, last=period.last)
    return _section_out(section, scope, request.auth.pk)


@router.get("/insights/{section}/xlsx", response={200: None}, openapi_extra=XLSX_FILE)
def site_section_xlsx(
    request: AuthenticatedRequest, section: str, period: Query[RangeQuery]
) -> HttpResponse:
    """The section for every program as an XLSX workbook (site staff)."""
    scope = access_site_insights(user=request.auth, first=period.first, last=period.last)
    tables = section_named(section).file_tables(scope, by=request.auth.pk)
    return xlsx_response(tables, stem=f"all-programs-{section}", scope=scope)


@router.get("/insights/{section}/{table}/csv", response={200: None}, openapi_extra=CSV_FILE)
def site_table_csv(
    request: AuthenticatedRequest, section: str, table: str, period: Query[RangeQuery]
) -> HttpResponse:
    """One table of the section for every program as CSV (site staff)."""
    scope = access_site_insights(user=request.auth, first=period.first, last=period.last)
    found = the_table(section_named(section).file_tables(scope, by=request.auth.pk), table)
    return csv_response(found, stem=f"all-programs-{section}-{table}", scope=scope)
