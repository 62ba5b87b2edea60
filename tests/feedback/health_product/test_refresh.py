"""Recompute, snapshots on change only, and nudges before alerts, each once per episode."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import (
    CheckIn,
    CheckInKind,
    HealthSnapshot,
    Intervention,
    InterventionKind,
    MentorshipHealth,
)
from tandem.feedback.questions import DEFAULT_QUESTIONS, PROGRESS_KEY, USEFULNESS_KEY
from tandem.feedback.selectors.health import mentorships_due_daily, mentorships_with_new_activity
from tandem.feedback.services import health as health_services
from tandem.feedback.services.checkins import checkin_answer
from tandem.feedback.services.health import (
    RECENT_WINDOW,
    health_refresh,
    health_sweep_daily,
    health_sweep_recent,
)
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.feedback.health_product.builders import held, message, started
from tests.mentorships.factories import availability, member

pytestmark = pytest.mark.django_db


def at_risk_pair(now):
    """Biweekly, last met over six weeks ago, still writing to each other: at risk."""
    m = started(now, weeks=12)
    held(m, now - timedelta(days=46))
    message(m, m.mentor, now - timedelta(days=4))
    message(m, m.mentee, now - timedelta(days=3))
    return m


def stalled_pair(now):
    m = started(now, weeks=12)
    held(m, now - timedelta(days=70))
    return m


def kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_at_risk_nudges_the_pair_once_with_three_times_that_suit_both():
    now = timezone.now()
    m = at_risk_pair(now)
    admin = member(m.program, Role.ADMIN)
    for person in (m.mentor, m.mentee):
        availability(person, *[(day, 9 * 60, 17 * 60) for day in range(5)])

    result = health_refresh(mentorships=[m], now=now)

    health = MentorshipHealth.objects.get(pk=m.pk)
    assert health.state == "at_risk"
    assert health.reasons[0]["code"] == "missed_periods"
    assert result.nudges == 2 and result.alerts == 0  # each side's view is at risk
    nudge = Notification.objects.get(recipient=m.mentee, kind=Kind.HEALTH_NUDGE)
    assert "You have not met for 6 weeks" in nudge.body
    assert "Times that suit you both" in nudge.body and nudge.body.count(";") >= 2
    assert kinds(m.mentor) == [Kind.HEALTH_NUDGE]
    assert kinds(admin) == []
    sent = Intervention.objects.filter(mentorship=m).values_list("kind", "reason_code", "episode")
    assert sorted(sent) == [
        (InterventionKind.NUDGE, "missed_periods", f"{side}:{now.isoformat()}")
        for side in ("mentee", "mentor")
    ]

    again = health_refresh(mentorships=[m], now=now + timedelta(hours=1))
    assert again.nudges == 0 and again.changed == 0
    assert HealthSnapshot.objects.filter(mentorship=m).count() == 1
    assert kinds(m.mentee) == [Kind.HEALTH_NUDGE]


def test_still_at_risk_after_the_grace_alerts_the_admins_outside_the_pair_once(monkeypatch):
    # Whatever the rules make of eleven more days, this pair stays at risk: the test is about
    # the grace period, not the rules' thresholds.
    real = health_services.assess
    monkeypatch.setattr(
        health_services,
        "assess",
        lambda signals, **kwargs: replace(real(signals, **kwargs), state="at_risk"),
    )
    now = timezone.now()
    m = at_risk_pair(now)
    admin = member(m.program, Role.ADMIN)
    health_refresh(mentorships=[m], now=now)
    later = now + timedelta(days=11)
    message(m, m.mentor, later - timedelta(days=2))
    message(m, m.mentee, later - timedelta(days=1))

    result = health_refresh(mentorships=[m], now=later)
    health_refresh(mentorships=[m], now=later + timedelta(hours=2))

    assert MentorshipHealth.objects.get(pk=m.pk).state == "at_risk"
    assert result.alerts == 1 and result.nudges == 0
    alert = Notification.objects.get(recipient=admin, kind=Kind.HEALTH_ALERT)
    assert "at risk" in alert.title and "They have not met" in alert.body
    assert "/health/" in alert.url
    assert Kind.HEALTH_ALERT not in kinds(m.mentor) + kinds(m.mentee)
    assert Intervention.objects.filter(mentorship=m, kind=InterventionKind.ALERT).count() == 1


def test_stalled_nudges_and_alerts_at_once():
    now = timezone.now()
    m = stalled_pair(now)
    admin = member(m.program, Role.ADMIN)
    result = health_refresh(mentorships=[m], now=now)
    assert MentorshipHealth.objects.get(pk=m.pk).state == "stalled"
    assert (result.nudges, result.alerts) == (2, 1)
    assert kinds(admin) == [Kind.HEALTH_ALERT]


def test_a_new_spell_after_recovering_is_a_new_episode():
    now = timezone.now()
    m = at_risk_pair(now)
    health_refresh(mentorships=[m], now=now)
    for days in (6, 20):
        held(m, now + timedelta(days=days))
    health_refresh(mentorships=[m], now=now + timedelta(days=21))
    assert MentorshipHealth.objects.get(pk=m.pk).state not in ("at_risk", "stalled")
    health_refresh(mentorships=[m], now=now + timedelta(days=21 + 47))
    nudges = Intervention.objects.filter(mentorship=m, kind=InterventionKind.NUDGE)
    assert nudges.count() == 4  # one per side and spell
    assert len(set(nudges.values_list("episode", flat=True))) == 4
    assert HealthSnapshot.objects.filter(mentorship=m).count() >= 3


def test_the_recent_sweep_takes_mentorships_with_activity_newer_than_their_health():
    now = timezone.now()
    quiet, busy = at_risk_pair(now), at_risk_pair(now)
    health_refresh(mentorships=[quiet, busy], now=now - timedelta(minutes=30))
    assert mentorships_with_new_activity(now=now, since=now - timedelta(hours=2)) == []
    message(busy, busy.mentee, now - timedelta(minutes=5))

    assert mentorships_with_new_activity(now=now, since=now - timedelta(hours=2)) == [busy]
    assert health_sweep_recent(now)["assessed"] == 1
    assert mentorships_with_new_activity(now=now, since=now - timedelta(hours=2)) == []


def test_an_edited_check_in_answer_makes_its_mentorship_due_soon():
    """An edit keeps ``answered_at`` (the first answer) and must still reach the recent sweep,
    not wait a day for the daily one."""
    m = at_risk_pair(timezone.now())
    mine = CheckIn.objects.create(
        mentorship=m,
        author=m.mentee,
        kind=CheckInKind.PULSE,
        sequence=1,
        questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
        due_at=timezone.now() - timedelta(hours=4),
    )
    answers = {PROGRESS_KEY: 4, USEFULNESS_KEY: 4}
    checkin_answer(user=m.mentee, checkin_id=mine.pk, answers=answers)
    # First answered three hours ago, well within the edit window; health computed since.
    CheckIn.objects.filter(pk=mine.pk).update(answered_at=timezone.now() - timedelta(hours=3))
    health_refresh(mentorships=[m], now=timezone.now())
    assert (
        mentorships_with_new_activity(now=timezone.now(), since=timezone.now() - RECENT_WINDOW)
        == []
    )

    checkin_answer(user=m.mentee, checkin_id=mine.pk, answers={**answers, PROGRESS_KEY: 1})

    now = timezone.now()
    assert mentorships_with_new_activity(now=now, since=now - RECENT_WINDOW) == [m]
    assert health_sweep_recent(now)["assessed"] == 1


def test_the_daily_sweep_takes_the_missing_and_the_day_old():
    now = timezone.now()
    fresh, stale, new = at_risk_pair(now), at_risk_pair(now), at_risk_pair(now)
    health_refresh(mentorships=[fresh], now=now - timedelta(hours=3))
    health_refresh(mentorships=[stale], now=now - timedelta(days=1, hours=1))
    assert {m.pk for m in mentorships_due_daily(now=now, limit=10)} == {stale.pk, new.pk}
    assert health_sweep_daily(now)["assessed"] == 2
    assert mentorships_due_daily(now=now, limit=10) == []


def test_health_computed_in_the_future_is_taken_again_and_holds_no_state_since_then():
    """``tandem_tick --now`` a month ahead stored rows "computed" then: the daily sweep
    waited for the real clock to pass them, so the pair's health stayed a month ahead."""
    now = timezone.now()
    month, hours = at_risk_pair(now), at_risk_pair(now)
    health_refresh(mentorships=[month], now=now + timedelta(days=30))
    health_refresh(mentorships=[hours], now=now + timedelta(hours=2))
    states = dict(MentorshipHealth.objects.values_list("mentorship", "state"))
    assert (states[month.pk], states[hours.pk]) == ("stalled", "at_risk")
    assert {m.pk for m in mentorships_due_daily(now=now, limit=10)} == {month.pk, hours.pk}
    assert health_sweep_daily(now)["assessed"] == 2
    back = MentorshipHealth.objects.values_list("state", "computed_at", "state_since")
    # The same state as two hours "later" is not a state held since then.
    assert set(back) == {("at_risk", now, now)}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_nudge_and_alert_once(postgres_only):
    import threading

    from django.db import connection

    now = timezone.now()
    m = stalled_pair(now)
    member(m.program, Role.ADMIN)
    barrier = threading.Barrier(2)
    errors = []

    def run(offset):
        try:
            barrier.wait()
            found = type(m).objects.select_related("program").get(pk=m.pk)
            health_refresh(mentorships=[found], now=now + timedelta(seconds=offset))
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(offset,)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kinds = list(Intervention.objects.filter(mentorship=m).values_list("kind", flat=True))
    assert sorted(kinds) == [InterventionKind.ALERT] + [InterventionKind.NUDGE] * 2


def test_the_stored_state_is_handed_to_the_rules_for_hysteresis(monkeypatch):
    now = timezone.now()
    m = at_risk_pair(now)
    seen = []
    real = health_services.assess

    def spy(signals, *args, previous=None, **kwargs):
        seen.append(previous)
        return real(signals, *args, previous=previous, **kwargs)

    monkeypatch.setattr(health_services, "assess", spy)
    health_refresh(mentorships=[m], now=now)
    held(m, now + timedelta(hours=1))
    health_refresh(mentorships=[m], now=now + timedelta(hours=2))
    # the full state, then the mentor's view and the mentee's, each with its own previous one
    assert seen == [None] * 3 + ["at_risk"] * 3
