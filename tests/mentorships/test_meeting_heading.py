"""UX review: the meeting page's heading read "10:00 EST (your time)", though the time already
names its zone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.mentorships.factories import meeting, mentorship

pytestmark = pytest.mark.django_db


def test_the_meeting_heading_names_the_zone_once(client):
    m = mentorship()
    mt = meeting(m)
    client.force_login(m.mentee)
    html = client.get(reverse("meeting_detail", args=[mt.pk])).content.decode()
    heading = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert heading.endswith("UTC</time>") and "(your time)" not in heading
