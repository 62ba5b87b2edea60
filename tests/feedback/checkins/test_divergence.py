"""When the two sides answer the same check-in notably differently: a divergence (topics only),
both prompted once with the guidance, the admins told only that it exists; settled when they
next agree or sign a new agreement version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import CheckInKind, Divergence, Intervention, InterventionKind
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.feedback.selectors.checkins import expectations_guide_url
from tandem.feedback.services import checkins as service
from tandem.mentorships.models import AgreementVersion
from tandem.mentorships.services import mentorship_end_early
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tests.feedback.checkins.conftest import both

SCALE = {"type": "scale"}
YES_PARTLY_NO = {"type": "choice", "choices": [["yes", "Yes"], ["partly", "Partly"], ["no", "No"]]}
FIVE = {"type": "choice", "choices": [[v, v] for v in "abcde"]}


@pytest.mark.parametrize(
    ("question", "first", "second", "diverge"),
    [
        (SCALE, 2, 4, True),
        (SCALE, 5, 1, True),
        (SCALE, 3, 4, False),
        (SCALE, 4, 4, False),
        (SCALE, None, 1, False),
        (YES_PARTLY_NO, "yes", "no", True),
        (YES_PARTLY_NO, "partly", "no", True),
        (YES_PARTLY_NO, "yes", "partly", False),
        (FIVE, "a", "c", True),
        (FIVE, "a", "b", False),
        ({"type": "text"}, "great", "awful", False),
    ],
)
def test_the_rule(question, first, second, diverge):
    assert service.answers_diverge(question, first, second) is diverge
    assert service.answers_diverge(question, second, first) is diverge


def test_only_compared_questions_count():
    questions = DEFAULT_QUESTIONS[CheckInKind.PULSE]
    mine = {"progress": 5, "meeting_useful": 5}
    theirs = {"progress": 2, "meeting_useful": 1}  # usefulness is not compared
    assert service.diverging_topics(questions, mine, theirs) == ["progress"]


def answer(person, checkin, **answers):
    return service.checkin_answer(user=person, checkin_id=checkin.pk, answers=answers)


def fit(world, mentor_fit, mentee_fit, sequence=0):
    mentor_side, mentee_side = both(world.pair, CheckInKind.FIRST_MEETING, sequence)
    answer(world.mentor, mentor_side, fit=mentor_fit, expectations_clear="yes")
    answer(world.mentee, mentee_side, fit=mentee_fit, expectations_clear="yes")


def test_a_divergence_prompts_both_once_with_the_guidance(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fit(world, 5, 2)
    divergence = Divergence.objects.get(mentorship=world.pair)
    assert divergence.topics == ["fit"]
    assert (divergence.kind, divergence.sequence, divergence.resolved_at) == (
        "first_meeting",
        0,
        None,
    )
    prompts = Notification.objects.filter(kind=Kind.CHECKIN_DIVERGENCE)
    assert sorted(prompts.values_list("recipient_id", flat=True)) == sorted(
        [world.mentor.pk, world.mentee.pk]
    )
    for prompt in prompts:
        assert prompt.url == expectations_guide_url(world.pair)
        assert "How good a fit is this pairing?" in prompt.body
        assert "5" not in prompt.body and "2" not in prompt.body  # never the answers
    assert (
        Intervention.objects.filter(
            mentorship=world.pair, kind=InterventionKind.DIVERGENCE_PROMPT
        ).count()
        == 1
    )


def test_a_change_within_the_window_changes_nothing_and_prompts_no_one_again(world):
    """Decided from the first answers: an edit neither re-words, settles nor re-opens it
    (``test_edit_probe``: else the editor could try values and read the other's answer)."""
    fit(world, 5, 2)
    mentee_side = world.pair.checkins.get(author=world.mentee)
    answer(world.mentee, mentee_side, fit=1, expectations_clear="no")
    assert Divergence.objects.get().topics == ["fit"]
    answer(world.mentee, mentee_side, fit=5, expectations_clear="yes")
    assert Divergence.objects.get().resolved_at is None
    assert Notification.objects.filter(kind=Kind.CHECKIN_DIVERGENCE).count() == 2


def test_no_divergence_when_they_roughly_agree(world):
    fit(world, 4, 3)
    assert not Divergence.objects.exists()


def test_agreeing_next_time_settles_it(world):
    fit(world, 5, 2)
    mentor_side, mentee_side = both(world.pair, CheckInKind.PULSE, 1)
    answer(world.mentor, mentor_side, progress=4, meeting_useful=4)
    assert Divergence.objects.get().resolved_at is None
    answer(world.mentee, mentee_side, progress=3, meeting_useful=1)
    assert Divergence.objects.get().resolved_at is not None


def test_a_new_agreement_signed_after_it_settles_it(world):
    fit(world, 5, 2)
    service.divergences_resolve_by_agreement(now=timezone.now())
    assert Divergence.objects.get().resolved_at is None  # the only version is older
    later = timezone.now() + timedelta(seconds=1)
    AgreementVersion.objects.create(
        mentorship=world.pair,
        number=2,
        content={},
        signed_by_mentor_at=later,
        signed_by_mentee_at=later,
    )
    service.divergences_resolve_by_agreement(now=timezone.now())
    assert Divergence.objects.get().resolved_at is not None


def test_the_page_no_longer_asks_the_pair_to_talk_once_the_mentorship_has_ended(world, client):
    """Journeys review: after the mentee ended it early, both still read "see some things
    differently … Talk about what each of you expects" on the ended mentorship's page."""
    fit(world, 5, 2)
    client.force_login(world.mentor)
    page = f"/mentorships/{world.pair.pk}/"
    assert "see some things differently" in client.get(page).content.decode()
    mentorship_end_early(user=world.mentee, mentorship_id=world.pair.pk, reason="Moving on")
    for person in (world.mentor, world.mentee):
        client.force_login(person)
        assert "see some things differently" not in client.get(page).content.decode()
