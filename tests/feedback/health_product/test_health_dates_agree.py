"""UI review: the health list and the mentorship's health panel gave one mentorship's dates in
two formats ("since 7 Dec" on the list, "since 7 Dec 2026" on the panel; the list had its own
copy of a short-day format). Both now read the pages' day format (``readable_dates.day``) in
the viewer's zone, here one where the day differs from UTC's."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tandem.core.templatetags.readable_dates import day_in
from tandem.feedback.models import MentorshipHealth
from tandem.feedback.services.health import health_refresh
from tandem.programs.models import Role
from tests.mentorships.factories import member, mentorship

pytestmark = pytest.mark.django_db

ZONE = "Pacific/Auckland"


def test_the_list_and_the_panel_give_the_same_days(client):
    m = mentorship()
    health_refresh(mentorships=[m], now=datetime.now(UTC))
    # 11:30 UTC is past midnight in Auckland: the next day there.
    since = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    met = datetime(2026, 3, 4, 11, 45, tzinfo=UTC)
    MentorshipHealth.objects.filter(mentorship=m).update(state_since=since, last_activity_at=met)
    admin = member(m.program, Role.ADMIN, timezone=ZONE)
    client.force_login(admin)
    listed = client.get(reverse("feedback_program_health", args=[m.program_id])).content.decode()
    panel = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    zone = zoneinfo.ZoneInfo(ZONE)
    assert (day_in(since, zone), day_in(met, zone)) == ("3 Mar 2026", "5 Mar 2026")
    for page in (listed, panel):
        assert "since 3 Mar 2026" in page
        assert ">5 Mar 2026</time>" in page
