"""Leftovers review: texts about a day had formats of their own ("Paused until 08 December
2026", "(due 8 December)", "Tuesday 8 December 2026") while the pages wrote "8 Dec 2026"; every
text now goes through ``readable_dates.day_in``, the ``day`` filter's format."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.services.pauses import PAUSE_AFTER_END

DAY = date(2026, 12, 8)


def test_a_day_reads_as_the_pages_write_it():
    page = Template("{% load readable_dates %}{{ value|day }}").render(Context({"value": DAY}))
    assert day_in(DAY) == page == "8 Dec 2026"


def test_a_moment_is_read_in_the_recipients_zone():
    moment = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    assert day_in(moment, ZoneInfo("America/New_York")) == "7 Dec 2026"
    assert day_in(moment, ZoneInfo("Asia/Tokyo")) == "8 Dec 2026"
    with timezone.override(ZoneInfo("America/Los_Angeles")):
        assert day_in(moment) == "7 Dec 2026"


def test_texts_outside_templates_use_it():
    assert PAUSE_AFTER_END.format(ends_on=day_in(DAY)) == (
        "A pause must end by the mentorship's agreed end date (8 Dec 2026)."
    )
