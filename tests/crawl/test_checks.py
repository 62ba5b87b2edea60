"""The crawl's own checks: what a browser does with a rendered form, and what counts as data
changed, on hand-written pages whose answer is known."""

from __future__ import annotations

import pytest

from tests.crawl.crawler import diff, url_pattern
from tests.crawl.html import browser_accepts, parse_page

EDIT_PAGE = """
<form method="post" action="/programs/p/edit/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="text" name="name" value="Guild
">
  <input type="date" name="starts_on" value="15/01/2027">
  <input type="date" name="ends_on" value="2027-06-30">
  <input type="checkbox" name="open" checked>
  <input type="checkbox" name="archived" value="yes">
  <input type="radio" name="mode" value="cohort" checked>
  <input type="radio" name="mode" value="self">
  <select name="cadence">
    <option value="weekly">Weekly</option><option selected>monthly</option>
  </select>
  <select name="format">
    <option value="video">Video</option><option value="person">In person</option>
  </select>
  <select name="langs" multiple>
    <option value="en" selected>en</option><option value="pt">pt</option>
  </select>
  <textarea name="description">
first line
second line</textarea>
  <input type="text" name="locked" value="x" disabled>
  <input type="file" name="logo">
  <button type="submit" name="action" value="save">Save</button>
  <button type="submit" name="action" value="delete">Delete</button>
</form>
<a href="/people/3/#top">Pat</a> <div hx-get="/profile/availability-row/"></div>
"""


@pytest.mark.parametrize(
    ("kind", "value", "accepted"),
    [
        ("date", "2027-01-15", True),
        ("date", "", True),
        ("date", "15/01/2027", False),  # en-gb's rendering: the browser shows an empty field
        ("date", "2027-02-30", False),
        ("date", "2027-1-5", False),
        ("time", "09:30", True),
        ("time", "09:30:15", True),
        ("time", "9:30", False),
        ("time", "09:30 AM", False),
        ("datetime-local", "2027-01-15T09:30", True),
        ("datetime-local", "2027-01-15 09:30:00+00:00", False),
        ("datetime-local", "15/01/2027 09:30", False),
        ("number", "1.5", True),
        ("number", "1,5", False),
        ("text", "anything at all", True),
    ],
)
def test_browser_accepts_only_the_values_html_parses(kind, value, accepted):
    assert browser_accepts(kind, value) is accepted


def test_page_reports_the_date_a_browser_would_empty():
    page = parse_page("http://t/programs/p/edit/", EDIT_PAGE)
    assert [(bad.name, bad.value) for bad in page.bad_values] == [("starts_on", "15/01/2027")]
    assert page.links == ["http://t/people/3/#top"]
    assert page.htmx_links == ["http://t/profile/availability-row/"]


def test_untouched_form_sends_exactly_what_a_browser_sends():
    (form,) = parse_page("http://t/programs/p/edit/", EDIT_PAGE).forms
    save, delete = form.submitters
    assert (form.action, form.method, form.is_edit) == ("http://t/programs/p/edit/", "post", True)
    assert form.data(save) == [
        ("csrfmiddlewaretoken", "tok"),
        ("name", "Guild"),  # line breaks stripped from a text input
        ("starts_on", ""),  # the rejected date is submitted empty: the data loss
        ("ends_on", "2027-06-30"),
        ("open", "on"),
        ("mode", "cohort"),
        ("cadence", "monthly"),  # an option's text is its value
        ("format", "video"),  # nothing selected: the first option
        ("langs", "en"),
        ("description", "first line\r\nsecond line"),  # leading newline dropped, CRLF sent
        ("action", "save"),
    ]
    assert form.data(delete)[-1] == ("action", "delete")
    assert form.files() == [("logo", ("", b"", "application/octet-stream"))]


def test_a_form_of_buttons_only_is_not_an_edit_form():
    html = '<form method="post" action="/x/1/toggle/"><input type="hidden" name="a" value="1">'
    html += "<button>Mark done</button></form>"
    (form,) = parse_page("http://t/", html).forms
    assert not form.is_edit
    assert form.submitters[0].label == "Mark done"


def test_htmx_form_posts_to_its_hx_post_address():
    html = '<form method="post" action="/a/" hx-post="/b/"><button>Go</button></form>'
    (form,) = parse_page("http://t/", html).forms
    assert (form.action, form.method, form.htmx) == ("http://t/b/", "post", True)


def test_diff_sees_updates_and_deletions_but_not_rows_rewritten_identically():
    before = {
        "program": {1: {"id": 1, "starts_on": "2027-01-15", "updated_at": 1}},
        "window": {1: {"id": 1, "day": "Mon"}, 2: {"id": 2, "day": "Tue"}},
        "version": {1: {"id": 1, "number": 1}},
    }
    rewritten = {
        "program": {1: {"id": 1, "starts_on": "2027-01-15", "updated_at": 2}},
        "window": {3: {"id": 3, "day": "Mon"}, 4: {"id": 4, "day": "Tue"}},
        "version": {1: {"id": 1, "number": 1}},
    }
    assert diff(before, rewritten, frozenset({"updated_at"})) == []
    erased = {**rewritten, "program": {1: {"id": 1, "starts_on": None, "updated_at": 2}}}
    assert diff(before, erased, frozenset({"updated_at"})) == [
        "program #1 starts_on: '2027-01-15' -> None"
    ]
    lost = {**rewritten, "window": {3: {"id": 3, "day": "Mon"}}}
    assert diff(before, lost, frozenset({"updated_at"})) == ["window: 1 row(s) deleted"]
    added = {**before, "version": {1: {"id": 1, "number": 1}, 2: {"id": 2, "number": 2}}}
    assert diff(before, added, frozenset()) == ["version: 1 row(s) added"]
    assert diff(before, added, frozenset(), inserts=False) == []


def test_diff_leaves_out_the_insight_snapshots_the_worker_refreshes_meanwhile():
    """`tandem run`'s worker recomputes stale insight snapshots every minute, so a hand crawl
    saw them change under a profile save or a match run start (upgrade check on the demo)."""
    before = {"insights_insightsnapshot": {8: {"id": 8, "tables": [["joined", 62]]}}}
    refreshed = {
        "insights_insightsnapshot": {8: {"id": 8, "tables": [["joined", 63]]}, 9: {"id": 9}}
    }
    assert diff(before, refreshed, frozenset()) == []
    assert diff(refreshed, {"insights_insightsnapshot": {}}, frozenset()) == []


def test_url_pattern_blanks_ids_tokens_and_query_values():
    assert url_pattern("http://t/people/12/?page=3&q=x") == "/people/{n}/?page&q"
    token = "AbCdEfGhIjKlMnOpQrStUv_12"
    assert url_pattern(f"http://t/programs/join/{token}/") == "/programs/join/{token}/"
    assert url_pattern("http://t/programs/demo-mentoring-program/") == (
        "/programs/demo-mentoring-program/"
    )


class FakeSite:
    """A two-page site with the three bugs the crawl hunts: a page that fails, a date the
    browser rejects, and an edit form whose untouched save erases that date."""

    def __init__(self):
        self.db = {"program": {1: {"id": 1, "name": "Guild", "starts_on": "2027-01-15"}}}

    def page(self, path: str) -> tuple[int, str]:
        program = self.db["program"][1]
        shown = "15/01/2027" if program["starts_on"] else ""
        pages = {
            "/login/": '<form method="post"><input type="email" name="username">'
            '<input type="password" name="password"><button>Log in</button></form>',
            "/": '<a href="/broken/">b</a> <a href="/edit/">e</a> <a href="/missing/">m</a>'
            '<form method="post" action="/logout/"><button>Log out</button></form>',
            "/edit/": f'<form method="post"><input name="name" value="{program["name"]}">'
            f'<input type="date" name="starts_on" value="{shown}"><button>Save</button></form>',
        }
        if path == "/broken/":
            return 500, "boom"
        return (200, pages[path]) if path in pages else (404, "not here")

    def post(self, path: str, form: dict[str, str]) -> None:
        if path == "/edit/":
            self.db["program"][1]["starts_on"] = form.get("starts_on") or None
        assert path != "/logout/", "the crawl must never log out"


def test_crawler_reports_server_errors_rejected_dates_and_erasing_edits():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qsl

    from tests.crawl.crawler import Crawler

    site = FakeSite()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            status, body = site.page(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            site.post(self.path, dict(parse_qsl(self.rfile.read(length).decode())))
            self.send_response(302)
            self.send_header("Location", "/")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        crawler = Crawler(
            f"http://127.0.0.1:{server.server_address[1]}",
            role="tester",
            snapshot=lambda: {
                t: {k: dict(r) for k, r in rows.items()} for t, rows in site.db.items()
            },
        )
        result = crawler.run("a@example.org", "pw")
    finally:
        server.shutdown()
    found = sorted((p.kind, p.url) for p in result.problems)
    assert found == [
        ("edit form changed data", "/edit/"),
        ("rejected value", "/edit/"),
        ("server error", "/broken/"),
    ]
    assert (result.pages, result.forms, result.broken_links) == (2, 1, ["404 /missing/"])
    assert site.db["program"][1]["starts_on"] is None  # what a browser would have done
