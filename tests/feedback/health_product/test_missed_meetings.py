"""A meeting one of the pair marked as not taken place is a no-show for health: not held, no
contact, a cancellation in a row that blames neither side; taking the mark back restores it,
and either change brings the pair's health up to date soon after."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.health import Cancellation, assess
from tandem.feedback.models import HealthState, MentorshipHealth
from tandem.feedback.selectors.health import health_signals_for, mentorships_with_new_activity
from tandem.feedback.services.health import health_refresh, health_sweep_recent
from tandem.mentorships.services import meeting_mark_held, meeting_mark_missed
from tests.feedback.health_product.builders import held, message, started

pytestmark = pytest.mark.django_db

FLAGGED = {HealthState.AT_RISK, HealthState.STALLED}


def meeting_pair(now):
    """Biweekly for ten weeks, its last four meetings held on cadence (inside the 60 days in
    which a meeting may still be marked), both writing now and then."""
    m = started(now, weeks=10)
    meetings = [held(m, now - timedelta(days=days)) for days in (56, 42, 28, 14)]
    message(m, m.mentor, now - timedelta(days=50))
    return m, meetings


def state_of(m, now) -> str:
    return assess(health_signals_for(mentorships=[m], now=now)[m.pk]).state


def test_a_missed_meeting_is_not_held_and_counts_as_a_no_show_blaming_neither_side():
    now = timezone.now()
    m, meetings = meeting_pair(now)
    meeting_mark_missed(actor=m.mentee, meeting=meetings[-1])
    signals = health_signals_for(mentorships=[m], now=now)[m.pk]
    assert sorted(signals.meetings_held) == [x.starts_at for x in meetings[:-1]]
    assert signals.cancellations == (
        Cancellation(at=meetings[-1].starts_at, by=None, rescheduled=False),
    )


def test_a_pair_whose_meetings_all_did_not_take_place_is_not_on_track_until_taken_back():
    now = timezone.now()
    m, meetings = meeting_pair(now)
    before = state_of(m, now)
    assert before not in FLAGGED
    for meeting in meetings:
        meeting_mark_missed(actor=m.mentor, meeting=meeting)
    signals = health_signals_for(mentorships=[m], now=now)[m.pk]
    assessment = assess(signals)
    assert signals.meetings_held == ()
    assert assessment.state == HealthState.STALLED
    codes = {reason.code: reason for reason in assessment.reasons}
    assert "missed_periods" in codes and "no_contact" in codes  # the meetings were no contact
    assert codes["cancellations"].text == (
        "The last 4 meetings were cancelled, moved or did not take place, with none held since."
    )
    assert "cancelling_side" not in codes  # marking them blames nobody
    for meeting in meetings:
        meeting_mark_held(actor=m.mentee, meeting=meeting)
    assert state_of(m, now) == before


def test_a_no_show_in_the_first_weeks_is_part_of_the_baseline():
    now = timezone.now()
    m = started(now, weeks=9)
    begun = now - timedelta(weeks=9)
    first = [held(m, begun + timedelta(weeks=week, days=1)) for week in (0, 2, 4, 6)]
    meeting_mark_missed(actor=m.mentee, meeting=first[1])
    baseline = health_signals_for(mentorships=[m], now=now)[m.pk].baseline
    assert baseline is not None
    assert baseline.cancellations_per_meeting == pytest.approx(1 / 3)


@pytest.mark.parametrize("undo", [False, True])
def test_marking_brings_the_health_up_to_date_soon_after(undo):
    now = timezone.now()
    m, meetings = meeting_pair(now)
    if undo:
        meeting_mark_missed(actor=m.mentor, meeting=meetings[-1])
    health_refresh(mentorships=[m], now=timezone.now())
    later = timezone.now() + timedelta(seconds=1)
    assert mentorships_with_new_activity(now=later, since=now - timedelta(hours=1)) == []
    mark = meeting_mark_held if undo else meeting_mark_missed
    mark(actor=m.mentee, meeting=meetings[-1])
    later = timezone.now() + timedelta(seconds=1)
    assert mentorships_with_new_activity(now=later, since=now - timedelta(hours=1)) == [m]
    assert health_sweep_recent(later)["assessed"] == 1
    stored = MentorshipHealth.objects.get(mentorship=m)
    assert stored.computed_at == later
