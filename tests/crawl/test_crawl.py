"""The crawl: for each demo role, on a live server (SQLite, and PostgreSQL in its pass of
`make test`), visit every page reachable from the dashboard and submit every form untouched.

It fails on any 5xx, any date, time or number input whose value a browser would reject (the
browser shows it empty and submits it empty), and any untouched edit form that changes data.
Each role gets a fresh database, so what one role's destructive forms do cannot hide pages from
another; within a role the destructive forms go last.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tandem.cli import DEMO_PEOPLE
from tandem.demo.program import DEMO_PASSWORD
from tests.crawl.crawler import Crawler, CrawlResult
from tests.crawl.world import IGNORED_COLUMNS, ROLES, seed, snapshot

pytestmark = pytest.mark.django_db(transaction=True)

CRAWL_PEOPLE = DEMO_PEOPLE  # the demo `tandem run` loads
# Problems the crawl found whose fix belongs to someone else: (roles, regex on the problem,
# the bug). Strict: each must still occur, so when its fix lands this test fails until the
# entry is removed. A bug marked "[postgresql]" is expected on that database only.
PAIR = ("mentor", "mentee")
KNOWN: list[tuple[tuple[str, ...], str, str]] = []
RESULTS = pytest.StashKey[list]()


def known_for(role: str, vendor: str) -> list[tuple[str, str]]:
    return [
        (pattern, bug)
        for roles, pattern, bug in KNOWN
        if role in roles
        if not bug.startswith("[postgresql]") or vendor == "postgresql"
    ]


@pytest.mark.parametrize("role", ROLES)
def test_crawl_every_page_and_form_untouched(role, live_server, request):
    emails = seed(people=CRAWL_PEOPLE)
    crawler = Crawler(live_server.url, role=role, snapshot=snapshot, ignore_columns=IGNORED_COLUMNS)
    result: CrawlResult = crawler.run(emails[role], DEMO_PASSWORD)
    record(request, connection.vendor, result)

    known = known_for(role, connection.vendor)
    unexplained = [
        str(p) for p in result.problems if not any(re.search(k, str(p)) for k, _ in known)
    ]
    fixed = [bug for k, bug in known if not any(re.search(k, str(p)) for p in result.problems)]
    assert result.pages > 5, result.summary()
    assert not unexplained, "\n".join([result.summary(), *unexplained])
    assert not fixed, f"fixed now, remove from KNOWN: {fixed}"
    if known:
        pytest.xfail("; ".join(bug for _, bug in known))


def record(request, vendor: str, result: CrawlResult) -> None:
    line = f"crawl [{vendor}] {result.summary()}"
    print(line)
    print("\n".join(f"broken link: {link}" for link in result.broken_links))
    print("\n".join(result.log))
    request.config.stash.setdefault(RESULTS, []).append(line)
