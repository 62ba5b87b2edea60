"""Log in as one person, visit every page reachable from the dashboard, then submit every form
untouched, and write down every problem: a 5xx, a date or time input a browser would empty, an
untouched edit form that changed data.

Plain HTTP (requests) against a running server; the database is read only through the
``snapshot`` callable the caller passes, so the same crawler runs inside pytest (live_server) and
by hand against `tandem run` (``python -m tests.crawl``).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlencode, urlsplit

import requests

from tests.crawl.html import Control, Form, Page, parse_page

MAX_PAGES = 400
PER_PATTERN = 2  # pages visited per URL shape, e.g. /people/{n}/
FORMS_PER_PATTERN = 1  # forms submitted per action shape and button
TIMEOUT = 60
# Not followed: leaving the session, Django's own admin (tests/web/test_admin_coverage.py
# loads every changelist), static files.
SKIPPED_PREFIXES = ("/logout/", "/admin/", "/static/")
# Submitted last, so the crawl has seen and saved everything else before they remove it.
DESTRUCTIVE = re.compile(
    r"delete|remove|revoke|withdraw|decline|reject|cancel|\bend\b|end-|leave|pause|archive|"
    r"close|expire|deactivate|unpublish|complete|reset",
    re.IGNORECASE,
)
# Forms that create something: an untouched one may add rows (never change or delete any).
CREATES = re.compile(
    r"new|add|create|schedule|send|invite|request|upload|import|check|generate|make|run|token",
    re.IGNORECASE,
)
# Rows added here are not data a form changed: records of what happened, and the preferences
# row that saving the settings page creates to hold the defaults it showed.
LOG_TABLES = frozenset(
    {
        "notify_notification",
        "notify_sentreminder",
        "notify_notificationpreference",
        "mentorships_mentorshipevent",
    }
)
# Computed copies a background job rewrites on its own (the worker of `tandem run` recomputes
# stale insight snapshots every minute): no form changed them, whatever the crawl was doing.
DERIVED_TABLES = frozenset({"insights_insightsnapshot"})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}")

Snapshot = dict[str, dict[object, dict[str, object]]]


@dataclass
class Problem:
    role: str
    kind: str  # server error | rejected value | edit form changed data
    url: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.kind}: {self.url} {self.detail}"


@dataclass
class CrawlResult:
    role: str
    pages: int = 0
    downloads: int = 0
    forms: int = 0
    forms_gone: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Linked pages that answered 4xx: reported, not failed (a link to a page the viewer may
    # not open is a wart, not data loss).
    broken_links: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)  # every request, for reading a crawl by hand

    def summary(self) -> str:
        return (
            f"{self.role}: {self.pages} pages, {self.downloads} downloads, {self.forms} forms "
            f"submitted ({self.forms_gone} gone before their turn), {len(self.problems)} problems, "
            f"{len(self.broken_links)} broken links; statuses {dict(sorted(self.statuses.items()))}"
        )


def url_pattern(url: str) -> str:
    """The shape of a URL: ids and tokens blanked, query values dropped."""
    parts = urlsplit(url)
    segments = [
        "{n}" if s.isdigit() else "{token}" if _is_token(s) else s for s in parts.path.split("/")
    ]
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


class Crawler:
    def __init__(
        self,
        base_url: str,
        *,
        role: str,
        snapshot: Callable[[], Snapshot],
        ignore_columns: frozenset[str] = frozenset(),
        max_pages: int = MAX_PAGES,
    ):
        self.base = base_url.rstrip("/")
        self.origin = urlsplit(self.base).netloc
        self.session = requests.Session()
        self.result = CrawlResult(role=role)
        self.snapshot = snapshot
        self.ignore_columns = ignore_columns
        self.max_pages = max_pages
        self._pending: list[tuple[Form, Control | None, bool]] = []  # form, submitter, htmx
        self._known: set[str] = set()  # every URL queued, for the bound
        self._visited: set[str] = set()
        self._queue: deque[tuple[str, bool]] = deque()
        self._shapes: Counter = Counter()
        self._form_shapes: Counter = Counter()

    # -- logging in ---------------------------------------------------------------------------
    def log_in(self, email: str, password: str) -> None:
        url = self.base + "/login/"
        page = parse_page(url, self.session.get(url, timeout=TIMEOUT).text)
        form = next(f for f in page.forms if any(c.type == "password" for c in f.controls))
        data = dict(form.data(form.submitters[0] if form.submitters else None))
        user_field = next(c.name for c in form.controls if c.type in {"text", "email"} and c.name)
        data.update({user_field: email, "password": password})
        response = self._send("post", form.action, data=data, referer=url)
        if urlsplit(response.url).path.startswith("/login"):
            raise AssertionError(f"could not log in as {email} ({response.status_code})")

    # -- the whole visit ---------------------------------------------------------------------
    def run(self, email: str, password: str) -> CrawlResult:
        """Pages, then the forms that keep things, then the new pages those forms led to and
        their forms, and the forms that remove or end something last of all."""
        self.log_in(email, password)
        self.crawl()
        destructive = self.submit_forms(destructive=False)
        self._walk()
        destructive += self.submit_forms(destructive=False)
        for form, submitter, htmx in destructive:
            self._reopen_and_submit(form, submitter, htmx)
        return self.result

    # -- pages --------------------------------------------------------------------------------
    def crawl(self, start: str = "/") -> None:
        """Breadth first from ``start``, each URL once."""
        self._known.add(self.base + start)
        self._queue.append((self.base + start, False))
        self._walk()

    def _walk(self) -> None:
        while self._queue:
            url, htmx = self._queue.popleft()
            page = self._visit(url, htmx=htmx)
            if page is not None:
                self._collect(page, htmx)

    def _collect(self, page: Page, htmx: bool) -> None:
        """Queue the page's new links and its forms (a page a form led to included)."""
        links = [(u, False) for u in page.links] + [(u, True) for u in page.htmx_links]
        for link, is_htmx in links:
            link = urldefrag(link).url
            if link in self._known or not self._follows(link):
                continue
            shape = url_pattern(link)
            if self._shapes[shape] >= PER_PATTERN or len(self._known) >= self.max_pages:
                continue
            self._shapes[shape] += 1
            self._known.add(link)
            self._queue.append((link, is_htmx))
        for form in page.forms:
            if not self._follows(form.action):
                continue  # logout, or another site
            for submitter in form.submitters or [None]:
                key = (
                    url_pattern(form.action),
                    form.method,
                    form.signature()[2],
                    submitter and (submitter.name, submitter.value),
                )
                if self._form_shapes[key] >= FORMS_PER_PATTERN:
                    continue
                self._form_shapes[key] += 1
                self._pending.append((form, submitter, htmx))

    # -- forms --------------------------------------------------------------------------------
    def submit_forms(self, *, destructive: bool) -> list[tuple[Form, Control | None, bool]]:
        """Submit the pending forms, edit forms first; return the destructive ones if held."""
        pending, self._pending = self._pending, []
        held = []
        for item in sorted(pending, key=lambda item: not item[0].is_edit):
            form, submitter, _ = item
            if not destructive and DESTRUCTIVE.search(f"{form.action} {_label(submitter)}"):
                held.append(item)
            else:
                self._reopen_and_submit(*item)
        return held

    def _reopen_and_submit(self, form: Form, submitter: Control | None, htmx: bool) -> None:
        current = self._reopen(form, submitter, htmx)
        if current is None:
            self.result.forms_gone += 1
            self.result.log.append(f"gone {form.method} {form.action} {_label(submitter)}")
            return
        self._submit(*current)

    # -- helpers ------------------------------------------------------------------------------
    def _follows(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme in {"http", "https"}
            and parts.netloc == self.origin
            and not parts.path.startswith(SKIPPED_PREFIXES)
        )

    def _send(self, method: str, url: str, *, htmx: bool = False, referer: str = "", **kwargs):
        headers = {"Referer": referer or url}
        if htmx:
            headers["HX-Request"] = "true"
        if method != "get":
            headers["X-CSRFToken"] = self.session.cookies.get("csrftoken", "")
        return self.session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)

    def _visit(self, url: str, *, htmx: bool) -> Page | None:
        response = self._send("get", url, htmx=htmx)
        self.result.statuses[response.status_code] += 1
        self.result.log.append(
            f"{response.status_code} GET {url} {response.elapsed.total_seconds():.3f}"
        )
        first = url not in self._visited
        self._visited.add(url)
        if response.status_code >= 500:
            self._problem("server error", url, f"GET answered {response.status_code}")
            return None
        if response.status_code >= 400:
            if first:
                self.result.broken_links.append(f"{response.status_code} {urlsplit(url).path}")
            return None
        if "text/html" not in response.headers.get("Content-Type", ""):
            self.result.downloads += first
            return None
        self.result.pages += first
        page = parse_page(response.url, response.text)
        self._check_values(page, "GET")
        return page

    def _reopen(self, form: Form, submitter: Control | None, htmx: bool):
        """Open the form's page again (as a person would), so it shows the current data."""
        response = self._send("get", form.page, htmx=htmx)
        if response.status_code != 200 or "text/html" not in response.headers.get(
            "Content-Type", ""
        ):
            return None
        for candidate in parse_page(response.url, response.text).forms:
            if candidate.signature() != form.signature():
                continue
            if submitter is None:
                return candidate, None
            for button in candidate.submitters:
                if _label(button) == _label(submitter):
                    return candidate, button
        return None

    def _submit(self, form: Form, submitter: Control | None) -> None:
        self.result.forms += 1
        data = form.data(submitter)
        what = f"{form.method.upper()} ({_label(submitter) or 'no button'}) from {form.page}"
        if form.method == "get":
            target = form.action.split("?")[0] + "?" + urlencode(data)
            response = self._send("get", target, referer=form.page)
            self.result.statuses[response.status_code] += 1
            self.result.log.append(f"{response.status_code} form {target}")
            if response.status_code >= 500:
                self._problem("server error", target, f"{what} answered {response.status_code}")
            return
        before = self.snapshot() if form.is_edit else None
        kwargs: dict = {"data": data}
        if form.enctype == "multipart/form-data" or form.has_file:
            kwargs["files"] = form.files() or None
        response = self._send("post", form.action, htmx=form.htmx, referer=form.page, **kwargs)
        self.result.statuses[response.status_code] += 1
        self.result.log.append(f"{response.status_code} form POST {form.action} {what}")
        if response.status_code >= 500:
            self._problem("server error", form.action, f"{what} answered {response.status_code}")
        elif "text/html" in response.headers.get("Content-Type", ""):
            page = parse_page(response.url, response.text)
            self._check_values(page, f"after {what}")
            if response.status_code < 400 and self._follows(response.url):
                self._collect(page, form.htmx)
        if before is not None:
            creates = bool(CREATES.search(f"{urlsplit(form.action).path} {_label(submitter)}"))
            changes = diff(before, self.snapshot(), self.ignore_columns, inserts=not creates)
            if changes:
                self._problem(
                    "edit form changed data", form.action, f"{what}: " + "; ".join(changes[:5])
                )

    def _check_values(self, page: Page, how: str) -> None:
        for bad in page.bad_values:
            self._problem(
                "rejected value",
                page.url,
                f"<input type={bad.type} name={bad.name}> value {bad.value!r} ({how})",
            )

    def _problem(self, kind: str, url: str, detail: str) -> None:
        path = urlsplit(url)
        where = path.path + (f"?{path.query}" if path.query else "")
        problem = Problem(self.result.role, kind, where, detail)
        if problem not in self.result.problems:  # the second walk sees the same pages
            self.result.problems.append(problem)


def _is_token(segment: str) -> bool:
    """A random URL token (invitation, calendar feed), not a slug: slugs are lower case."""
    return bool(_TOKEN.fullmatch(segment)) and not re.fullmatch(r"[a-z0-9-]+", segment)


def _label(control: Control | None) -> str:
    if control is None:
        return ""
    return f"{control.name}={control.value}:{control.label}"


def diff(
    before: Snapshot, after: Snapshot, ignore: frozenset[str], *, inserts: bool = True
) -> list[str]:
    """What changed: rows updated, deleted and (with ``inserts``) added.

    A row deleted and recreated with the same content (a form that rewrites its set) is no
    change.
    """
    changes = []
    for table, old_rows in before.items():
        if table in DERIVED_TABLES:
            continue
        new_rows = after.get(table, {})
        updated = [
            (pk, col, old[col], new_rows[pk].get(col))
            for pk, old in old_rows.items()
            if pk in new_rows
            for col in old
            if col not in ignore and old[col] != new_rows[pk].get(col)
        ]
        changes += [f"{table} #{pk} {col}: {a!r} -> {b!r}" for pk, col, a, b in updated]
        gone = Counter(_content(r, ignore) for pk, r in old_rows.items() if pk not in new_rows)
        added = Counter(_content(r, ignore) for pk, r in new_rows.items() if pk not in old_rows)
        lost, new = gone - added, added - gone
        if lost:
            changes.append(f"{table}: {sum(lost.values())} row(s) deleted")
        if new and inserts and table not in LOG_TABLES:
            changes.append(f"{table}: {sum(new.values())} row(s) added")
    return changes


def _content(row: dict[str, object], ignore: frozenset[str]) -> str:
    return repr(sorted((k, repr(v)) for k, v in row.items() if k not in ignore and k != "id"))
