"""The calendar feed's address is under ``SITE_URL``, like every link Tandem hands out.

Behind a load balancer each replica is reached at its own address (the proxy's upstream Host,
``10.0.0.5:8000``): the feed page and ``/api/mentorships/calendar-feed`` built the link from
the request and gave people ``https://10.0.0.5:8000/...`` to paste into their calendar app (a
deployment's live check on two ``tandem serve`` processes), while emails and ``.ics`` files
used ``SITE_URL``.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db

SITE = "https://mentoring.example.org"
REPLICA = {"HTTP_HOST": "10.0.0.5:8000"}


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["10.0.0.5"])
def test_the_feed_page_and_the_api_give_the_sites_address_not_the_replicas(client):
    m = mentorship()
    client.force_login(m.mentee)
    page = client.get(reverse("calendar_settings"), **REPLICA).content.decode()
    token = m.mentee.calendar_feed.token
    path = reverse("calendar_feed", args=[token])
    assert f'value="{SITE}{path}"' in page
    assert f'href="webcal://mentoring.example.org{path}"' in page
    assert "10.0.0.5" not in page
    got = client.get("/api/mentorships/calendar-feed", **REPLICA).json()
    assert got["url"] == SITE + path
    new = client.post("/api/mentorships/calendar-feed/regenerate", **REPLICA).json()
    assert new["url"].startswith(SITE + "/mentorships/calendar/feed/") and new["url"] != got["url"]
