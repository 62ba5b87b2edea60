"""Notification pages and API: own notifications only, pagination, preferences."""

import zoneinfo

import pytest
from django.urls import reverse

from tandem.notify import services
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification, NotificationPreference
from tandem.people.models import Profile
from tests.mentorships.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed(user, n=3):
    return [
        services.notify_send(
            recipient=user, kind=Kind.MEETING, title=f"Note {i}", url="/mentorships/"
        )
        for i in range(n)
    ]


def test_pages_require_login(client):
    for url in (reverse("notification_list"), reverse("notification_preferences")):
        assert client.get(url).status_code == 302
    assert client.post(reverse("notification_read_all")).status_code == 302


def test_list_shows_only_mine_paginated(client, django_assert_max_num_queries):
    me, other = UserFactory(), UserFactory()
    seed(me, 30)
    seed(other, 1)
    client.force_login(me)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("notification_list"))
    html = response.content.decode()
    assert "Page 1 of 2" in html and html.count('id="notification-') == 25
    assert client.get(reverse("notification_list") + "?show=unread").status_code == 200


def test_mark_read_permissions_and_htmx(client):
    me, other = UserFactory(), UserFactory()
    (mine,) = seed(me, 1)
    (theirs,) = seed(other, 1)
    client.force_login(me)
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    partial = client.post(reverse("notification_read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"notification-" in partial.content
    go = client.post(reverse("notification_read", args=[mine.pk]), {"go": "1"})
    assert go["Location"] == "/mentorships/"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all(client):
    me = UserFactory()
    seed(me, 2)
    client.force_login(me)
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()


def test_preferences_page(client):
    me = UserFactory()
    client.force_login(me)
    response = client.post(
        reverse("notification_preferences"),
        {"email_kinds": [Kind.MEETING], "daily_digest": "daily"},
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=me)
    assert pref.email_kinds == [Kind.MEETING] and pref.daily_digest


def test_nav_include_renders_count(client):
    from django.template import Context, Template
    from django.test import RequestFactory

    me = UserFactory()
    seed(me, 2)
    request = RequestFactory().get("/")
    request.user = me
    html = Template('{% include "notify/_nav_item.html" %}').render(Context({"request": request}))
    assert "2 new" in html and 'href="/notifications/"' in html


class TestApi:
    def test_anonymous(self, client):
        for url in (
            "/api/notifications/",
            "/api/notifications/unread-count",
            "/api/notifications/preferences",
        ):
            assert client.get(url).status_code == 401

    def test_list_count_read(self, client, django_assert_max_num_queries):
        me, other = UserFactory(), UserFactory()
        notes = seed(me, 3)
        (theirs,) = seed(other, 1)
        client.force_login(me)
        with django_assert_max_num_queries(6):
            body = client.get("/api/notifications/").json()
        assert body["count"] == 3
        assert client.get("/api/notifications/unread-count").json() == {"unread": 3}
        assert client.post(f"/api/notifications/{theirs.pk}/read").status_code == 404
        assert client.post(f"/api/notifications/{notes[0].pk}/read").json()["read_at"]
        assert client.get("/api/notifications/?unread=true").json()["count"] == 2
        assert client.post("/api/notifications/read-all").json() == {"marked": 2}

    def test_preferences(self, client):
        me = UserFactory()
        client.force_login(me)
        assert client.get("/api/notifications/preferences").json()["daily_digest"] is False
        response = client.put(
            "/api/notifications/preferences",
            data={"email_kinds": ["meeting"], "daily_digest": True},
            content_type="application/json",
        )
        assert response.json()["email_kinds"] == ["meeting"]
        bad = client.put(
            "/api/notifications/preferences",
            data={"email_kinds": ["junk"], "daily_digest": True},
            content_type="application/json",
        )
        # The schema lists the kinds (an enum): any other is a 422 naming it.
        assert bad.status_code == 422 and "email_kinds.0" in bad.json()["fields"]


class TestQuietHours:
    def test_the_page_saves_them_and_wants_both_ends(self, client):
        user = UserFactory()
        client.force_login(user)
        url = reverse("notification_preferences")
        half = client.post(url, {"email_kinds": [Kind.MEETING], "quiet_from": "22:00"})
        assert half.status_code == 200 and "both ends" in half.content.decode()
        assert not NotificationPreference.objects.filter(user=user).exists()
        client.post(
            url, {"email_kinds": [Kind.MEETING], "quiet_from": "22:00", "quiet_until": "07:00"}
        )
        saved = NotificationPreference.objects.get(user=user)
        assert (str(saved.quiet_from), str(saved.quiet_until)) == ("22:00:00", "07:00:00")

    def test_an_api_client_that_does_not_know_them_keeps_them(self, client):
        from datetime import time

        user = UserFactory()
        services.preference_update(
            user=user, email_kinds=[], daily_digest=False, quiet_hours=(time(22), time(7))
        )
        client.force_login(user)
        response = client.put(
            "/api/notifications/preferences",
            {"email_kinds": [], "daily_digest": True},
            content_type="application/json",
        )
        assert response.status_code == 200 and response.json()["quiet_from"] == "22:00:00"
        cleared = client.put(
            "/api/notifications/preferences",
            {"email_kinds": [], "daily_digest": True, "quiet_from": None, "quiet_until": None},
            content_type="application/json",
        )
        assert cleared.json()["quiet_from"] is None

    @pytest.mark.parametrize(
        ("now_utc", "quiet"), [("21:59", False), ("22:00", True), ("03:00", True), ("07:00", False)]
    )
    def test_quiet_hours_run_past_midnight_on_the_persons_clock(self, now_utc, quiet):
        from datetime import UTC, datetime, time

        from tandem.notify.selectors import in_quiet_hours

        user = UserFactory()
        services.preference_update(
            user=user, email_kinds=[], daily_digest=False, quiet_hours=(time(23), time(8))
        )
        hour, minute = map(int, now_utc.split(":"))
        now = datetime(2027, 1, 15, hour, minute, tzinfo=UTC)  # Berlin is UTC+1 in January
        assert in_quiet_hours(user=user, zone="Europe/Berlin", now=now) is quiet


def test_a_notifications_time_names_the_readers_zone(client):
    """UX review: '6 Dec 2026, 02:02' beside a body that said '10:00 (EST)' left whose 02:02
    open; each time says its zone, as the rest of the pages do (the ``when`` filter)."""
    me = UserFactory()
    Profile.objects.filter(user=me).update(timezone="Asia/Tokyo")
    (note,) = seed(me, 1)
    client.force_login(me)
    html = client.get(reverse("notification_list")).content.decode()
    local = note.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M} JST</time>" in html
