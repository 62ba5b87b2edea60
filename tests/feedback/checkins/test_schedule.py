"""The periodic job creates each person's check-ins when they are due: after the first
meeting held, on the agreed cadence, at the mid-point, at the end; once, in bounded queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind, CheckInTemplate
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.feedback.services.checkin_schedule import checkin_reminders_send, checkins_create_due
from tandem.mentorships.models import AgreementVersion, MeetingStatus, MentorshipState
from tandem.mentorships.services import meeting_mark_held, meeting_mark_missed
from tandem.notify.models import Notification
from tests.mentorships import factories as mentoring


def points(pair):
    return sorted(
        CheckIn.objects.filter(mentorship=pair).values_list("kind", "sequence", "author_id")
    )


def started(pair, days_ago: int, cadence: str = "weekly"):
    """The pair started ``days_ago`` days ago and agreed on ``cadence``."""
    now = timezone.now()
    pair.activated_at = now - timedelta(days=days_ago)
    pair.starts_on = (now - timedelta(days=days_ago)).date()
    pair.ends_on = pair.starts_on + timedelta(days=365)
    pair.save()
    version = AgreementVersion.objects.get(mentorship=pair)
    version.content = {**version.content, "cadence": cadence}
    version.save()


def test_the_fit_check_comes_for_both_once_the_first_meeting_has_ended(world):
    started(world.pair, 3)
    meeting = mentoring.meeting(world.pair, in_hours=-0.5, duration_minutes=60)
    checkins_create_due(timezone.now())
    assert points(world.pair) == []  # still going on
    meeting.starts_at = timezone.now() - timedelta(hours=2)
    meeting.save()
    checkins_create_due(timezone.now())
    kinds = {(kind, author) for kind, _seq, author in points(world.pair)}
    assert kinds == {
        (CheckInKind.FIRST_MEETING, world.mentor.pk),
        (CheckInKind.FIRST_MEETING, world.mentee.pk),
    }
    fit = CheckIn.objects.filter(kind=CheckInKind.FIRST_MEETING).first()
    assert fit.due_at == meeting.starts_at + timedelta(minutes=60)
    assert fit.questions == DEFAULT_QUESTIONS[CheckInKind.FIRST_MEETING]


def test_a_cancelled_meeting_is_not_a_first_meeting(world):
    started(world.pair, 3)
    mentoring.meeting(world.pair, in_hours=-5, status=MeetingStatus.CANCELLED)
    checkins_create_due(timezone.now())
    assert points(world.pair) == []


def test_a_first_meeting_that_did_not_take_place_is_not_a_first_meeting(world):
    started(world.pair, 3)
    no_show = mentoring.meeting(world.pair, in_hours=-5)
    meeting_mark_missed(actor=world.mentee, meeting=no_show)
    checkins_create_due(timezone.now())
    assert points(world.pair) == []
    second = mentoring.meeting(world.pair, in_hours=-2)
    checkins_create_due(timezone.now())
    assert set(CheckIn.objects.values_list("due_at", flat=True)) == {second.ends_at}


def test_a_fit_check_already_asked_is_withdrawn_when_the_meeting_did_not_take_place(world):
    started(world.pair, 3)
    no_show = mentoring.meeting(world.pair, in_hours=-5)
    checkins_create_due(timezone.now())
    assert len(points(world.pair)) == 2
    asked = [
        reverse("checkin_answer", args=[pk])
        for pk in CheckIn.objects.filter(mentorship=world.pair).values_list("pk", flat=True)
    ]
    checkin_reminders_send(timezone.now() + timedelta(days=7))
    assert Notification.objects.filter(url__in=asked).count() == 2
    meeting_mark_missed(actor=world.mentor, meeting=no_show)
    checkins_create_due(timezone.now())
    assert points(world.pair) == []
    assert not Notification.objects.filter(url__in=asked).exists()  # no link to a gone page
    meeting_mark_held(actor=world.mentee, meeting=no_show)
    checkins_create_due(timezone.now())
    assert len(points(world.pair)) == 2


def test_an_answered_fit_check_is_kept_whatever_is_marked_later(world):
    started(world.pair, 3)
    no_show = mentoring.meeting(world.pair, in_hours=-5)
    checkins_create_due(timezone.now())
    CheckIn.objects.filter(author=world.mentee).update(answered_at=timezone.now())
    meeting_mark_missed(actor=world.mentor, meeting=no_show)
    checkins_create_due(timezone.now())
    assert len(points(world.pair)) == 2


def test_pulses_follow_the_agreed_cadence_without_making_up_missed_ones(world):
    started(world.pair, 15, cadence="weekly")
    checkins_create_due(timezone.now())
    pulses = CheckIn.objects.filter(mentorship=world.pair, kind=CheckInKind.PULSE)
    # Two weeks and a day in: the second pulse only (the first was missed by the job).
    assert sorted(set(pulses.values_list("sequence", flat=True))) == [2]
    assert pulses.count() == 2
    checkins_create_due(timezone.now())
    assert pulses.count() == 2


def test_every_periods_spaces_the_pulses(world):
    started(world.pair, 15, cadence="weekly")
    CheckInTemplate.objects.create(
        program=world.program,
        kind=CheckInKind.PULSE,
        questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
        every_periods=3,
    )
    checkins_create_due(timezone.now())
    assert not CheckIn.objects.filter(kind=CheckInKind.PULSE).exists()
    checkins_create_due(timezone.now() + timedelta(days=7))
    assert set(CheckIn.objects.values_list("sequence", flat=True)) == {1}


def test_without_an_agreed_cadence_the_programs_default_counts(world):
    started(world.pair, 29, cadence="monthly")
    version = AgreementVersion.objects.get(mentorship=world.pair)
    version.signed_by_mentee_at = None  # no agreement in effect
    version.save()
    world.program.default_cadence = "biweekly"
    world.program.save()
    checkins_create_due(timezone.now())
    assert set(CheckIn.objects.values_list("kind", "sequence")) == {(CheckInKind.PULSE, 2)}


def test_the_midpoint_review_comes_half_way_through_the_agreed_dates(world):
    started(world.pair, 10, cadence="quarterly")
    world.pair.ends_on = world.pair.starts_on + timedelta(days=22)
    world.pair.save()
    checkins_create_due(timezone.now())
    assert not CheckIn.objects.filter(kind=CheckInKind.MIDPOINT).exists()
    checkins_create_due(timezone.now() + timedelta(days=1))
    assert CheckIn.objects.filter(kind=CheckInKind.MIDPOINT, sequence=0).count() == 2


def test_the_closing_survey_comes_for_both_when_it_ends_and_only_then(world):
    started(world.pair, 10, cadence="quarterly")
    world.pair.state = MentorshipState.ENDED_EARLY
    world.pair.ended_at = timezone.now() - timedelta(minutes=1)
    world.pair.save()
    checkins_create_due(timezone.now())
    assert set(CheckIn.objects.values_list("kind", flat=True)) == {CheckInKind.CLOSING}
    assert CheckIn.objects.count() == 2
    checkins_create_due(timezone.now())
    assert CheckIn.objects.count() == 2


def test_after_an_early_end_each_side_is_asked_why_in_their_view_and_only_then(world):
    started(world.pair, 10)
    world.pair.state = MentorshipState.ENDED_EARLY
    world.pair.ended_at = timezone.now() - timedelta(minutes=1)
    world.pair.save()
    completed = mentoring.mentorship(state=MentorshipState.COMPLETED)
    completed.ended_at = timezone.now() - timedelta(minutes=1)
    completed.save()
    checkins_create_due(timezone.now())
    for survey in CheckIn.objects.filter(mentorship=world.pair):
        assert survey.questions[-1]["key"] == "end_category"
        assert survey.questions[:-1] == DEFAULT_QUESTIONS[CheckInKind.CLOSING]
    done = CheckIn.objects.filter(mentorship=completed)
    assert done.count() == 2
    assert all(survey.questions == DEFAULT_QUESTIONS[CheckInKind.CLOSING] for survey in done)


def test_one_ended_long_ago_gets_no_survey(world):
    world.pair.state = MentorshipState.COMPLETED
    world.pair.ended_at = timezone.now() - timedelta(days=90)
    world.pair.save()
    checkins_create_due(timezone.now())
    assert not CheckIn.objects.exists()


def queries_to_create(world, pairs: int) -> tuple[int, int]:
    for _ in range(pairs):
        pair = mentoring.mentorship(program=world.program)
        started(pair, 15)
        mentoring.meeting(pair, in_hours=-3)
    with CaptureQueriesContext(connection) as queries:
        created = checkins_create_due(timezone.now())
    # The rows go in one bulk insert, which SQLite splits by its limit on parameters.
    return sum(not q["sql"].startswith("INSERT") for q in queries.captured_queries), created


def test_the_job_runs_in_the_same_queries_whatever_the_number_of_pairs(world):
    few, created_few = queries_to_create(world, 3)
    many, created_many = queries_to_create(world, 30)
    # Each of the pair: the fit check and the second pulse.
    assert (created_few, created_many) == (3 * 2 * 2, 30 * 2 * 2)
    assert many == few <= 10, (few, many)


def test_pulses_keep_coming_when_the_cadence_slows_down(world):
    """Found by review: pulses numbered under a weekly cadence stopped for months after an
    amendment to monthly (the new period's number had to catch up with the old one's)."""
    started(world.pair, 141, cadence="weekly")
    checkins_create_due(timezone.now())
    last = CheckIn.objects.filter(kind=CheckInKind.PULSE).order_by("-sequence").first()
    assert last is not None and last.sequence == 20
    version = AgreementVersion.objects.get(mentorship=world.pair)
    version.content = {**version.content, "cadence": "monthly"}
    version.save()
    later = timezone.now() + timedelta(days=31)
    checkins_create_due(later)
    newest = CheckIn.objects.filter(kind=CheckInKind.PULSE).order_by("-sequence").first()
    assert newest is not None and newest.sequence > 20
    assert newest.due_at <= later
