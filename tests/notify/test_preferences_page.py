"""Issue 10: the notification settings as a table of kinds by channel (on this site, always;
by email, ticked), grouped as people think of them, with how emails arrive (one by one or the
daily digest) and the quiet hours beside it. Saved untouched, nothing changes."""

from __future__ import annotations

import re
from datetime import time

import pytest

from tandem.core.api_types import TIME_WITH_FRACTION
from tandem.notify import services
from tandem.notify.kinds import ADMIN_KINDS, ALL_KINDS, KIND_GROUPS, Kind
from tandem.notify.models import NotificationPreference
from tests.mentorships.factories import UserFactory
from tests.untouched import nothing_changes
from tests.web.untouched import untouched

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/"


def test_every_kind_is_in_exactly_one_group():
    grouped = [kind for _, kinds in KIND_GROUPS for kind in kinds]
    assert sorted(grouped) == sorted(ALL_KINDS)
    assert KIND_GROUPS[-1][1] == ADMIN_KINDS  # the admins' kinds apart, last


def test_the_page_is_a_table_per_group_with_a_label_for_every_box(client):
    client.force_login(UserFactory())
    page = client.get(URL).content.decode()
    for title, kinds in KIND_GROUPS:
        assert f"<caption>{title}</caption>" in page
        for kind in kinds:
            box = re.search(
                rf'<input type="checkbox" name="\w+" value="{kind}"[^>]*id="(\w+)"', page
            )
            assert box, kind
            assert f'<label for="{box.group(1)}">{Kind(kind).label}</label>' in page
    assert page.count('<td class="prefs-channel muted">Always</td>') == len(ALL_KINDS)
    assert 'value="each"' in page and 'value="daily"' in page
    assert page.index("Tell me when") < page.index("Quiet hours") < page.index("Save</button>")


@pytest.mark.parametrize("saved", [False, True])
def test_saved_untouched_nothing_changes(client, saved):
    user = UserFactory()
    if saved:
        services.preference_update(
            user=user,
            email_kinds=[Kind.MEETING, Kind.JOIN_PENDING],
            daily_digest=True,
            quiet_hours=(time(22), time(7)),
        )
    before = list(NotificationPreference.objects.filter(user=user).values())
    client.force_login(user)
    data, dropped = untouched(client.get(URL).content.decode(), has_field="daily_digest")
    assert not dropped
    response = client.post(URL, data, follow=True)
    assert "Nothing changed: your settings are as they were." in response.content.decode()
    assert list(NotificationPreference.objects.filter(user=user).values()) == before


def test_the_page_shows_what_is_saved(client):
    user = UserFactory()
    services.preference_update(
        user=user, email_kinds=[Kind.MEETING], daily_digest=True, quiet_hours=(time(22), time(7))
    )
    client.force_login(user)
    data, _ = untouched(client.get(URL).content.decode(), has_field="daily_digest")
    assert data["email_kinds"] == [Kind.MEETING]
    assert "admin_email_kinds" not in data
    assert data["daily_digest"] == ["daily"]
    assert (data["quiet_from"], data["quiet_until"]) == (["22:00"], ["07:00"])


def test_a_change_is_saved(client):
    user = UserFactory()
    client.force_login(user)
    data, _ = untouched(client.get(URL).content.decode(), has_field="daily_digest")
    data["email_kinds"].remove(Kind.MESSAGE_UNREAD)
    data["daily_digest"] = ["daily"]
    response = client.post(URL, data, follow=True)
    assert "Saved your notification settings." in response.content.decode()
    saved = NotificationPreference.objects.get(user=user)
    assert Kind.MESSAGE_UNREAD not in saved.email_kinds and Kind.MEETING in saved.email_kinds
    assert saved.daily_digest and set(ADMIN_KINDS) <= set(saved.email_kinds)


@pytest.mark.parametrize(
    ("given", "missing"), [("quiet_from", "quiet_until"), ("quiet_until", "quiet_from")]
)
def test_one_end_of_the_quiet_hours_is_an_error_on_the_missing_one(client, given, missing):
    user = UserFactory()
    client.force_login(user)
    data, _ = untouched(client.get(URL).content.decode(), has_field="daily_digest")
    data[given] = ["22:00"]
    page = client.post(URL, data).content.decode()
    assert "Some settings need attention" in page
    assert f'href="#id_{missing}"' in page
    assert f'id="id_{missing}_error"' in page
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_a_fraction_of_a_second_is_refused_as_the_api_refuses_it(client):
    user = UserFactory()
    client.force_login(user)
    data, _ = untouched(client.get(URL).content.decode(), has_field="daily_digest")
    data["quiet_from"], data["quiet_until"] = ["22:00:00.5"], ["07:00"]
    page = client.post(URL, data).content.decode()
    assert 'id="id_quiet_from_error"' in page
    assert TIME_WITH_FRACTION in page
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_an_unknown_kind_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(URL, {"email_kinds": ["nonsense"], "daily_digest": "each"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_same_preferences_again_write_nothing():
    """The service compares (an API client saving what it read): ``updated_at`` stays."""
    user = UserFactory()
    chosen = {"email_kinds": [Kind.MEETING], "daily_digest": True}
    preference = services.preference_update(user=user, **chosen, quiet_hours=(time(22), time(7)))
    with nothing_changes(preference):
        services.preference_update(user=user, **chosen)


@pytest.mark.parametrize("field", ["email_kinds", "admin_email_kinds", "daily_digest"])
def test_each_error_in_the_summary_links_to_where_it_is_shown(client, field):
    """Crawl review: the summary's links for the check boxes' errors were ``href="#"``."""
    client.force_login(UserFactory())
    page = client.post(URL, {field: ["nonsense"]}).content.decode()
    links = re.findall(r'<li><a href="#([^"]*)">', page)
    assert links, page
    for anchor in links:
        assert anchor and f'id="{anchor}"' in page, anchor
