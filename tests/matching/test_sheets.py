"""The bounded sheet reader: the same values as openpyxl on ordinary workbooks, and every limit
hit, in bounded memory and time, by workbooks built to exhaust a reader."""

import datetime as dt
import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from tests.workbooks import empty_cells_bomb, two_row_workbook, with_sheet_xml

from tandem.matching import io as mio
from tandem.matching import sheets
from tandem.matching.sheets import SheetTooLarge, iter_csv_rows, iter_rows, iter_xlsx_rows


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def openpyxl_rows(content: bytes) -> list:
    """What the reader gave before: openpyxl ``read_only`` values, blank rows skipped,
    trailing empty cells dropped."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = []
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # read every row, not only the declared <dimension>
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = list(row)
        while values and values[-1] in (None, ""):
            values.pop()
        if values:
            rows.append((number, values))
    book.close()
    return rows


def with_shared_strings(content: bytes, strings_xml: str) -> bytes:
    """``content`` plus a shared-string table (openpyxl writes inline strings; Excel and
    LibreOffice write this table)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename).decode()
            if info.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Type="{kind}" Target="sharedStrings.xml" Id="rId9"/>'
                data = data.replace("</Relationships>", rel + "</Relationships>")
            elif info.filename == "[Content_Types].xml":
                override = (
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                )
                data = data.replace("</Types>", override + "</Types>")
            target.writestr(info.filename, data)
        target.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{strings_xml}</sst>')
    return out.getvalue()


def read_bounded(content: bytes, **limits) -> tuple[Exception | list, int, float]:
    """Outcome, Python's peak allocation and seconds of reading ``content``."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome: Exception | list = list(iter_xlsx_rows(io.BytesIO(content), **limits))
    except SheetTooLarge as error:
        outcome = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, peak, time.perf_counter() - started


class TestSameValuesAsOpenpyxl:
    def test_every_cell_type_reads_as_openpyxl_reads_it(self):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["email", "role", "n", "f", "b", "when", "day", "clock", "long"])
        sheet.append(["a@x.org", "mentee", 7, 7.5, True, dt.datetime(2027, 1, 15, 9, 30)])
        sheet.append([None, "", 0, -1e-7, False, dt.date(2027, 1, 15), None, dt.time(9, 5)])
        sheet["I3"] = dt.timedelta(hours=30)
        sheet["J3"] = "x" * 5000
        sheet.append([])
        sheet.append(["  spaced  ", "'=quoted", "=1+1", "Ünïcødé ✓", "line\nbreak"])
        sheet["B7"].font = openpyxl.styles.Font(bold=True)  # styled, empty
        sheet["A8"] = CellRichText("plain ", TextBlock(InlineFont(b=True), "bold"))
        sheet["Z9"] = "far but within the columns read"
        sheet["E10"] = 12345678901234
        content = saved(book)
        assert list(iter_xlsx_rows(io.BytesIO(content))) == openpyxl_rows(content)

    def test_inline_strings_rows_without_numbers_and_other_types(self):
        body = (
            '<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><r><t>b</t></r>'
            '<r><t>c</t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c></row>'
            '<row r="4"><c r="C4" t="str"><f>A1</f><v>text</v></c><c r="D4" t="e"><v>#N/A</v></c>'
            '<c r="E4" t="d"><v>2027-01-15T09:30:00</v></c><c r="F4" t="n"><v>1E3</v></c>'
            '<c r="G4" t="s"><v>0</v></c></row>'
        )
        content = with_sheet_xml(
            two_row_workbook(),
            lambda xml: xml.split("<sheetData>")[0] + f"<sheetData>{body}</sheetData></worksheet>",
        )
        content = with_shared_strings(content, "<si><t>shared</t></si>")
        assert list(iter_xlsx_rows(io.BytesIO(content))) == openpyxl_rows(content)
        assert openpyxl_rows(content)[0] == (1, ["a", "bc"])

    def test_shared_strings_plain_rich_phonetic_and_escaped(self):
        strings = (
            "<si><t>email</t></si><si><t>role</t></si>"
            "<si><r><t>Ann </t></r><r><rPr><b/></rPr><t>Lee</t></r>"
            '<rPh sb="0" eb="1"><t>an</t></rPh></si>'
            '<si><t xml:space="preserve"> a_x005F_x000D_b </t></si><si><t/></si>'
        )
        cells = "".join(f'<c r="{c}2" t="s"><v>{n}</v></c>' for n, c in enumerate("ABCDE"))
        body = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        content = with_sheet_xml(
            two_row_workbook(),
            lambda xml: (
                xml.split("<sheetData>")[0]
                + f'<sheetData>{body}<row r="2">{cells}</row></sheetData></worksheet>'
            ),
        )
        content = with_shared_strings(content, strings)
        rows = list(iter_xlsx_rows(io.BytesIO(content)))
        assert rows == openpyxl_rows(content)
        assert rows[1] == (2, ["email", "role", "Ann Lee", " a_x000D_b "])

    def test_the_1904_calendar(self):
        book = openpyxl.Workbook()
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
        book.active.append(["day", dt.date(2027, 1, 15)])
        content = saved(book)
        assert list(iter_xlsx_rows(io.BytesIO(content))) == openpyxl_rows(content)


class TestWorkbookBombs:
    """Issue 8, finding 10, second review: empty cells were never counted, and the row was
    built before any limit was checked."""

    def test_one_row_of_a_million_empty_cells_stops_at_the_column_limit(self):
        content = empty_cells_bomb()
        assert len(content) < 40_000
        outcome, peak, seconds = read_bounded(content)
        assert str(outcome) == sheets.TOO_MANY_ROW_CELLS.format(row=3, limit=sheets.MAX_COLUMNS)
        assert peak < 50 * 1024 * 1024  # was 642 MB RSS
        assert seconds < 2  # was 8 s

    def test_empty_cells_count_towards_the_cell_limit(self):
        rows = "".join(f'<row r="{n}"><c r="A{n}"/><c r="B{n}"/></row>' for n in range(3, 40))
        content = with_sheet_xml(
            two_row_workbook(), lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")
        )
        outcome, _, _ = read_bounded(content, max_cells=50)
        assert str(outcome) == sheets.TOO_MANY_CELLS.format(limit=50)

    def test_cells_far_to_the_right(self):
        empties = '<row r="3">' + "".join(f'<c r="XF{c}3" s="0"/>' for c in "ABCDEFGHIJ") * 7
        content = with_sheet_xml(
            two_row_workbook(),
            lambda xml: xml.replace("</sheetData>", empties + "</row></sheetData>"),
        )
        outcome, _, _ = read_bounded(content)
        assert str(outcome) == sheets.TOO_MANY_ROW_CELLS.format(row=3, limit=sheets.MAX_COLUMNS)
        filled = '<row r="5"><c r="A5" t="inlineStr"><is><t>x</t></is></c><c r="BM5"><v>1</v></c>'
        content = with_sheet_xml(
            two_row_workbook(),
            lambda xml: xml.replace("</sheetData>", filled + "</row></sheetData>"),
        )
        outcome, _, _ = read_bounded(content)
        assert str(outcome) == sheets.TOO_MANY_COLUMNS.format(row=5, limit=sheets.MAX_COLUMNS)

    def test_one_empty_cell_far_right_is_ignored(self):
        row = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
        content = with_sheet_xml(
            two_row_workbook(), lambda xml: xml.replace("</sheetData>", row + "</sheetData>")
        )
        outcome, _, _ = read_bounded(content)
        assert outcome == [(1, ["email", "role"]), (2, ["a@example.org", "mentee"])]

    def test_shared_strings_beyond_the_cell_limit(self):
        book = openpyxl.Workbook()
        for number in range(30):
            book.active.append([f"text {number}"])
        outcome, _, _ = read_bounded(saved(book), max_cells=20)
        assert str(outcome) == sheets.TOO_MANY_CELLS.format(limit=20)

    def test_unpacked_size_is_checked_before_reading(self):
        content = empty_cells_bomb()
        outcome, _, _ = read_bounded(content, max_uncompressed=sheets.MAX_UNCOMPRESSED_BYTES // 8)
        assert str(outcome) == sheets.TOO_LARGE_UNZIPPED.format(limit=8)

    def test_empty_elements_are_counted_too(self, monkeypatch):
        """92 KB of ``<row/>`` (60 MB unpacked) kept a reader busy for 34 s with no cell."""
        monkeypatch.setattr(sheets.package, "MAX_XML_ELEMENTS", 5_000)
        content = with_sheet_xml(
            two_row_workbook(),
            lambda xml: xml.replace("</sheetData>", "<row/>" * 10_000 + "</sheetData>"),
        )
        outcome, _, _ = read_bounded(content)
        assert str(outcome) == sheets.TOO_MANY_ELEMENTS.format(limit=5_000)

    def test_a_doctype_is_refused(self):
        content = with_sheet_xml(
            two_row_workbook(),
            lambda xml: xml.replace("<worksheet", '<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1),
        )
        with pytest.raises(sheets.NotAWorkbook):
            list(iter_xlsx_rows(io.BytesIO(content)))


class TestOneReaderForEveryEntryPoint:
    def test_csv_limits_and_messages_are_the_xlsx_ones(self):
        text = "email,role\n" + "".join(f"p{n}@x.org,mentee\n" for n in range(4))
        with pytest.raises(SheetTooLarge) as error:
            list(iter_csv_rows(text, max_rows=3))
        assert str(error.value) == sheets.TOO_MANY_ROWS.format(limit=3)
        with pytest.raises(SheetTooLarge) as error:
            list(iter_csv_rows(text, max_cells=7))
        assert str(error.value) == sheets.TOO_MANY_CELLS.format(limit=7)
        wide = "email,role" + "," * 100 + "x\n"
        with pytest.raises(SheetTooLarge) as error:
            list(iter_csv_rows(wide))
        assert str(error.value) == sheets.TOO_MANY_COLUMNS.format(row=1, limit=64)
        trailing = "email,role" + "," * 100 + "\n"
        assert list(iter_csv_rows(trailing)) == [(1, ["email", "role"])]

    def test_tandem_match_reads_csv_within_the_limits(self, tmp_path):
        """``tandem match`` read CSV with no limit at all before."""
        path = tmp_path / "mentees.csv"
        path.write_text("id,goals" + "," * 100 + "x\na,SQL\n")
        with pytest.raises(mio.InputError) as error:
            mio.read_mentees(path)
        assert error.value.errors[0].message == sheets.TOO_MANY_COLUMNS.format(row=1, limit=64)

    def test_tandem_match_refuses_the_empty_cells_bomb(self, tmp_path):
        path = tmp_path / "mentees.xlsx"
        path.write_bytes(empty_cells_bomb())
        with pytest.raises(mio.InputError) as error:
            mio.read_mentees(path)
        assert error.value.errors[0].message == sheets.TOO_MANY_ROW_CELLS.format(row=3, limit=64)

    def test_files_are_told_apart_by_name_or_zip_header(self):
        content = two_row_workbook()
        assert list(iter_rows(filename="people", content=content))[0] == (1, ["email", "role"])
        assert list(iter_rows(filename="p.csv", content=b"a;b\n")) == [(1, ["a", "b"])]


class TestDelimiter:
    """One delimiter rule for the import and ``tandem match``: the header's."""

    def test_comma_files_whose_cells_hold_semicolons_stay_comma_files(self):
        text = "id,role,languages\na,mentee,en;de;fr\nb,mentor,en;es\n"
        assert list(iter_csv_rows(text)) == [
            (1, ["id", "role", "languages"]),
            (2, ["a", "mentee", "en;de;fr"]),
            (3, ["b", "mentor", "en;es"]),
        ]

    @pytest.mark.parametrize("delimiter", [";", "\t"])
    def test_semicolon_and_tab_files_are_split_on_their_delimiter(self, tmp_path, delimiter):
        path = tmp_path / "mentees.csv"
        path.write_text(delimiter.join(["id", "role", "languages"]) + "\n")
        with path.open("a") as file:
            file.write(delimiter.join(["a", "mentee", "en"]) + "\n")
        assert [row for _, row in iter_rows(filename=path.name, content=path.read_bytes())] == [
            ["id", "role", "languages"],
            ["a", "mentee", "en"],
        ]
