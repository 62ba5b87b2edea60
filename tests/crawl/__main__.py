"""Crawl a running Tandem by hand: ``python -m tests.crawl http://127.0.0.1:8000``.

Use the server's own ``DATABASE_URL`` (the crawl reads it to see what untouched forms change)
and a server started with the demo (`tandem run`). It adds the program admin and fills the
blanks the demo leaves (see ``world.py``), then crawls as each role in turn; roles share the
database here, so the pair go first and the admins, whose forms remove people, last.
"""

from __future__ import annotations

import argparse
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.crawl")
    parser.add_argument("base_url")
    parser.add_argument("--role", action="append", help="crawl only these roles")
    parser.add_argument("--people", type=int, default=200, help="the demo size `tandem run` used")
    parser.add_argument("--verbose", action="store_true", help="print every request")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django
    from django.db import connection

    django.setup()
    from tandem.demo.program import DEMO_PASSWORD
    from tests.crawl.crawler import Crawler
    from tests.crawl.world import IGNORED_COLUMNS, ROLES, seed, snapshot

    emails = seed(people=args.people)
    problems = 0
    for role in args.role or ["mentee", "mentor", *ROLES[:2]]:
        crawler = Crawler(
            args.base_url, role=role, snapshot=snapshot, ignore_columns=IGNORED_COLUMNS
        )
        result = crawler.run(emails[role], DEMO_PASSWORD)
        print(f"crawl [{connection.vendor}] {result.summary()}")
        for problem in result.problems:
            print(f"  {problem}")
        for link in result.broken_links:
            print(f"  broken link: {link}")
        if args.verbose:
            print("\n".join(result.log))
        problems += len(result.problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
