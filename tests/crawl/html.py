"""Read a page the way a browser without a user would: its links, its forms and what submitting
each form untouched would send, and the date and time inputs whose value a browser rejects.

Only the standard library: the crawl must see exactly the HTML the server sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin

# HTML's value sanitisation: an input whose value does not parse is shown empty and submitted
# empty (https://html.spec.whatwg.org/multipage/input.html#value-sanitization-algorithm).
_DATE = r"(?P<y>\d{4,})-(?P<m>\d\d)-(?P<d>\d\d)"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?"
_PATTERNS = {
    "date": re.compile(rf"{_DATE}"),
    "time": re.compile(_TIME),
    "datetime-local": re.compile(rf"{_DATE}[T ]{_TIME}"),
    "month": re.compile(r"(?P<y>\d{4,})-(?P<m>\d\d)"),
    "number": re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"),
}
CHECKED_TYPES = frozenset(_PATTERNS)
_CRLF = re.compile(r"\r\n|\r|\n")
NOT_SUBMITTED = frozenset({"submit", "button", "image", "reset"})
UNTYPED_VALUE_TYPES = frozenset({"hidden", "text", "search", "email", "url", "tel", "password"})


def browser_accepts(input_type: str, value: str) -> bool:
    """Whether a browser keeps ``value`` in an ``<input type=input_type>`` (empty is fine)."""
    pattern = _PATTERNS.get(input_type)
    if pattern is None or value == "":
        return True
    match = pattern.fullmatch(value)
    if match is None:
        return False
    groups = match.groupdict()
    if "y" not in groups:
        return True
    year, month = int(groups["y"]), int(groups["m"])
    day = int(groups.get("d") or 1)
    if year < 1 or not 1 <= month <= 12:
        return False
    try:
        date(min(year, 9999), month, day)
    except ValueError:
        return False
    return True


@dataclass
class Control:
    tag: str  # input | select | textarea | button
    type: str
    name: str
    value: str = ""
    checked: bool = False
    disabled: bool = False
    multiple: bool = False
    label: str = ""  # a button's aria-label, else its text
    text: str = ""
    options: list[tuple[str, bool, bool]] = field(default_factory=list)  # value, selected, disabled

    @property
    def is_submitter(self) -> bool:
        return (self.tag == "button" and self.type == "submit") or (
            self.tag == "input" and self.type in {"submit", "image"}
        )

    @property
    def visible_value(self) -> bool:
        """A value the person can see and edit was rendered (a form showing existing data)."""
        if self.disabled or self.is_submitter or self.type in {"hidden", "file", "button"}:
            return False
        if self.tag == "select":
            return any(selected for _, selected, _ in self.options)
        if self.type in {"checkbox", "radio"}:
            return self.checked
        return self.value.strip() != ""


@dataclass
class Form:
    page: str  # the URL the form was found on
    action: str
    method: str
    enctype: str
    htmx: bool
    controls: list[Control] = field(default_factory=list)

    @property
    def submitters(self) -> list[Control]:
        return [c for c in self.controls if c.is_submitter and not c.disabled]

    @property
    def is_edit(self) -> bool:
        return self.method == "post" and any(c.visible_value for c in self.controls)

    @property
    def has_file(self) -> bool:
        return any(c.type == "file" for c in self.controls)

    def signature(self) -> tuple:
        names = tuple(sorted({c.name for c in self.controls if c.name}))
        return (self.action, self.method, names)

    def data(self, submitter: Control | None) -> list[tuple[str, str]]:
        """The entries a browser submits when the form is sent untouched via ``submitter``."""
        entries = [entry for control in self.controls for entry in _sent(control, submitter)]
        # Browsers send every line break as CRLF.
        return [(name, _CRLF.sub("\r\n", value)) for name, value in entries]

    def files(self) -> list[tuple[str, tuple[str, bytes, str]]]:
        """An untouched file input sends an empty part with an empty file name."""
        return [
            (c.name, ("", b"", "application/octet-stream"))
            for c in self.controls
            if c.type == "file" and c.name and not c.disabled
        ]


def _selected(select: Control) -> list[str]:
    chosen = [value for value, selected, _ in select.options if selected]
    if select.multiple:
        return chosen
    if chosen:
        return chosen[-1:]
    enabled = [value for value, _, disabled in select.options if not disabled]
    return enabled[:1]


def _sent(control: Control, submitter: Control | None) -> list[tuple[str, str]]:
    """What one control adds to its form's untouched submission via ``submitter``."""
    if not control.name or control.disabled:
        return []
    if control.is_submitter or control.type in NOT_SUBMITTED or control.type == "file":
        return [(control.name, control.value)] if control is submitter else []
    if control.tag == "select":
        return [(control.name, value) for value in _selected(control)]
    if control.type in {"checkbox", "radio"}:
        return [(control.name, control.value or "on")] if control.checked else []
    if control.tag == "textarea":
        return [(control.name, control.value)]
    value = control.value
    if control.type in UNTYPED_VALUE_TYPES:
        value = value.replace("\r", "").replace("\n", "")
    return [(control.name, value if browser_accepts(control.type, value) else "")]


@dataclass
class BadValue:
    name: str
    type: str
    value: str


@dataclass
class Page:
    url: str
    links: list[str] = field(default_factory=list)
    htmx_links: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    bad_values: list[BadValue] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.page = Page(url=url)
        self.base = url
        self.form: Form | None = None
        self.select: Control | None = None
        self.option: list | None = None  # [value or None, selected, disabled, text]
        self.textarea: Control | None = None
        self.button: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "base" and a.get("href"):
            self.base = urljoin(self.base, a["href"])
        if tag == "a" and a.get("href"):
            self.page.links.append(urljoin(self.base, a["href"]))
        if a.get("hx-get") and tag != "form":
            self.page.htmx_links.append(urljoin(self.base, a["hx-get"]))
        if tag == "form":
            self._open_form(a)
        elif tag == "input":
            self._input(a)
        elif tag == "select":
            self.select = Control(
                "select",
                "select",
                a.get("name", ""),
                disabled="disabled" in a,
                multiple="multiple" in a,
            )
        elif tag == "option" and self.select is not None:
            self._close_option()
            self.option = [a.get("value"), "selected" in a, "disabled" in a, ""]
        elif tag == "textarea":
            self.textarea = Control(
                "textarea", "textarea", a.get("name", ""), disabled="disabled" in a
            )
        elif tag == "button":
            self.button = Control(
                "button",
                (a.get("type") or "submit").lower(),
                a.get("name", ""),
                value=a.get("value", ""),
                disabled="disabled" in a,
                label=a.get("aria-label", ""),
            )

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in {"textarea", "select", "button", "option"}:
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self.option is not None:
            self.option[3] += data
        if self.textarea is not None:
            self.textarea.value += data
        if self.button is not None:
            self.button.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self.select is not None:
            self._close_option()
            self._add(self.select)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The parser drops the one newline right after <textarea>.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self._add(self.textarea)
            self.textarea = None
        elif tag == "button" and self.button is not None:
            self.button.label = self.button.label or " ".join(self.button.text.split())
            self._add(self.button)
            self.button = None

    def _open_form(self, a):
        hx_post = a.get("hx-post")
        action = hx_post or a.get("action") or self.page.url
        method = "post" if hx_post else (a.get("method") or "get").lower()
        self.form = Form(
            page=self.page.url,
            action=urljoin(self.base, action),
            method=method,
            enctype=(a.get("enctype") or "application/x-www-form-urlencoded").lower(),
            htmx=bool(hx_post),
        )
        self.page.forms.append(self.form)

    def _input(self, a):
        kind = (a.get("type") or "text").lower()
        control = Control(
            "input",
            kind,
            a.get("name", ""),
            value=a.get("value", ""),
            checked="checked" in a,
            disabled="disabled" in a,
            label=a.get("aria-label", "") or a.get("value", ""),
        )
        if kind in CHECKED_TYPES and not browser_accepts(kind, control.value):
            self.page.bad_values.append(BadValue(control.name, kind, control.value))
        self._add(control)

    def _close_option(self):
        if self.option is None or self.select is None:
            return
        value, selected, disabled, text = self.option
        value = " ".join(text.split()) if value is None else value
        self.select.options.append((value, selected, disabled))
        self.option = None

    def _add(self, control: Control):
        if self.form is not None:
            self.form.controls.append(control)


def parse_page(url: str, html: str) -> Page:
    parser = _PageParser(url)
    parser.feed(html)
    parser.close()
    return parser.page
