"""Export a program's participants in the import's columns, so export → import changes nothing.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so text a
participant typed (their goals, say) could run in the admin's spreadsheet. CSV cells that start
so get a leading apostrophe (the participant record's reader takes it off again: ``unescape_cell``);
XLSX cells are written as explicit text.

Privacy: ``identity`` and ``prefer_shared_identity`` are neither imported nor exported (a
person's identity is never shown to anyone but themselves, admins included), so the export has
no such columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

from tandem.matching.records.availability import format_window
from tandem.matching.records.reading import escape_cell
from tandem.people.models import User
from tandem.people.selectors import skill_labels, skill_tags_prefetch
from tandem.programs.imports.reading import COLUMNS, IDENTITY_COLUMNS
from tandem.programs.models import CLOSED_STATUSES, Enrolment, Program, Role

# The import's columns, but for "skills" (its shorthand for both skill columns) and identity.
EXPORT_COLUMNS = tuple(
    column for column in COLUMNS if column != "skills" and column not in IDENTITY_COLUMNS
)
CHUNK = 1000


def export_enrolments(*, program: Program):
    """Mentee and mentor enrolments that are not removed (nor left), with everything prefetched."""
    return (
        Enrolment.objects.filter(program=program, role__in=[Role.MENTEE, Role.MENTOR])
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("person", "person__profile", "person__profile__manager")
        .prefetch_related(
            *skill_tags_prefetch("person__profile__"),
            "person__profile__windows",
            Prefetch("exclude", queryset=User.objects.only("email").order_by("email")),
        )
        .order_by("person__email", "role")
    )


def _row(enrolment: Enrolment) -> list[str]:
    person = enrolment.person
    profile = getattr(person, "profile", None)
    name = " ".join(f"{person.first_name} {person.last_name}".split())
    values = {
        "id": enrolment.external_id,
        "email": person.email,
        "name": name,
        "role": enrolment.role,
        "capacity": ""
        if enrolment.capacity is None or enrolment.role != Role.MENTOR
        else str(enrolment.capacity),
        "exclude": ";".join(user.email for user in enrolment.exclude.all()),
    }
    if profile is not None:
        values.update(
            {
                "goals": profile.goals,
                "expertise": profile.expertise,
                "skills_offered": "; ".join(skill_labels(profile, "skills_offered")),
                "skills_wanted": "; ".join(skill_labels(profile, "skills_wanted")),
                "seniority": "" if profile.seniority is None else str(profile.seniority),
                "languages": ";".join(profile.languages or []),
                "timezone": profile.timezone,
                "availability": "; ".join(
                    format_window(w.weekday, w.start_minute, w.end_minute)
                    for w in profile.windows.all()
                ),
                "format": profile.meeting_format,
                "city": profile.city,
                "cadence": profile.cadence,
                "department": profile.department,
                "working_style": ";".join(
                    f"{key}={value}" for key, value in sorted((profile.working_style or {}).items())
                ),
                "manager": profile.manager.email if profile.manager_id else "",
            }
        )
    return [values.get(column, "") for column in EXPORT_COLUMNS]


def export_rows(*, program: Program) -> Iterator[list[str]]:
    yield list(EXPORT_COLUMNS)
    for enrolment in export_enrolments(program=program).iterator(chunk_size=CHUNK):
        yield _row(enrolment)


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv_lines(*, program: Program) -> Iterator[str]:
    """CSV text line by line (UTF-8 with BOM so Excel reads accents), for streaming."""
    return csv_lines(export_rows(program=program))


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """``rows`` as CSV lines (a BOM first), every cell safe from running as a formula."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([escape_cell(value) for value in row])


def _text_cell(sheet, value: str):
    """A cell that holds ``value`` as text even when it looks like a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def xlsx_bytes(rows: Iterable[list[str]], *, sheet_name: str = "participants") -> bytes:
    """``rows`` as a one-sheet workbook of text cells (never formulas)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(*, program: Program) -> bytes:
    return xlsx_bytes(export_rows(program=program))
