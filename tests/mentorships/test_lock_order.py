"""One lock order (docs/mentorships.md, "Lock order"): two people acting at once take turns
instead of deadlocking (PostgreSQL aborted one of them with ``DeadlockDetected``, a 500).

The races are made to happen every time: each thread, once it holds its first row lock
(``FOR NO KEY UPDATE``; ``FOR UPDATE`` before ``core.locking`` took that one), waits
for the other to hold its first one too, the interleaving in which two orders that disagree
always deadlock. Under one order the second thread's first lock waits for the first thread
instead, and the first goes on once the wait times out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.feedback.models import MentorshipHealth
from tandem.feedback.services.health import health_refresh
from tandem.mentorships import services
from tandem.mentorships.models import (
    Meeting,
    MeetingFormat,
    MeetingSeries,
    MeetingStatus,
    Mentorship,
    MentorshipRequest,
    MentorshipState,
    RequestState,
)
from tandem.mentorships.services import meetings as meeting_services
from tandem.mentorships.services.lifecycle import MENTORSHIP_CLOSED
from tandem.programs.models import MatchingMode, Role
from tests.mentorships.factories import (
    ProgramFactory,
    RequestFactory,
    call,
    meeting,
    member,
    mentorship,
)

# Long enough for both threads to take their first lock, short enough to keep the tests quick.
RENDEZVOUS_SECONDS = 1.5


class Rendezvous:
    """Each caller waits, at most ``RENDEZVOUS_SECONDS``, until ``parties`` callers came."""

    def __init__(self, parties: int = 2):
        self.parties = parties
        self.arrived = 0
        self.condition = threading.Condition()

    def __call__(self) -> None:
        with self.condition:
            self.arrived += 1
            self.condition.notify_all()
            self.condition.wait_for(
                lambda: self.arrived >= self.parties, timeout=RENDEZVOUS_SECONDS
            )


def row_lock(sql: str) -> bool:
    return sql.startswith("SELECT") and ("FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql)


def meet_after_first(rendezvous: Rendezvous, found: Callable[[str], bool]):
    """A database wrapper: once the first statement ``found`` picks has run, meet the other
    thread."""
    done = False

    def wrapper(execute, sql, params, many, context):
        nonlocal done
        result = execute(sql, params, many, context)
        if not done and found(sql):
            done = True
            rendezvous()
        return result

    return wrapper


def race(
    *calls: Callable[[], object],
    found: Callable[[str], bool] | None = row_lock,
) -> list[object]:
    """Run each call in its own thread (and connection), meeting at the first statement
    ``found`` picks (``None``: nowhere); returns what each returned or raised, in order."""
    rendezvous = Rendezvous(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, work: Callable[[], object]) -> None:
        try:
            if found is None:
                outcomes[index] = work()
            else:
                with connection.execute_wrapper(meet_after_first(rendezvous, found)):
                    outcomes[index] = work()
        except Exception as error:  # noqa: BLE001 - returned for the assertions
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def unexpected(outcomes: list[object]) -> list[object]:
    """What no person should see: any error but a refusal in words (a deadlock, say)."""
    return [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ApplicationError)]


def refusals(outcomes: list[object]) -> list[ApplicationError]:
    return [o for o in outcomes if isinstance(o, ApplicationError)]


def two_requests():
    """A self-serve mentee who asked two mentors; each mentor about to accept."""
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE, allow_direct_requests=False)
    mentee = member(program, Role.MENTEE)
    mentors = [member(program, Role.MENTOR) for _ in range(2)]
    requests = [RequestFactory(program=program, sender=mentee, recipient=m) for m in mentors]
    return mentee, mentors, requests


def series(m: Mentorship, count: int = 4) -> list[Meeting]:
    found = MeetingSeries.objects.create(
        mentorship=m,
        rrule="FREQ=WEEKLY",
        starts_at=timezone.now() + timedelta(days=2),
        timezone="UTC",
        duration_minutes=45,
        format=MeetingFormat.VIDEO,
    )
    return [meeting(m, in_hours=48 + 24 * 7 * i, series=found) for i in range(count)]


@pytest.mark.django_db(transaction=True)
def test_two_mentors_accepting_one_mentees_requests_at_once(postgres_only):
    _, mentors, requests = two_requests()
    outcomes = race(
        *(
            lambda mentor=mentor, request=request: services.request_accept(
                user=mentor, request_id=request.pk
            )
            for mentor, request in zip(mentors, requests, strict=True)
        )
    )
    assert unexpected(outcomes) == []
    (refused,) = refusals(outcomes)
    assert refused.status == 409
    assert str(refused) == "This request is already withdrawn; it can no longer be accepted."
    assert Mentorship.objects.count() == 1
    states = sorted(MentorshipRequest.objects.values_list("state", flat=True))
    assert states == [RequestState.ACCEPTED, RequestState.WITHDRAWN]


@pytest.mark.django_db
def test_the_second_mentor_to_accept_is_told_the_request_was_withdrawn(client):
    """The loser of the race above, one after the other: the API and the page say why."""
    _, (first, second), (won, lost) = two_requests()
    url = "/api/mentorships/requests/{}/accept"
    assert call(client, "post", url.format(won.pk), first).status_code == 201
    refused = call(client, "post", url.format(lost.pk), second)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "This request is already withdrawn; it can no longer be accepted."
    )
    page = client.post(reverse("request_accept", args=[lost.pk]), follow=True)
    assert "This request is already withdrawn; it can no longer be accepted." in (
        page.content.decode()
    )
    assert Mentorship.objects.filter(mentor=second).count() == 0


@pytest.mark.django_db(transaction=True)
def test_both_sides_cancelling_a_series_at_once_from_different_meetings(postgres_only):
    m = mentorship()
    meetings = series(m)
    outcomes = race(
        lambda: services.meeting_series_cancel(user=m.mentor, meeting_id=meetings[0].pk),
        lambda: services.meeting_series_cancel(user=m.mentee, meeting_id=meetings[-1].pk),
    )
    assert unexpected(outcomes) == []
    (refused,) = refusals(outcomes)
    assert (refused.status, str(refused)) == (409, meeting_services.SERIES_ALREADY_CANCELLED)
    assert set(Meeting.objects.values_list("status", flat=True)) == {MeetingStatus.CANCELLED}
    assert Meeting.objects.get(pk=meetings[1].pk).sequence == 1  # cancelled once
    assert m.events.filter(kind="series_cancelled").count() == 1


@pytest.mark.django_db(transaction=True)
def test_ending_early_while_the_partner_cancels_the_series(postgres_only):
    m = mentorship()
    meetings = series(m)
    outcomes = race(
        lambda: services.mentorship_end_early(
            user=m.mentee, mentorship_id=m.pk, reason="Our goals moved apart."
        ),
        lambda: services.meeting_series_cancel(user=m.mentor, meeting_id=meetings[-1].pk),
    )
    assert unexpected(outcomes) == []
    # The cancel, if it lost, is told the mentorship ended (not that "the meeting" was).
    assert [str(refused) for refused in refusals(outcomes)] in ([], [MENTORSHIP_CLOSED])
    m.refresh_from_db()
    assert m.state == MentorshipState.ENDED_EARLY
    assert set(Meeting.objects.values_list("status", flat=True)) == {MeetingStatus.CANCELLED}
    assert set(Meeting.objects.values_list("sequence", flat=True)) == {1}
    assert MeetingSeries.objects.get().cancelled_at is not None


@pytest.mark.django_db(transaction=True)
def test_ending_early_while_the_partner_cancels_one_meeting(postgres_only):
    """Cancelling the meeting writes an event, whose key-share lock on the mentorship waited
    for the end (it held the mentorship, then waited for the meeting) under ``FOR UPDATE``."""
    m = mentorship()
    meetings = [meeting(m, in_hours=48 + 24 * i) for i in range(3)]
    outcomes = race(
        lambda: services.mentorship_end_early(
            user=m.mentee, mentorship_id=m.pk, reason="Our goals moved apart."
        ),
        lambda: services.meeting_cancel(user=m.mentor, meeting_id=meetings[-1].pk),
    )
    assert unexpected(outcomes) == []
    assert Mentorship.objects.get(pk=m.pk).state == MentorshipState.ENDED_EARLY
    assert set(Meeting.objects.values_list("status", flat=True)) == {MeetingStatus.CANCELLED}


@pytest.mark.django_db(transaction=True)
def test_ending_early_while_the_partner_moves_a_meeting(postgres_only):
    """Moving a meeting locks the mentorship (its start is checked against the other
    meetings') before the meeting, as ending does: taken after the meeting's, the two
    deadlocked."""
    m = mentorship()
    meetings = [meeting(m, in_hours=48 + 24 * i) for i in range(3)]
    start = meetings[-1].starts_at + timedelta(hours=2)
    outcomes = race(
        lambda: services.mentorship_end_early(
            user=m.mentee, mentorship_id=m.pk, reason="Our goals moved apart."
        ),
        lambda: services.meeting_reschedule(
            user=m.mentor,
            meeting_id=meetings[-1].pk,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
        ),
    )
    assert unexpected(outcomes) == []
    assert [str(refused) for refused in refusals(outcomes)] in ([], [MENTORSHIP_CLOSED])
    assert Mentorship.objects.get(pk=m.pk).state == MentorshipState.ENDED_EARLY
    assert set(Meeting.objects.values_list("status", flat=True)) == {MeetingStatus.CANCELLED}


def lock_waiters() -> int:
    """How many connections to this database wait for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_health_workers_with_one_batch_in_opposite_orders(postgres_only):
    """A first assessment inserts each pair's row, and an insert waits for another worker's
    uncommitted row. A third transaction holds the middle row until both workers wait for it,
    so each has inserted its first row when they go on: inserted in opposite orders, each
    then waited for the other's."""
    program = ProgramFactory()
    pairs = [mentorship(program=program) for _ in range(3)]
    now = timezone.now()
    held = threading.Event()

    def hold_the_middle_row():
        with transaction.atomic():
            MentorshipHealth.objects.create(
                mentorship=pairs[1],
                program=program,
                state="",
                score=0,
                state_since=now,
                computed_at=now,
            )
            held.set()
            deadline = time.monotonic() + 10
            while lock_waiters() < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            transaction.set_rollback(True)

    def refresh(batch):
        held.wait(10)
        found = {p.pk: p for p in Mentorship.objects.select_related("program")}
        return health_refresh(mentorships=[found[p.pk] for p in batch], now=now)

    outcomes = race(
        hold_the_middle_row, lambda: refresh(pairs), lambda: refresh(pairs[::-1]), found=None
    )
    assert unexpected(outcomes) == []
    assert MentorshipHealth.objects.exclude(state="").count() == len(pairs)


@pytest.mark.django_db
def test_cancelling_a_cancelled_series_says_the_series_is_cancelled():
    """The race's loser, one after the other (any database): it names the series."""
    m = mentorship()
    meetings = series(m)
    services.meeting_series_cancel(user=m.mentor, meeting_id=meetings[0].pk)
    with pytest.raises(ApplicationError) as refused:
        services.meeting_series_cancel(user=m.mentee, meeting_id=meetings[-1].pk)
    assert (refused.value.status, str(refused.value)) == (
        409,
        meeting_services.SERIES_ALREADY_CANCELLED,
    )


@pytest.mark.django_db(transaction=True)
def test_a_mentee_sending_a_request_while_a_mentor_accepts_another(postgres_only):
    """The send holds the mentee's enrolment when the accept has locked the mentee's requests:
    the accept waits for the mentee's enrolment, then finds the new request and withdraws it
    with the others (it stayed pending beside the new mentorship before)."""
    mentee, (mentor, _), (accepted, other) = two_requests()
    third = member(accepted.program, Role.MENTOR)
    outcomes = race(
        lambda: services.request_accept(user=mentor, request_id=accepted.pk),
        lambda: services.request_create(
            sender=mentee, program_id=accepted.program_id, recipient_id=third.pk, message="Hi"
        ),
    )
    assert unexpected(outcomes) == []
    assert refusals(outcomes) == []
    sent = MentorshipRequest.objects.get(recipient=third)
    assert sent.state == RequestState.WITHDRAWN
    assert MentorshipRequest.objects.get(pk=other.pk).state == RequestState.WITHDRAWN
    assert Mentorship.objects.get().mentee == mentee
