"""UX review: notification bodies wrote "Tuesday 08 December 2026, 10:00 (EST)" while the pages
said "Tue 8 Dec, 10:00 EST"; both now come from one formatter, in the recipient's zone."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from tandem.mentorships import services
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import ProgramFactory, member, mentorship
from tests.mentorships.test_meetings import schedule, soon

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def as_the_page_shows(moment, zone):
    with timezone.override(zone):
        return Template("{% load readable_dates %}{{ moment|when }}").render(
            Context({"moment": moment})
        )


def in_new_york():
    """A mentorship whose mentor, who receives the notices, lives in New York."""
    program = ProgramFactory()
    mentor = member(program, Role.MENTOR, timezone="America/New_York")
    return mentorship(program=program, mentor=mentor)


def test_a_meeting_notice_reads_like_the_page_in_the_recipients_zone():
    m = in_new_york()
    starts_at = soon(hours=24 * 40)
    schedule(m, starts_at=starts_at)
    note = Notification.objects.get(recipient=m.mentor, kind="meeting")
    shown = as_the_page_shows(starts_at, NEW_YORK)
    assert note.body == shown
    assert shown.endswith((" EST", " EDT"))


def test_a_moved_meeting_notice_names_both_times_the_same_way():
    m = in_new_york()
    meeting = schedule(m)
    later = meeting.starts_at + timedelta(days=2)
    services.meeting_reschedule(
        user=m.mentee, meeting_id=meeting.pk, starts_at=later, ends_at=later + timedelta(hours=1)
    )
    moved = Notification.objects.filter(recipient=m.mentor, title__contains="moved").get()
    old, new = as_the_page_shows(meeting.starts_at, NEW_YORK), as_the_page_shows(later, NEW_YORK)
    assert moved.body == f"From {old} to {new}."
