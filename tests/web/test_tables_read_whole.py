"""Tables keep words whole (live review F20/F28: "Moham med", "SC OR E", "Act ive"): table cells
never take ``overflow-wrap: anywhere``, which lets the table layout squeeze a column below its
longest word, and every data table either stacks into label: value rows on a phone or is one
of the few that are laid out for narrow screens on their own."""

from __future__ import annotations

import re
from pathlib import Path

import tandem

SRC = Path(tandem.__file__).parent
CSS = SRC / "web" / "static" / "web" / "tandem.css"
# Tables that read well at 390 px without stacking: two or three short columns, or laid out
# by their own stylesheet (insights scrolls with a sticky first column).
NARROW_ON_THEIR_OWN = {
    "insights/templates/insights/insights.html",
    "notify/templates/notify/preferences.html",
    "web/templates/web/admin_home.html",
    "mentorships/templates/mentorships/request_detail.html",
    "matchruns/templates/matchruns/compare.html",
}
STACKING = re.compile(r'<table[^>]*class="[^"]*\b(stack-table|stack)\b')


def rules(css: str) -> list[tuple[list[str], str]]:
    """(selectors, declarations) of each rule, media queries flattened."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    return [
        ([s.strip() for s in sel.split(",")], body)
        for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    ]


def test_no_table_cell_breaks_words_anywhere():
    for selectors, body in rules(CSS.read_text()):
        if "anywhere" not in body:
            continue
        for selector in selectors:
            last = selector.split()[-1]
            assert not re.fullmatch(r"(td|th)\b.*", last), selector
    cell = [body for selectors, body in rules(CSS.read_text()) if "td" in selectors]
    assert any("overflow-wrap: break-word" in body for body in cell)


def test_badges_and_headers_stay_on_one_line():
    nowrap = [
        s for selectors, body in rules(CSS.read_text()) if "nowrap" in body for s in selectors
    ]
    assert {"thead th", ".badge", ".nowrap"} <= set(nowrap)


def test_every_data_table_stacks_on_a_phone_with_labels():
    missing: list[str] = []
    unlabelled: list[str] = []
    for template in sorted(SRC.glob("*/templates/**/*.html")):
        name = template.relative_to(SRC).as_posix()
        text = template.read_text()
        if "<table" not in text or name in NARROW_ON_THEIR_OWN:
            continue
        if not STACKING.search(text):
            missing.append(name)
            continue
        body = text.split("<tbody", 1)[-1]
        rows = [(SRC.glob(f"*/templates/{n}")) for n in re.findall(r'{% include "([^"]+)"', body)]
        body += "".join(path.read_text() for found in rows for path in found)
        if "data-label=" not in body:
            unlabelled.append(name)
    assert missing == []
    assert unlabelled == []
