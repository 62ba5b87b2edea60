"""Leftovers review: a streak of cancellations was counted by when each change was made, so a
pair moving three far-ahead meetings at once read "The last 3 meetings were cancelled or moved,
with none held since" the same day, though no meeting due had been missed. A streak is about
meetings that were due in a row (docs/health.md): each call-off counts from the time its
meeting was due, its start before the change."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tandem.feedback.health import assess
from tandem.feedback.health.signals import Cancellation
from tandem.feedback.selectors.health import health_signals_for
from tandem.mentorships.models import MentorshipEvent
from tandem.mentorships.services import meeting_cancel, meeting_reschedule
from tests.feedback.health.test_rules import codes, day, signals
from tests.feedback.health_product.builders import held, started


def test_moving_far_ahead_meetings_at_once_is_no_streak(db):
    now = timezone.now()
    m = started(now, weeks=8)
    held(m, now - timedelta(days=3))
    ahead = [held(m, now + timedelta(weeks=weeks)) for weeks in (4, 5, 6)]
    for meeting in ahead[:2]:
        later = meeting.starts_at + timedelta(days=2)
        meeting_reschedule(
            user=m.mentee,
            meeting_id=meeting.pk,
            starts_at=later,
            ends_at=later + timedelta(hours=1),
        )
    meeting_cancel(user=m.mentor, meeting_id=ahead[2].pk)
    events = MentorshipEvent.objects.filter(
        mentorship=m, kind__in=["meeting_moved", "meeting_cancelled"]
    )
    assert sorted(e.due_at for e in events) == [meeting.starts_at for meeting in ahead]
    found = health_signals_for(mentorships=[m], now=timezone.now())[m.pk]
    assert sorted(c.due for c in found.cancellations) == [meeting.starts_at for meeting in ahead]
    assert "cancellations" not in codes(assess(found))


def test_a_streak_counts_the_meetings_that_came_due_since_the_last_one_held():
    # Three called off on day 16, for meetings due on days 21, 28 and 60: by day 30 two were
    # due with none held since; the third is not due yet.
    cancelled = tuple(Cancellation(day(16), "mentee", due=day(n)) for n in (21, 28, 60))
    assessment = assess(signals(as_of=30, meetings_held=(day(0), day(14)), cancellations=cancelled))
    by_code = {reason.code: reason for reason in assessment.reasons}
    assert by_code["cancellations"].text == (
        "The last 2 meetings were cancelled or moved, with none held since."
    )
    # Called off before the last meeting held, for meetings due after it: still in a row.
    early = tuple(Cancellation(day(10), "mentor", due=day(n)) for n in (18, 25))
    assessment = assess(signals(as_of=30, meetings_held=(day(0), day(14)), cancellations=early))
    assert "cancellations" in codes(assessment)
    # No due time known (a change recorded before it was kept): when it was made, as before.
    unknown = tuple(Cancellation(day(n), "mentee") for n in (22, 29))
    assessment = assess(signals(as_of=30, meetings_held=(day(0), day(14)), cancellations=unknown))
    assert "cancellations" in codes(assessment)


def test_meetings_moved_earlier_and_held_are_no_streak(db):
    """Code review of 6ab6252: a move counted from the start it left, so two meetings moved a
    week earlier and held there read as two cancellations in a row a week later, as if both
    had been missed. A move is due at the earlier of its two starts: held at the new one, it
    is behind the last meeting held."""
    now = timezone.now()
    m = started(now, weeks=8)
    moved_to = []
    for was, to in ((10, 2), (9, 3)):
        meeting = held(m, now + timedelta(days=was))
        moved_to.append(now + timedelta(days=to))
        meeting_reschedule(
            user=m.mentee,
            meeting_id=meeting.pk,
            starts_at=moved_to[-1],
            ends_at=moved_to[-1] + timedelta(hours=1),
        )
    later = now + timedelta(days=11)
    found = health_signals_for(mentorships=[m], now=later)[m.pk]
    assert sorted(c.due for c in found.cancellations) == moved_to
    assert "cancellations" not in codes(assess(found))
