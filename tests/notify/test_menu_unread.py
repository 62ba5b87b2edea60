"""The phone's menu button shows the unread count (live review F22: behind "Menu" a phone user
had no sign that anything was waiting); the count is read once per page for both places."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.notify import services
from tandem.notify.kinds import Kind
from tests.mentorships.factories import UserFactory

pytestmark = pytest.mark.django_db

MENU = re.compile(r"<button[^>]*data-nav-toggle[^>]*>Menu(.*?)</button>", re.S)


def menu_button(client) -> str:
    match = MENU.search(client.get(reverse("mentorship_list")).content.decode())
    assert match
    return match.group(1)


def test_the_menu_button_carries_the_unread_count(client):
    me = UserFactory()
    for i in range(3):
        services.notify_send(recipient=me, kind=Kind.MEETING, title=f"Note {i}", url="/")
    client.force_login(me)
    button = menu_button(client)
    assert "3 new" in button and " hidden" not in button


def test_nothing_unread_leaves_the_menu_button_plain(client):
    client.force_login(UserFactory())
    assert " hidden" in menu_button(client)


def test_the_count_is_read_once_per_page(client):
    me = UserFactory()
    services.notify_send(recipient=me, kind=Kind.MEETING, title="Note", url="/")
    client.force_login(me)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("mentorship_list"))
    unread = [q["sql"] for q in queries if "notify_notification" in q["sql"]]
    assert len(unread) == 1, unread


def test_the_notification_list_has_no_bullets_and_one_style_of_control(client):
    """Live review F8: list bullets beside each card; "Mark all read" a button between two
    plain links."""
    me = UserFactory()
    services.notify_send(recipient=me, kind=Kind.MEETING, title="Note", url="/")
    client.force_login(me)
    html = client.get(reverse("notification_list")).content.decode()
    assert '<ul class="notification-list list-plain"' in html
    controls = re.search(r'<div class="actions">(.*?)</div>', html, re.S)
    assert controls
    links = re.findall(r"<a ([^>]*)>", controls.group(1))
    assert len(links) == 2 and all('class="button button-secondary"' in a for a in links)
