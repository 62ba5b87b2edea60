"""Declared pauses as the health sweep reads them: every pause since the last meeting counts
(however old), a pause under way is named for the admins, a long or repeated break is a
concern, and a pause declared today starts when it was declared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tandem.core.templatetags.readable_dates import day_in
from tandem.feedback.health import assess
from tandem.feedback.selectors.health import health_signals_for
from tandem.feedback.services.health import health_refresh
from tandem.mentorships.models import AgreementVersion, MentorshipPause
from tandem.people.models import Profile
from tandem.people.services import profile_ensure
from tandem.programs.models import Role
from tests.feedback.health_product.builders import held, started
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db


def _assessed(m, now):
    return assess(health_signals_for(mentorships=[m], now=now)[m.pk])


def test_a_chain_of_pauses_shows_as_a_pause_and_a_concern_not_as_nothing():
    """The reviewer's repro: one meeting, then pause after pause from one side (written
    straight to the table: the service now refuses the chain)."""
    now = timezone.now()
    m = started(now, weeks=30)
    t0 = now - timedelta(days=200)
    held(m, t0)
    start = (t0 + timedelta(days=1)).date()
    while start <= now.date():
        MentorshipPause.objects.create(
            mentorship=m, declared_by=m.mentor, starts_on=start, ends_on=start + timedelta(days=92)
        )
        start += timedelta(days=92)
    found = _assessed(m, now)
    codes = [reason.code for reason in found.reasons]
    assert "long_pause" in codes and "paused" in codes
    until = next(r for r in found.reasons if r.code == "paused")
    current = MentorshipPause.objects.filter(mentorship=m).order_by("-starts_on").first()
    assert until.text == f"Paused until {day_in(current.ends_on)} (declared by one side)."
    assert next(r for r in found.reasons if r.code == "long_pause").weight < 0


def test_a_short_pause_under_way_is_named_and_is_no_concern():
    now = timezone.now()
    m = started(now, weeks=6)
    held(m, now - timedelta(days=3))
    back = now.date() + timedelta(days=10)
    MentorshipPause.objects.create(
        mentorship=m, declared_by=m.mentee, starts_on=now.date() - timedelta(days=2), ends_on=back
    )
    found = _assessed(m, now)
    assert [r.code for r in found.reasons if r.weight < 0] == []
    assert found.reasons[-1].code == "paused" and found.reasons[-1].weight == 0


def test_pauses_older_than_the_recent_weeks_still_count_since_the_last_meeting():
    """Finding 7: a quarterly pair met on day 0, paused days 1-93, now day 277: 185 active
    days, not flagged (the 183-day lookback used to drop the pause: 277 days, at risk)."""
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    m = started(now, weeks=45)
    AgreementVersion.objects.filter(mentorship=m).update(
        content={**m.agreement_versions.first().content, "cadence": "quarterly"}
    )
    day0 = now - timedelta(days=277)
    held(m, day0)
    MentorshipPause.objects.create(
        mentorship=m,
        declared_by=m.mentor,
        starts_on=(day0 + timedelta(days=1)).date(),
        ends_on=(day0 + timedelta(days=93)).date(),
    )
    signals = health_signals_for(mentorships=[m], now=now)[m.pk]
    assert len(signals.paused) == 1
    assert signals.active_days_between(day0, now) == pytest.approx(185, abs=1)
    assert _assessed(m, now).missed_periods == 1


def test_a_pause_declared_today_starts_when_it_was_declared():
    now = timezone.now()
    m = started(now, weeks=6)
    pause = MentorshipPause.objects.create(
        mentorship=m,
        declared_by=m.mentor,
        starts_on=now.date(),
        ends_on=now.date() + timedelta(days=7),
    )
    (found,) = health_signals_for(mentorships=[m], now=now + timedelta(minutes=1))[m.pk].paused
    assert found.start == pause.created_at


def test_a_pause_runs_from_midnight_where_the_declarer_lives():
    now = timezone.now()
    m = started(now, weeks=6)
    m.mentor.profile.timezone = "America/Los_Angeles"
    m.mentor.profile.save(update_fields=["timezone"])
    first = now.date() - timedelta(days=3)
    MentorshipPause.objects.create(
        mentorship=m, declared_by=m.mentor, starts_on=first, ends_on=first + timedelta(days=7)
    )
    (found,) = health_signals_for(mentorships=[m], now=now)[m.pk].paused
    assert found.start.astimezone(UTC).hour in (7, 8)  # 00:00 in Los Angeles


def test_the_admins_panel_names_the_pause_under_way(client):
    now = timezone.now()
    m = started(now, weeks=6)
    held(m, now - timedelta(days=3))
    back = now.date() + timedelta(days=10)
    MentorshipPause.objects.create(
        mentorship=m, declared_by=m.mentee, starts_on=now.date() - timedelta(days=2), ends_on=back
    )
    health_refresh(mentorships=[m], now=now)
    client.force_login(member(m.program, Role.ADMIN))
    page = client.get(f"/mentorships/{m.pk}/").content.decode()
    assert f"Paused until {day_in(back)} (declared by one side)." in page
    assert f"/mentorships/{m.pk}/pauses/" in page


def test_a_pause_names_its_day_back_in_the_declarers_zone_east_of_greenwich():
    """A pause runs to midnight of its day back in the declarer's zone; east of Greenwich that
    is the evening before in UTC, and the reason named the day before the pauses page's
    (code review of 8d7601f: a Tokyo pause back on 16 Dec read "Paused until 15 Dec")."""
    now = timezone.now()
    m = started(now, weeks=6)
    held(m, now - timedelta(days=3))
    profile_ensure(user=m.mentee)
    Profile.objects.filter(user=m.mentee).update(timezone="Asia/Tokyo")
    back = now.date() + timedelta(days=10)
    MentorshipPause.objects.create(
        mentorship=m, declared_by=m.mentee, starts_on=now.date() - timedelta(days=2), ends_on=back
    )
    until = next(r for r in _assessed(m, now).reasons if r.code == "paused")
    assert until.text == f"Paused until {day_in(back)} (declared by one side)."
