"""What a screen reader or keyboard needs from a page's HTML, read with the standard library:
every form control labelled, one h1 and no skipped heading level, every link and button with
a name, ids unique and every aria-describedby / aria-labelledby / label-for pointing at one,
every table with a header cell.

Visible text only is not checked (no CSS here): a heading inside ``hidden`` or a ``<template>``
is skipped, as a browser would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})
_VOID |= {"source", "track", "wbr"}
_UNLABELLED_TYPES = frozenset({"hidden", "submit", "button", "reset", "image"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


@dataclass
class _Named:
    """A link, button or heading being read: its own name so far and whether it is hidden."""

    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # tag, hidden from everyone (hidden, template)
        self.quiet = 0  # inside aria-hidden="true": read by nobody
        self.open: list[_Named] = []
        self.controls: list[dict[str, str]] = []
        self.in_label = 0
        self.label_for: list[str] = []
        self.ids: list[str] = []
        self.refs: list[tuple[str, str]] = []  # attribute, id
        self.headings: list[tuple[int, str]] = []
        self.unnamed: list[str] = []
        self.tables: list[bool] = []  # one per table: has a th
        self.names: list[tuple[str, str]] = []  # tag, accessible name of each link and button

    @property
    def hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs_list: list) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        self._note_ids(tag, attrs)
        if tag in {"input", "select", "textarea"} and not self.hidden:
            self._note_control(tag, attrs)
        if tag == "table":
            self.tables.append(False)
        if tag == "th" and self.tables:
            self.tables[-1] = True
        if tag == "img" and not self.quiet:
            for named in self.open:
                named.text.append(attrs.get("alt", ""))
        if tag in _VOID:
            return
        self.stack.append((tag, tag == "template" or "hidden" in attrs))
        if attrs.get("aria-hidden") == "true" or self.quiet:
            self.quiet += 1
        if tag == "label":
            self.in_label += 1
        if tag in _HEADINGS or tag == "button" or (tag == "a" and "href" in attrs):
            self.open.append(_Named(tag, attrs))

    def _note_ids(self, tag: str, attrs: dict[str, str]) -> None:
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if attrs.get("type") == "hidden":
            return  # never shown: Django's as_hidden keeps a help text's aria-describedby
        for attr in ("aria-describedby", "aria-labelledby"):
            self.refs += [(attr, ref) for ref in attrs.get(attr, "").split()]
        if tag == "label" and attrs.get("for"):
            self.label_for.append(attrs["for"])

    def _note_control(self, tag: str, attrs: dict[str, str]) -> None:
        kind = attrs.get("type", "text").lower()
        if kind not in _UNLABELLED_TYPES:
            self.controls.append({**attrs, "_tag": tag, "_wrapped": "1" * self.in_label})
        elif kind in {"submit", "button"} and not (attrs.get("value") or attrs.get("aria-label")):
            self.unnamed.append(f"<input type={kind}> without a value")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(open_tag == tag for open_tag, _ in self.stack):
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            hidden_now = self.hidden
            if self.quiet:
                self.quiet -= 1
            if open_tag == "label":
                self.in_label -= 1
            if self.open and self.open[-1].tag == open_tag:
                self._close(self.open.pop(), hidden_now)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.quiet:
            for named in self.open:
                named.text.append(data)

    def _close(self, named: _Named, hidden: bool) -> None:
        text = " ".join("".join(named.text).split())
        name = (named.attrs.get("aria-label") or text or named.attrs.get("title", "")).strip()
        if hidden:
            return
        if named.tag in _HEADINGS:
            self.headings.append((_HEADINGS[named.tag], name))
            return
        self.names.append((named.tag, name))
        if not name and not named.attrs.get("aria-labelledby"):
            self.unnamed.append(f"<{named.tag}> {_attrs(named.attrs)}")


def _attrs(attrs: dict[str, str]) -> str:
    return " ".join(f'{k}="{v}"' for k, v in attrs.items() if k in {"href", "class", "name", "id"})


def names(html: str) -> list[tuple[str, str]]:
    """(tag, accessible name) of each link and button a screen reader lists, in page order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.names


def problems(html: str) -> list[str]:
    """What a page gets wrong for assistive technology, one line each."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    found = []
    ids = set(reader.ids)
    for control in reader.controls:
        if not (
            control.get("aria-label")
            or control.get("aria-labelledby")
            or control.get("title")
            or control["_wrapped"]
            or control.get("id", "") in reader.label_for
        ):
            found.append(f"unlabelled <{control['_tag']}> {_attrs(control)}")
    found += [f"unnamed {what}" for what in reader.unnamed]
    found += [f"duplicate id {i!r}" for i in sorted(ids) if reader.ids.count(i) > 1]
    found += [f"{attr} points at no id {ref!r}" for attr, ref in reader.refs if ref not in ids]
    found += [f"<label for> points at no id {ref!r}" for ref in reader.label_for if ref not in ids]
    found += [
        f"a table without a header cell (#{n + 1})" for n, th in enumerate(reader.tables) if not th
    ]
    if "<html" not in html[:1000].lower():
        return found  # an htmx fragment: its headings sit under the page's
    levels = [level for level, _ in reader.headings]
    if levels.count(1) != 1:
        found.append(f"{levels.count(1)} h1 headings (one expected)")
    if levels and levels[0] != 1:
        found.append(f"the first heading is an h{levels[0]}: {reader.headings[0][1]!r}")
    for (before, _), (level, text) in zip(reader.headings, reader.headings[1:], strict=False):
        if level > before + 1:
            found.append(f"h{before} then h{level} ({text!r}): a level skipped")
    return found
