"""Answering a check-in: validation per question, sharing, the edit window, untouched saves,
and the mid-point review feeding the "Halfway there" step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.feedback.models import CHECKIN_COMMENT_LIMIT, CheckIn, CheckInKind
from tandem.feedback.services import checkins as service
from tandem.mentorships.models import MentorshipState
from tests.feedback.checkins.conftest import checkin
from tests.mentorships import factories as mentoring

GOOD = {"progress": 4, "meeting_useful": 5, "blocking": "", "comment": "Going well"}


def test_answers_are_stored_with_ints_for_scales(world):
    mine = checkin(world.pair, world.mentee)
    result = service.checkin_answer(
        user=world.mentee,
        checkin_id=mine.pk,
        answers={"progress": "4", "meeting_useful": 5, "comment": " Going well \r\n"},
        shared_keys=["progress", "blocking"],
    )
    mine.refresh_from_db()
    assert result.first_time and result.changed
    assert mine.answers == {"progress": 4, "meeting_useful": 5, "comment": "Going well"}
    # Only answered questions can be shared: "blocking" was left blank.
    assert mine.shared_keys == ["progress"]
    assert mine.shared_with_admins is False
    assert mine.answered_at is not None


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"meeting_useful": 3}, "progress", service.ANSWER_REQUIRED),
        ({"progress": 6, "meeting_useful": 3}, "progress", "Choose a number from 1 to 5."),
        ({"progress": "4.5", "meeting_useful": 3}, "progress", "Choose a number from 1 to 5."),
        ({"progress": True, "meeting_useful": 3}, "progress", "Choose a number from 1 to 5."),
        (
            {"progress": 3, "meeting_useful": 3, "comment": "x" * (CHECKIN_COMMENT_LIMIT + 1)},
            "comment",
            f"Keep this under {CHECKIN_COMMENT_LIMIT} characters.",
        ),
        ({"progress": 3, "meeting_useful": 3, "mood": 5}, "mood", service.NOT_A_QUESTION),
        # What only an API client sends: a list, a number or an object for a text answer.
        ({"progress": 3, "meeting_useful": 3, "comment": ["a"]}, "comment", service.NOT_TEXT),
        ({"progress": 3, "meeting_useful": 3, "blocking": 5}, "blocking", service.NOT_TEXT),
        ({"progress": 3, "meeting_useful": 3, "comment": {"a": 1}}, "comment", service.NOT_TEXT),
    ],
)
def test_a_wrong_answer_names_its_question(world, answers, field, message):
    mine = checkin(world.pair, world.mentee)
    with pytest.raises(ApplicationError) as raised:
        service.checkin_answer(user=world.mentee, checkin_id=mine.pk, answers=answers)
    assert raised.value.fields[field] == message
    assert CheckIn.objects.get(pk=mine.pk).answered_at is None


def test_a_choice_must_be_one_offered(world):
    mine = checkin(world.pair, world.mentee, CheckInKind.FIRST_MEETING, 0)
    with pytest.raises(ApplicationError) as raised:
        service.checkin_answer(
            user=world.mentee, checkin_id=mine.pk, answers={"fit": 4, "expectations_clear": "hmm"}
        )
    assert raised.value.fields == {"expectations_clear": service.BAD_CHOICE}


def test_the_same_answers_again_change_nothing(world, django_assert_max_num_queries):
    mine = checkin(world.pair, world.mentee)
    service.checkin_answer(
        user=world.mentee, checkin_id=mine.pk, answers=GOOD, shared_keys=["progress"]
    )
    before = CheckIn.objects.get(pk=mine.pk)
    with django_assert_max_num_queries(3):
        again = service.checkin_answer(
            user=world.mentee, checkin_id=mine.pk, answers=GOOD, shared_keys=["progress"]
        )
    assert not again.changed and not again.first_time
    after = CheckIn.objects.get(pk=mine.pk)
    assert (after.answers, after.answered_at, after.shared_keys) == (
        before.answers,
        before.answered_at,
        before.shared_keys,
    )


def test_a_change_within_a_day_is_taken_and_refused_after(world):
    mine = checkin(world.pair, world.mentee)
    service.checkin_answer(user=world.mentee, checkin_id=mine.pk, answers=GOOD)
    changed = service.checkin_answer(
        user=world.mentee, checkin_id=mine.pk, answers={**GOOD, "progress": 2}
    )
    assert changed.changed and not changed.first_time
    CheckIn.objects.filter(pk=mine.pk).update(
        answered_at=timezone.now() - service.EDIT_WINDOW - timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError) as raised:
        service.checkin_answer(user=world.mentee, checkin_id=mine.pk, answers=GOOD)
    assert (raised.value.status, raised.value.message) == (409, service.ANSWER_WINDOW_CLOSED)
    # Sent back unchanged after the window: still fine, nothing changes.
    same = service.checkin_answer(
        user=world.mentee, checkin_id=mine.pk, answers={**GOOD, "progress": 2}
    )
    assert not same.changed


def test_only_its_author_answers_it(world):
    mine = checkin(world.pair, world.mentee)
    for other in (world.mentor, world.admin, world.site_admin):
        with pytest.raises(NotFound):
            service.checkin_answer(user=other, checkin_id=mine.pk, answers=GOOD)


def test_a_check_in_not_due_yet_is_not_there(world):
    later = checkin(world.pair, world.mentee, due_at=timezone.now() + timedelta(days=1))
    with pytest.raises(NotFound):
        service.checkin_answer(user=world.mentee, checkin_id=later.pk, answers=GOOD)


def test_a_pulse_of_an_ended_mentorship_is_closed_but_the_closing_survey_is_not(world):
    pulse = checkin(world.pair, world.mentee)
    closing = checkin(world.pair, world.mentee, CheckInKind.CLOSING, 0)
    world.pair.state = MentorshipState.COMPLETED
    world.pair.save()
    with pytest.raises(ApplicationError) as raised:
        service.checkin_answer(user=world.mentee, checkin_id=pulse.pk, answers=GOOD)
    assert raised.value.message == service.CHECKIN_CLOSED
    service.checkin_answer(
        user=world.mentee,
        checkin_id=closing.pk,
        answers={"goals_achieved": 4, "satisfaction": 5, "would_recommend": "yes"},
    )


def test_keeping_the_agreement_at_the_midpoint_confirms_it(world):
    mentoring.at_midpoint(world.pair)
    mine = checkin(world.pair, world.mentee, CheckInKind.MIDPOINT, 0)
    result = service.checkin_answer(
        user=world.mentee,
        checkin_id=mine.pk,
        answers={"progress": 3, "goals_still_right": "yes", "amend_agreement": "no"},
    )
    world.pair.refresh_from_db()
    assert world.pair.midpoint_confirmed_at is not None
    assert result.next_url == ""


def test_keeping_the_agreement_before_the_midpoint_is_an_answer_not_the_step(world):
    mine = checkin(world.pair, world.mentee, CheckInKind.MIDPOINT, 0)  # day 0: not due
    service.checkin_answer(
        user=world.mentee,
        checkin_id=mine.pk,
        answers={"progress": 3, "goals_still_right": "yes", "amend_agreement": "no"},
    )
    world.pair.refresh_from_db()
    assert world.pair.midpoint_confirmed_at is None
    assert CheckIn.objects.get(pk=mine.pk).answered_at is not None


def test_wanting_an_amendment_leads_to_the_agreement_page(world):
    mine = checkin(world.pair, world.mentee, CheckInKind.MIDPOINT, 0)
    result = service.checkin_answer(
        user=world.mentee,
        checkin_id=mine.pk,
        answers={"progress": 3, "goals_still_right": "partly", "amend_agreement": "yes"},
    )
    world.pair.refresh_from_db()
    assert world.pair.midpoint_confirmed_at is None
    assert result.next_url == f"/mentorships/{world.pair.pk}/agreement/"
