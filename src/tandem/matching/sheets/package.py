"""The workbook's package: a zip of XML parts, found through their relationships and each
stream-parsed by one guarded expat loop (see the package notes for why nothing else parses it).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from typing import IO
from xml.parsers import expat

from tandem.matching.sheets.limits import (
    MAX_CELLS,
    TOO_MANY_ELEMENTS,
    NotAWorkbook,
    SheetTooLarge,
)

MAX_XML_DEPTH = 64  # a worksheet nests 7 deep; deeper is not a spreadsheet
# per part: a cell is at most 3 elements (<c><is><t>), plus one <row> per row Excel allows
MAX_XML_ELEMENTS = 3 * MAX_CELLS + 1_048_576
MAX_RELATIONSHIPS = 10_000
CHUNK_BYTES = 64 * 1024

_SHEET = "/officeDocument/2006/relationships/worksheet"
_STRINGS = "/officeDocument/2006/relationships/sharedStrings"
_STYLES = "/officeDocument/2006/relationships/styles"
_DOCUMENT = "/officeDocument/2006/relationships/officeDocument"

StartHandler = Callable[[str, dict[str, str]], None]  # (local tag name, attributes)
EndHandler = Callable[[str], None]  # (local tag name)
TextHandler = Callable[[str], None]  # (character data)


class WorkbookParts:
    """Member names of the first worksheet, the shared strings and the styles (None when the
    workbook has none), and the date epoch (1900 or 1904) the dates count from."""

    def __init__(
        self, sheet: str, strings: str | None, styles: str | None, epoch: dt.datetime
    ) -> None:
        self.sheet, self.strings, self.styles, self.epoch = sheet, strings, styles, epoch


def parse_part(
    xml: IO[bytes],
    start: StartHandler | None = None,
    end: EndHandler | None = None,
    text: TextHandler | None = None,
) -> Iterator[None]:
    """Feed ``xml`` to expat in chunks, yielding after each so callers can hand on results.
    Refuses a DOCTYPE (no spreadsheet has one; entities would be a bomb of their own), nesting
    deeper than ``MAX_XML_DEPTH`` and more than ``MAX_XML_ELEMENTS`` elements (what the
    largest sheet within the cell limit needs: a bomb of empty elements costs no more time)."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    depth = elements = 0
    local: dict[str, str] = {}  # "{namespace}name" -> "name"

    def on_start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, elements
        depth += 1
        elements += 1
        if depth > MAX_XML_DEPTH:
            raise NotAWorkbook("XML nested too deep")
        if elements > MAX_XML_ELEMENTS:
            raise SheetTooLarge(TOO_MANY_ELEMENTS.format(limit=MAX_XML_ELEMENTS))
        if start:
            start(local.get(name) or local.setdefault(name, name.rpartition("}")[2]), attrs)

    def on_end(name: str) -> None:
        nonlocal depth
        depth -= 1
        if end:
            end(local.get(name) or local.setdefault(name, name.rpartition("}")[2]))

    def refuse(*_args: object) -> None:
        raise NotAWorkbook("a DOCTYPE in a workbook part")

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.StartDoctypeDeclHandler = refuse
    if text:
        parser.CharacterDataHandler = text
    while chunk := xml.read(CHUNK_BYTES):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """``id -> (type, member name)`` of a part's relationships."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if path not in archive.NameToInfo:
        return found

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            if len(found) >= MAX_RELATIONSHIPS:
                raise NotAWorkbook("too many relationships")
            target = attrs.get("Target", "")
            member = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(member))

    with archive.open(path) as xml:
        for _ in parse_part(xml, start=start):
            pass
    return found


def workbook_parts(archive: zipfile.ZipFile) -> WorkbookParts:
    """The parts to read, from the package's and the workbook's relationships; raises
    ``NotAWorkbook`` when there is no worksheet."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

    document = next(
        (
            member
            for kind, member in _relationships(archive, "").values()
            if kind.endswith(_DOCUMENT)
        ),
        "xl/workbook.xml",
    )
    related = _relationships(archive, document)
    state: dict = {"sheet": None, "date1904": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "workbookPr":
            state["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet" and state["sheet"] is None:
            rid = next((value for key, value in attrs.items() if key.endswith("}id")), None)
            kind, member = related.get(rid, ("", "")) if rid is not None else ("", "")
            if kind.endswith(_SHEET):
                state["sheet"] = member

    with archive.open(document) as xml:
        for _ in parse_part(xml, start=start):
            pass
    if state["sheet"] is None:
        raise NotAWorkbook("no worksheet")

    def first(kind: str) -> str | None:
        return next((member for k, member in related.values() if k.endswith(kind)), None)

    epoch = CALENDAR_MAC_1904 if state["date1904"] else WINDOWS_EPOCH
    return WorkbookParts(state["sheet"], first(_STRINGS), first(_STYLES), epoch)
