"""The signals gathered from the database for a batch of mentorships, in a fixed number of
queries whatever the batch's size: the recent weeks, the pauses the pair declared and the
pair's own first eight weeks (its baseline)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.feedback.health import assess
from tandem.feedback.health.assessment import missed_periods
from tandem.feedback.models import Divergence
from tandem.feedback.selectors.health import health_signals_for
from tandem.mentorships.models import AgreementVersion, Goal, MeetingStatus, MentorshipPause
from tandem.mentorships.services import meeting_reschedule
from tests.feedback.health_product.builders import event, held, message, pulse, started
from tests.mentorships.factories import action_item, valid_content

pytestmark = pytest.mark.django_db


def test_signals_read_meetings_cancellations_messages_items_goals_pulses_and_divergence():
    now = timezone.now()
    m = started(now)
    held(m, now - timedelta(days=30))
    held(m, now - timedelta(days=16))
    held(m, now + timedelta(days=3))  # not yet
    event(m, "meeting_cancelled", m.mentee, now - timedelta(days=5))
    event(m, "meeting_moved", m.mentor, now - timedelta(days=4))
    message(m, m.mentor, now - timedelta(hours=50))
    message(m, m.mentee, now - timedelta(hours=2))
    action_item(m, due_on=date.today() - timedelta(days=3))
    action_item(m, due_on=date.today() + timedelta(days=3))
    Goal.objects.create(mentorship=m, title="Talk", percent=40)
    Goal.objects.create(mentorship=m, title="Write", percent=60)
    pulse(m, m.mentee, now - timedelta(days=2), 2, 3, 1)
    Divergence.objects.create(mentorship=m, kind="pulse", sequence=1, topics=["progress"])

    signals = health_signals_for(mentorships=[m], now=now)[m.pk]

    assert signals.cadence_days == 14
    assert len(signals.meetings_held) == 2
    assert [(c.by, c.rescheduled) for c in sorted(signals.cancellations, key=lambda c: c.at)] == [
        ("mentee", False),
        ("mentor", True),
    ]
    assert set(signals.last_message_at) == {"mentor", "mentee"}
    assert len(signals.replies) == 1 and signals.replies[0].side == "mentee"
    assert round(signals.replies[0].hours) == 48
    assert [due.date() for due in signals.overdue_action_items] == [
        date.today() - timedelta(days=2)  # the end of its due day
    ]
    assert signals.goal_progress == pytest.approx(0.5)
    assert [(p.side, p.score) for p in signals.pulses] == [("mentee", 3)]  # (2 + 3) / 2 rounds up
    assert signals.divergence_topics == ("progress toward your goals",)
    assert signals.amendment_waiting_days is None
    assert assess(signals).state in {"on_track", "at_risk", "stalled", "thriving"}


def test_cadence_comes_from_the_agreement_in_effect_and_an_amendment_waits():
    now = timezone.now()
    m = started(now)
    AgreementVersion.objects.filter(mentorship=m).update(
        content=valid_content(m.program, cadence="weekly")
    )
    AgreementVersion.objects.create(
        mentorship=m, number=2, content=valid_content(m.program, cadence="monthly")
    )
    AgreementVersion.objects.filter(mentorship=m, number=2).update(
        created_at=now - timedelta(days=20)
    )
    signals = health_signals_for(mentorships=[m], now=now)[m.pk]
    assert signals.cadence_days == 7
    assert signals.amendment_waiting_days == pytest.approx(20, abs=0.01)


def test_the_query_count_does_not_grow_with_the_batch():
    now = timezone.now()
    small = [started(now) for _ in range(2)]
    large = small + [started(now) for _ in range(6)]
    for m in large:
        held(m, now - timedelta(days=3))
        message(m, m.mentor, now - timedelta(days=1))
        pulse(m, m.mentor, now - timedelta(days=1), 4, 4, 1)
    with CaptureQueriesContext(connection) as few:
        health_signals_for(mentorships=small, now=now)
    with CaptureQueriesContext(connection) as many:
        health_signals_for(mentorships=large, now=now)
    assert len(few) == len(many) <= 16


def test_declared_pauses_reach_the_rules():
    now = timezone.now()
    m = started(now, weeks=12)
    held(m, now - timedelta(days=45))
    message(m, m.mentor, now - timedelta(days=2))
    message(m, m.mentee, now - timedelta(days=1))
    flagged = assess(health_signals_for(mentorships=[m], now=now)[m.pk])
    assert flagged.flagged and flagged.reasons[0].code == "missed_periods"

    first_day = (now - timedelta(days=40)).date()
    back = (now - timedelta(days=5)).date()
    MentorshipPause.objects.create(
        mentorship=m, declared_by=m.mentee, starts_on=first_day, ends_on=back
    )
    signals = health_signals_for(mentorships=[m], now=now)[m.pk]
    assert [(p.start, p.end) for p in signals.paused] == [
        (datetime.combine(first_day, time(), UTC), datetime.combine(back, time(), UTC))
    ]
    assert not assess(signals).flagged
    assert "missed_periods" not in {r.code for r in assess(signals).reasons}


def test_a_meeting_booked_for_the_next_period_reaches_the_rules_and_a_cancelled_one_not():
    now = timezone.now()
    m = started(now, weeks=12)  # biweekly
    held(m, now - timedelta(days=45))
    message(m, m.mentor, now - timedelta(days=2))
    message(m, m.mentee, now - timedelta(days=1))
    unbooked = health_signals_for(mentorships=[m], now=now)[m.pk]
    assert unbooked.meetings_booked == ()

    booked = held(m, now + timedelta(days=5))
    held(m, now + timedelta(days=40))  # past two periods ahead: not read
    type(booked).objects.filter(mentorship=m).update(booked_at=now - timedelta(days=1))
    booked.refresh_from_db()
    signals = health_signals_for(mentorships=[m], now=now)[m.pk]
    assert [b.start for b in signals.meetings_booked] == [booked.starts_at]
    assert missed_periods(signals) == missed_periods(unbooked) - 1
    [reason] = [r for r in assess(signals).reasons if r.code == "missed_periods"]
    assert "Your next meeting is booked in 5 days." in reason.text

    booked.status = MeetingStatus.CANCELLED
    booked.save()
    assert health_signals_for(mentorships=[m], now=now)[m.pk].meetings_booked == ()


def test_moving_a_meeting_books_it_anew():
    now = timezone.now()
    m = started(now, weeks=12)
    meeting = held(m, now + timedelta(days=20))
    type(meeting).objects.filter(pk=meeting.pk).update(booked_at=now - timedelta(days=90))
    start = now + timedelta(days=6)
    meeting_reschedule(
        user=m.mentee, meeting_id=meeting.pk, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    meeting.refresh_from_db()
    assert now <= meeting.booked_at <= timezone.now()
    [booking] = health_signals_for(mentorships=[m], now=timezone.now())[m.pk].meetings_booked
    assert booking.start == start and booking.booked_at == meeting.booked_at


def test_the_first_eight_weeks_are_the_pairs_baseline():
    now = timezone.now()
    m = started(now, weeks=12)
    begun = now - timedelta(weeks=12)
    for week in range(0, 8, 2):
        held(m, begun + timedelta(weeks=week, days=1))
        message(m, m.mentor, begun + timedelta(weeks=week, days=2))
        message(m, m.mentee, begun + timedelta(weeks=week, days=2, hours=3))
        pulse(m, m.mentee, begun + timedelta(weeks=week, days=3), 5, 5, week + 1)
    event(m, "meeting_moved", m.mentor, begun + timedelta(days=20))
    # After the first weeks: slower answers, lower pulses; none of it is the baseline.
    for days_ago in (24, 16, 8):
        message(m, m.mentor, now - timedelta(days=days_ago))
        message(m, m.mentee, now - timedelta(days=days_ago - 4))
    pulse(m, m.mentee, now - timedelta(days=20), 3, 3, 20)
    pulse(m, m.mentee, now - timedelta(days=6), 3, 3, 21)
    for days_ago in (27, 13):
        held(m, now - timedelta(days=days_ago))

    signals = health_signals_for(mentorships=[m], now=now)[m.pk]

    baseline = signals.baseline
    assert baseline is not None
    assert baseline.reply_hours["mentee"] == pytest.approx(3)  # the mentor answers weeks on
    assert baseline.pulse == {"mentee": 5}
    assert baseline.cancellations_per_meeting == pytest.approx(1 / 4)
    codes = {r.code for r in assess(signals).reasons}
    assert {"slower_replies", "below_own_pulse"} <= codes


def test_no_baseline_before_the_first_eight_weeks_are_over():
    now = timezone.now()
    m = started(now, weeks=7)
    held(m, now - timedelta(days=3))
    assert health_signals_for(mentorships=[m], now=now)[m.pk].baseline is None
