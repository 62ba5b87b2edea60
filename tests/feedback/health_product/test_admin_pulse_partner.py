"""An admin's "Send a check-in" asks both of the pair at one point, whoever had answered: when
only the side without a pulse waiting got one, the pair's next pulse number and date (the
schedule counts from the last pulse asked) told the other side, still waiting, whether its
partner had answered (privacy review: the mentor's pulses went 5, then 7 a period after the
admin's send, only when the mentee had answered 5)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.feedback.selectors.checkins import checkin_list_for
from tandem.feedback.services.checkin_schedule import checkins_create_due
from tandem.feedback.services.checkins import checkin_answer
from tandem.feedback.services.health_actions import health_checkin_send
from tandem.programs.models import Role
from tests.feedback.health_product.builders import started
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db


def _minutes(at: datetime, since: datetime) -> int:
    return round((at - since).total_seconds() / 60)


def _mentor_reads(*, mentor_answered: bool, mentee_answered: bool) -> tuple[list, list]:
    """The mentor's pulses right after an admin's send, then once the schedule has run two
    months later: numbers, dates (from the send) and whether answered."""
    now = timezone.now()
    m = started(now, weeks=10)
    answered = {m.mentor_id: mentor_answered, m.mentee_id: mentee_answered}
    for author in (m.mentor, m.mentee):
        pulse = CheckIn.objects.create(
            mentorship=m,
            author=author,
            kind=CheckInKind.PULSE,
            sequence=1,
            questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
            due_at=now - timedelta(days=3),
        )
        if answered[author.pk]:
            checkin_answer(
                user=author, checkin_id=pulse.pk, answers={"progress": 2, "meeting_useful": 2}
            )
    sent = timezone.now()
    health_checkin_send(user=member(m.program, Role.ADMIN), mentorship_id=m.pk)
    waiting = [
        (c.sequence, c.answered_at is None)
        for c in checkin_list_for(user=m.mentor).filter(mentorship=m)
    ]
    checkins_create_due(sent + timedelta(weeks=9))
    later = [
        (c.sequence, _minutes(c.due_at, sent), c.answered_at is None)
        for c in CheckIn.objects.filter(
            author=m.mentor, kind=CheckInKind.PULSE, due_at__gte=sent
        ).order_by("sequence")
    ]
    return waiting, later


@pytest.mark.parametrize("mentor_answered", [False, True])
def test_the_mentor_is_asked_the_same_whether_or_not_the_mentee_answered(mentor_answered):
    reads = [
        _mentor_reads(mentor_answered=mentor_answered, mentee_answered=mentee_answered)
        for mentee_answered in (False, True)
    ]
    assert reads[0] == reads[1]
    waiting, later = reads[0]
    assert later[0][:2] == (2, 0)  # the admin's pulse, due at the send, for the mentor too
    assert len(later) == 2  # and the schedule's next, counted from it


def mentors_first_pulse_waiting(m, now) -> CheckIn:
    """The mentor's first pulse, due three days ago and not answered."""
    return CheckIn.objects.create(
        mentorship=m,
        author=m.mentor,
        kind=CheckInKind.PULSE,
        sequence=1,
        questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
        due_at=now - timedelta(days=3),
    )


def test_a_waiting_pulse_is_moved_to_the_admins_point_not_doubled():
    now = timezone.now()
    m = started(now, weeks=10)
    pulse = mentors_first_pulse_waiting(m, now)
    health_checkin_send(user=member(m.program, Role.ADMIN), mentorship_id=m.pk)
    mentors = list(CheckIn.objects.filter(author=m.mentor, kind=CheckInKind.PULSE))
    assert [(c.pk, c.sequence) for c in mentors] == [(pulse.pk, 2)]
    assert mentors[0].reminded_at is not None and mentors[0].due_at > pulse.due_at
    assert CheckIn.objects.get(author=m.mentee, kind=CheckInKind.PULSE).sequence == 2


def test_a_point_the_schedule_took_meanwhile_is_no_error(monkeypatch):
    """The schedule may give a side the admin's point while the send runs (it does not lock
    the mentorship): that pulse is then the side's, and the send still succeeds."""
    from tandem.feedback.services import health_actions

    now = timezone.now()
    m = started(now, weeks=10)
    mentors_first_pulse_waiting(m, now)
    asked = health_actions.asked_of_pair

    def scheduled_meanwhile(*args, **kwargs):
        CheckIn.objects.create(
            mentorship=m,
            author=m.mentor,
            kind=CheckInKind.PULSE,
            sequence=2,
            questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
            due_at=now,
            answered_at=now,  # not taken for the waiting one: the update meets it
        )
        return asked(*args, **kwargs)

    monkeypatch.setattr(health_actions, "asked_of_pair", scheduled_meanwhile)
    health_checkin_send(user=member(m.program, Role.ADMIN), mentorship_id=m.pk)
    mentors = CheckIn.objects.filter(author=m.mentor, kind=CheckInKind.PULSE)
    assert sorted(mentors.values_list("sequence", flat=True)) == [1, 2]
    assert CheckIn.objects.get(author=m.mentee, kind=CheckInKind.PULSE).sequence == 2
