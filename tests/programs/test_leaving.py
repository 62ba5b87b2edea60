"""Leaving a program by oneself (docs/programs.md, *Leaving a program*): the page asks first
(or says which mentorship to end first), the service closes open requests and frees the place,
the admins see "Left the program", and nobody can make someone else leave."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.mentorships.models import (
    Mentorship,
    MentorshipRequest,
    MentorshipState,
    RequestState,
)
from tandem.notify.models import Notification
from tandem.programs.models import Enrolment, EnrolmentStatus, Role
from tandem.programs.services.leaving import enrolment_leave
from tests.mentorships.factories import ProgramFactory, RequestFactory, call, member, mentorship
from tests.mentorships.test_lock_order import race, refusals, unexpected
from tests.programs.factories import EnrolmentFactory, InvitationFactory

pytestmark = pytest.mark.django_db


def _status(person, program, role=Role.MENTEE):
    return Enrolment.objects.get(program=program, person=person, role=role).status


def test_leaving_closes_open_requests_both_ways_and_tells_the_other_side():
    program = ProgramFactory()
    mentee, mentor, other_mentee = (
        member(program, Role.MENTEE),
        member(program, Role.MENTOR),
        member(program, Role.MENTEE),
    )
    EnrolmentFactory(program=program, person=mentee, role=Role.MENTOR)  # both roles
    sent = RequestFactory(program=program, sender=mentee, recipient=mentor)
    received = RequestFactory(program=program, sender=other_mentee, recipient=mentee, mentor=mentee)
    left = enrolment_leave(user=mentee, slug=program.slug)
    assert sorted(e.role for e in left) == [Role.MENTEE, Role.MENTOR]
    assert _status(mentee, program) == _status(mentee, program, Role.MENTOR) == "left"
    sent.refresh_from_db(), received.refresh_from_db()
    assert sent.state == RequestState.WITHDRAWN
    assert received.state == RequestState.DECLINED
    assert received.decline_reason == "They left the program."
    told = Notification.objects.filter(recipient__in=[mentor, other_mentee])
    assert {n.recipient_id for n in told} == {mentor.pk, other_mentee.pk}
    # Leaving again changes nothing and answers the same enrolments.
    assert {e.pk for e in enrolment_leave(user=mentee, slug=program.slug)} == {e.pk for e in left}
    assert Notification.objects.filter(recipient__in=[mentor, other_mentee]).count() == 2


def test_an_open_mentorship_must_be_ended_first():
    m = mentorship(state=MentorshipState.ACTIVE)
    with pytest.raises(ApplicationError) as refused:
        enrolment_leave(user=m.mentee, slug=m.program.slug)
    assert refused.value.status == 409
    assert m.mentor.display_name in refused.value.message
    assert _status(m.mentee, m.program) == EnrolmentStatus.ACTIVE
    m.state = MentorshipState.ENDED_EARLY
    m.save()
    enrolment_leave(user=m.mentee, slug=m.program.slug)
    assert _status(m.mentee, m.program) == EnrolmentStatus.LEFT


def test_a_freed_place_goes_to_the_first_on_the_waitlist():
    program = ProgramFactory(mentee_limit=1)
    leaver = member(program, Role.MENTEE)
    waiting = member(program, Role.MENTEE, status=EnrolmentStatus.WAITLISTED)
    Enrolment.objects.filter(person=waiting).update(waitlisted_at="2026-01-01T00:00:00Z")
    enrolment_leave(user=leaver, slug=program.slug)
    assert _status(waiting, program) != EnrolmentStatus.WAITLISTED


@pytest.mark.parametrize("status", [EnrolmentStatus.REMOVED, None])
def test_only_ones_own_enrolment_can_be_left(status):
    program = ProgramFactory()
    stranger = member(ProgramFactory())
    if status:
        EnrolmentFactory(program=program, person=stranger, status=status)
    member(program)
    with pytest.raises(NotFound):
        enrolment_leave(user=stranger, slug=program.slug)


def test_an_admin_enrolment_is_not_left_and_admins_cannot_make_others_leave(client):
    program = ProgramFactory()
    admin = member(program, Role.ADMIN)
    mentee = member(program)
    # The admin has nothing of their own to leave; no operation takes someone else's id.
    assert call(client, "post", f"/api/programs/{program.slug}/leave", admin).status_code == 404
    client.force_login(admin)
    assert client.get(reverse("program_leave", args=[program.slug])).status_code == 404
    assert _status(mentee, program) == EnrolmentStatus.ACTIVE
    assert _status(admin, program, Role.ADMIN) == EnrolmentStatus.ACTIVE


def test_the_api(client):
    m = mentorship(state=MentorshipState.ACTIVE)
    url = f"/api/programs/{m.program.slug}/leave"
    assert client.post(url).status_code == 401
    refused = call(client, "post", url, m.mentee)
    assert refused.status_code == 409
    assert "End your open mentorships" in refused.json()["detail"]
    m.state = MentorshipState.COMPLETED
    m.save()
    first = call(client, "post", url, m.mentee)
    assert first.status_code == 200
    assert first.json() == [
        {"id": first.json()[0]["id"], "role": "mentee", "status": "left"},
    ]
    assert call(client, "post", url, m.mentee).json() == first.json()
    assert call(client, "post", "/api/programs/no-such/leave", m.mentee).status_code == 404


def test_the_page_asks_first_then_leaves(client):
    program = ProgramFactory()
    mentee, mentor = member(program), member(program, Role.MENTOR)
    RequestFactory(program=program, sender=mentee, recipient=mentor)
    url = reverse("program_leave", args=[program.slug])
    assert client.get(url).status_code == 302  # log in first
    client.force_login(mentee)
    detail = client.get(reverse("program_detail", args=[program.slug]))
    assert url in detail.content.decode()
    asked = client.get(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Leave the program" in page and mentor.display_name in page
    assert client.post(url).status_code == 200  # no confirm: nothing happens
    assert _status(mentee, program) == EnrolmentStatus.ACTIVE
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302
    assert _status(mentee, program) == EnrolmentStatus.LEFT
    again = client.post(url, {"confirm": "yes"})  # a double click: no error
    assert again.status_code == 302
    standing = client.get(reverse("program_detail", args=[program.slug]))
    assert standing.status_code == 403
    assert "You left this program" in standing.content.decode()
    # The admin sees it.
    admin = member(program, Role.ADMIN)
    client.force_login(admin)
    people = client.get(reverse("program_participants", args=[program.slug]) + "?status=left")
    assert "Left the program" in people.content.decode()


def test_the_page_says_which_mentorship_to_end_first(client):
    m = mentorship(state=MentorshipState.PROPOSED)
    client.force_login(m.mentor)
    page = client.get(reverse("program_leave", args=[m.program.slug]))
    assert page.status_code == 200
    assert reverse("mentorship_end", args=[m.pk]) in page.content.decode()
    client.post(reverse("program_leave", args=[m.program.slug]), {"confirm": "yes"})
    assert _status(m.mentor, m.program, Role.MENTOR) == EnrolmentStatus.ACTIVE


def test_someone_who_left_comes_back_through_an_invitation_link():
    from tandem.programs.services.enrolments import enrolment_join_by_invitation

    program = ProgramFactory()
    mentee = member(program)
    enrolment_leave(user=mentee, slug=program.slug)
    link = InvitationFactory(program=program, role=Role.MENTEE, auto_approve=True)
    back = enrolment_join_by_invitation(user=mentee, token=link.token)
    assert back.status == EnrolmentStatus.ACTIVE
    assert Enrolment.objects.filter(program=program, person=mentee).count() == 1


def test_the_join_page_takes_back_someone_who_left(client):
    """Live review F3: the page said "already in this program (left the program)" and the
    link did nothing, though the service takes them back."""
    program = ProgramFactory()
    mentee = member(program)
    enrolment_leave(user=mentee, slug=program.slug)
    link = InvitationFactory(program=program, role=Role.MENTEE, auto_approve=True)
    client.force_login(mentee)
    url = reverse("program_join", args=[link.token])
    page = client.get(url).content.decode()
    assert "already in this program" not in page
    assert 'type="submit"' in page
    assert client.post(url).status_code == 302
    assert _status(mentee, program) == EnrolmentStatus.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_leave_once(postgres_only):
    program = ProgramFactory()
    mentee, mentor = member(program), member(program, Role.MENTOR)
    RequestFactory(program=program, sender=mentee, recipient=mentor)
    outcomes = race(*(lambda: enrolment_leave(user=mentee, slug=program.slug) for _ in range(2)))
    assert unexpected(outcomes) == [] and refusals(outcomes) == []
    assert _status(mentee, program) == EnrolmentStatus.LEFT
    assert Notification.objects.filter(recipient=mentor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_leaving_while_a_mentor_accepts_ones_request(postgres_only):
    """Requests, then enrolments, in both: they take turns. Either the accept wins (and
    leaving is refused: end the new mentorship first) or leaving does (the accept is told)."""
    from tandem.mentorships import services

    program = ProgramFactory()
    mentee, mentor = member(program), member(program, Role.MENTOR)
    request = RequestFactory(program=program, sender=mentee, recipient=mentor)
    outcomes = race(
        lambda: enrolment_leave(user=mentee, slug=program.slug),
        lambda: services.request_accept(user=mentor, request_id=request.pk),
    )
    assert unexpected(outcomes) == []
    assert len(refusals(outcomes)) == 1
    state = MentorshipRequest.objects.get(pk=request.pk).state
    assert (state == RequestState.ACCEPTED) == (_status(mentee, program) == "active")


def _send_while_leaving(*, sender, recipient, leaver, program) -> list[object]:
    """The send checks who it may go to, then waits (up to 2 s) just before writing the
    request until ``leaver`` has left: the interleaving that left a pending request to or from
    someone who had left when the send read the recipient's enrolment without a lock."""
    import threading

    from django.db import connection

    from tandem.mentorships import services

    ready, left = threading.Event(), threading.Event()

    def hold_the_write(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "mentorships_mentorshiprequest"'):
            ready.set()
            left.wait(timeout=2)
        return execute(sql, params, many, context)

    def send():
        with connection.execute_wrapper(hold_the_write):
            return services.request_create(
                sender=sender, program_id=program.pk, recipient_id=recipient.pk, message="Hi"
            )

    def leave():
        ready.wait(timeout=2)
        try:
            return enrolment_leave(user=leaver, slug=program.slug)
        finally:
            left.set()

    return race(send, leave, found=None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("program_type", "who_leaves"),
    [("classic", "recipient"), ("reverse", "recipient"), ("classic", "sender")],
)
def test_no_request_stays_pending_for_someone_who_left_while_it_was_sent(
    postgres_only, program_type, who_leaves
):
    """Leftovers review 1: a mentor leaving while a mentee sends them a request (or, in a
    reverse program, a mentee leaving while a mentor sends them one) kept a pending request
    to someone who had left. The send now locks both people's enrolments, as leaving does:
    leaving waits for the send and closes the request, or the send finds them gone."""
    program = ProgramFactory(program_type=program_type)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    sender, recipient = (mentor, mentee) if program_type == "reverse" else (mentee, mentor)
    leaver = recipient if who_leaves == "recipient" else sender
    outcomes = _send_while_leaving(
        sender=sender, recipient=recipient, leaver=leaver, program=program
    )
    assert unexpected(outcomes) == []
    assert Enrolment.objects.get(program=program, person=leaver).status == EnrolmentStatus.LEFT
    pending = MentorshipRequest.objects.filter(program=program, state=RequestState.PENDING)
    assert list(pending) == []


def test_a_request_of_a_mentee_who_left_cannot_be_accepted(client):
    """Leftovers review 1: the accept checked the mentor's enrolment only, so a pending request
    of a mentee no longer in the program (one the race above left, or one an admin's removal
    left) made a mentorship with someone who had left."""
    from tandem.mentorships import services
    from tandem.mentorships.services.requests import OTHER_NOT_ACTIVE

    program = ProgramFactory()
    mentee, mentor = member(program), member(program, Role.MENTOR)
    request = RequestFactory(program=program, sender=mentee, recipient=mentor)
    Enrolment.objects.filter(person=mentee).update(status=EnrolmentStatus.LEFT)
    with pytest.raises(ApplicationError) as refused:
        services.request_accept(user=mentor, request_id=request.pk)
    assert refused.value.status == 409
    assert str(refused.value) == OTHER_NOT_ACTIVE.format(name=mentee.display_name)
    api = call(client, "post", f"/api/mentorships/requests/{request.pk}/accept", mentor)
    assert api.status_code == 409
    assert mentee.display_name in api.json()["detail"]
    assert MentorshipRequest.objects.get(pk=request.pk).state == RequestState.PENDING
    assert not Mentorship.objects.filter(program=program).exists()
