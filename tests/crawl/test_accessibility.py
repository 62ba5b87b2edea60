"""Every page the demo's people can open passes ``tests.crawl.a11y``: labelled controls, one
h1 and no skipped heading level, named links and buttons, unique ids that references find,
tables with headers (accessibility review).

Every URL pattern is filled with the ids of ``test_forbidden_ids.the_world`` and opened by
the site admin (who runs the demo program) and the demo pair; each HTML page that answers 200
is checked.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.demo.program import DEMO_ADMIN_EMAIL
from tandem.mentorships.models import ActionItem, Goal
from tandem.notify.models import Notification
from tandem.people.models import User
from tests.crawl.a11y import names, problems
from tests.crawl.test_forbidden_ids import the_cast_and_their_pages, the_world

pytestmark = pytest.mark.django_db


def test_every_page_reads_well_to_a_screen_reader():
    clients, pages = the_cast_and_their_pages()
    checked, found = set(), []
    for name, path in pages:
        for client in clients:
            page = client.get(path)
            if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
                continue
            checked.add(name)
            found += [f"{path} ({name}): {problem}" for problem in problems(page.content.decode())]
    assert {
        "dashboard",
        "mentorship_detail",
        "agreement_edit",
        "notification_list",
        "mentorship_messages",
    } <= checked
    assert not found, "\n".join(found)


# The actions a page repeats once per item: each must say which item, or a screen reader's list
# of links and buttons reads "Open, Open, Open" (accessibility review: the notifications page,
# a mentorship's goals, the dashboard's next steps and the insight tables' downloads did).
PER_ITEM_ACTIONS = frozenset(
    {"Open", "Mark read", "Save progress", "Add milestone", "Download this table as CSV"}
)
PER_ITEM_PAGES = ("/", "/notifications/", "/mentorships/{pair}/", "/programs/{program}/insights/")


def test_an_action_repeated_per_item_names_its_item():
    by_route, pair = the_world()
    Goal.objects.create(mentorship=pair, title="Run the retrospective")
    ActionItem.objects.create(mentorship=pair, owner=pair.mentee, description="Book a room")
    ActionItem.objects.create(mentorship=pair, owner=pair.mentee, description="Share the deck")
    for person in (pair.mentee, pair.mentor):
        for title in ("First news", "Second news"):
            Notification.objects.create(recipient=person, kind="test", title=title, url="/")
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    repeated = []
    for person in (admin, pair.mentor, pair.mentee):
        client = Client()
        client.force_login(person)
        for path in PER_ITEM_PAGES:
            path = path.format(pair=pair.pk, program=pair.program.slug)
            page = client.get(path)
            if page.status_code != 200:
                continue
            shown = [name for _, name in names(page.content.decode())]
            for name in PER_ITEM_ACTIONS:
                if shown.count(name) > 1:
                    repeated.append(f"{person.email} {path}: {name!r} x{shown.count(name)}")
    assert not repeated, "\n".join(repeated)
