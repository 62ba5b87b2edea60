"""Post a form back exactly as a browser would after the page rendered it, untouched.

A browser drops the value of a date, time or datetime-local input it cannot parse (it shows an
empty field), so this does the same: what is posted is what the browser would send.
"""

from __future__ import annotations

from html.parser import HTMLParser

from tests.crawl.html import browser_accepts


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "rejected": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._input(self._form, a)
        elif tag == "select" and a.get("name"):
            self._select = {
                "name": a["name"],
                "first": None,
                "chosen": [],
                "multiple": "multiple" in a,
            }
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    @staticmethod
    def _input(form, a):
        kind = a.get("type", "text")
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        if kind in ("submit", "button", "file"):
            return
        value = a.get("value", "on" if kind == "checkbox" else "")
        if not browser_accepts(kind, value):
            form["rejected"].append((a["name"], kind, value))
            value = ""
        form["fields"].append((a["name"], value))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            # A single choice sends its selected option, else its first; a multiple one
            # sends each selected option, maybe none.
            chosen = self._select["chosen"]
            if not self._select["multiple"]:
                chosen = chosen[-1:] or [self._select["first"] or ""]
            self._form["fields"].extend((self._select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def page_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def untouched(html: str, *, has_field: str) -> tuple[dict, list]:
    """The data of the first form with ``has_field``, and the inputs a browser would drop."""
    for form in page_forms(html):
        names = [name for name, _ in form["fields"]]
        if has_field in names:
            data: dict[str, list[str]] = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return data, form["rejected"]
    raise AssertionError(f"no form with a {has_field!r} field")
