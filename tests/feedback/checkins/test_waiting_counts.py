"""Leftovers review 7: the admins' "answered of due" counted a check-in nobody can answer any
more as due, waiting for ever: one of a person who deleted their account, or of a mentorship
that ended (as it has for someone who left the program). Such a check-in counts only if it
was answered; the author's list, the reminders and both admin counts read one rule
(``feedback.selectors.checkins.still_waiting``)."""

from __future__ import annotations

from django.utils import timezone

from tandem.feedback.models import CheckInKind
from tandem.feedback.selectors.checkin_figures import checkin_aggregates_for_program
from tandem.feedback.selectors.checkins import checkin_counts_for, checkins_waiting_for
from tandem.mentorships.models import MentorshipState
from tandem.programs.models import Role
from tandem.programs.services.leaving import enrolment_leave
from tests.feedback.checkins.conftest import checkin
from tests.feedback.checkins.test_deleted_account import delete
from tests.mentorships import factories as mentoring


def _pulse_counts(world) -> tuple[int, int]:
    (pulse,) = [
        k
        for k in checkin_aggregates_for_program(program=world.program, reader=world.admin)
        if k.kind == CheckInKind.PULSE
    ]
    return pulse.answered, pulse.due


def test_a_deleted_authors_unanswered_checkin_is_not_due(world):
    checkin(world.pair, world.mentor, answered_at=timezone.now())
    waiting = checkin(world.pair, world.mentee)
    counts = checkin_counts_for(mentorship=world.pair)
    assert (counts.answered, counts.due) == (1, 2)
    assert _pulse_counts(world) == (1, 2)
    delete(world.mentee)
    world.pair.refresh_from_db()
    counts = checkin_counts_for(mentorship=world.pair)
    assert (counts.answered, counts.due) == (1, 1)
    assert _pulse_counts(world) == (1, 1)
    assert waiting.pk not in {c.pk for c in checkins_waiting_for(user=world.mentee)}


def test_a_left_persons_unanswered_checkin_is_not_due_but_their_closing_one_is(world):
    pair = mentoring.mentorship(program=world.program)
    checkin(pair, pair.mentee)  # a pulse never answered
    closing = checkin(pair, pair.mentee, kind=CheckInKind.CLOSING)  # they may still answer
    pair.state = MentorshipState.COMPLETED
    pair.save(update_fields=["state"])
    enrolment_leave(user=pair.mentee, slug=world.program.slug)
    counts = checkin_counts_for(mentorship=pair)
    assert (counts.answered, counts.due) == (0, 1)
    assert [c.pk for c in checkins_waiting_for(user=pair.mentee)] == [closing.pk]
    assert pair.mentee.enrolments.get(program=world.program, role=Role.MENTEE).status == "left"
