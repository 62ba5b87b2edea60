"""One mentor at a time per mentee in a program (review: a mentee whose request was accepted
could send a new one a second later, and a mentor could accept it: two mentors). Match runs
already leave out mentees with an open mentorship (``ALREADY_MATCHED``); requests now hold
the same rule, on the page and in the API, and under the mentee's enrolment lock."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import Mentorship, MentorshipRequest, MentorshipState, RequestState
from tandem.mentorships.services import one_mentor as R
from tandem.programs.models import MatchingMode, ProgramType, Role
from tests.mentorships.factories import ProgramFactory, RequestFactory, member, mentorship
from tests.mentorships.test_lock_order import race, unexpected
from tests.programs.factories import enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(matching_mode=MatchingMode.SELF_SERVE, name="Speakers")


@pytest.fixture
def cast(program):
    """A mentee whose request to ``first`` was accepted, and a second mentor."""
    mentee = member(program, Role.MENTEE)
    first, second = member(program, Role.MENTOR), member(program, Role.MENTOR)
    request = RequestFactory(program=program, sender=mentee, recipient=first)
    services.request_accept(user=first, request_id=request.pk)
    return mentee, first, second


def _send(mentee, program, mentor):
    return services.request_create(
        sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message="Teach me"
    )


def test_a_mentee_with_a_mentor_cannot_send_another_request(program, cast):
    mentee, first, second = cast
    with pytest.raises(ApplicationError) as refused:
        _send(mentee, program, second)
    assert refused.value.status == 409
    assert refused.value.message == R.HAS_A_MENTOR.format(
        program="Speakers", mentor=first.display_name
    )
    assert not MentorshipRequest.objects.filter(recipient=second).exists()


def test_the_api_and_the_page_say_so(client, program, cast):
    mentee, first, second = cast
    client.force_login(mentee)
    body = {"program_id": program.pk, "recipient_id": second.pk, "message": "Teach me"}
    answer = client.post("/api/mentorships/requests", body, content_type="application/json")
    said = R.HAS_A_MENTOR.format(program="Speakers", mentor=first.display_name)
    assert (answer.status_code, answer.json()["detail"]) == (409, said)
    page = client.post(
        reverse("request_new"),
        {"program": program.pk, "recipient": second.pk, "message": "Teach me"},
    )
    assert page.status_code == 200
    assert said in html.unescape(page.content.decode())
    assert not MentorshipRequest.objects.filter(recipient=second).exists()


def test_another_open_request_cannot_be_accepted_while_the_mentee_has_a_mentor(client, program):
    mentee, second = member(program, Role.MENTEE), member(program, Role.MENTOR)
    waiting = RequestFactory(program=program, sender=mentee, recipient=second)
    mentorship(program=program, mentee=mentee)  # made meanwhile (a match run, say)
    said = R.MENTEE_HAS_A_MENTOR.format(mentee=mentee.display_name, program="Speakers")
    with pytest.raises(ApplicationError) as refused:
        services.request_accept(user=second, request_id=waiting.pk)
    assert (refused.value.status, refused.value.message) == (409, said)
    client.force_login(second)
    answer = client.post(f"/api/mentorships/requests/{waiting.pk}/accept")
    assert (answer.status_code, answer.json()["detail"]) == (409, said)
    page = client.post(reverse("request_accept", args=[waiting.pk]), follow=True)
    assert said in [str(m) for m in page.context["messages"]]
    assert Mentorship.objects.filter(mentee=mentee).count() == 1
    waiting.refresh_from_db()
    assert waiting.state == RequestState.PENDING


def test_once_the_mentorship_is_over_the_mentee_may_ask_again(program, cast):
    mentee, _, second = cast
    Mentorship.objects.filter(mentee=mentee).update(state=MentorshipState.COMPLETED)
    assert _send(mentee, program, second).state == RequestState.PENDING


def test_a_mentor_in_another_program_is_no_mentor_here(cast):
    mentee, _, _ = cast
    other = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    enrol(mentee, other, Role.MENTEE)
    assert _send(mentee, other, member(other, Role.MENTOR)).state == RequestState.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_send_and_an_accept_at_once_never_leave_two_mentors(postgres_only):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    mentee = member(program, Role.MENTEE)
    mentors = [member(program, Role.MENTOR) for _ in range(3)]
    first, second = (
        RequestFactory(program=program, sender=mentee, recipient=m) for m in mentors[:2]
    )
    outcomes = race(
        lambda: services.request_accept(user=mentors[0], request_id=first.pk),
        lambda: _send(mentee, program, mentors[2]),
        lambda: services.request_accept(user=mentors[1], request_id=second.pk),
        found=None,
    )
    assert unexpected(outcomes) == []
    assert Mentorship.objects.filter(mentee=mentee).count() == 1
    assert not MentorshipRequest.objects.filter(sender=mentee, state=RequestState.PENDING).exists()


def test_a_reverse_mentor_cannot_learn_whether_a_mentee_has_a_mentor(client):
    """Live privacy review: in a reverse program a mentor who sent a request to someone else's
    mentee got 409 "<mentee> already has a mentor", so any mentor could find out who has one
    (the pair's and the admins' to read). The send now answers the same either way; the
    mentee, whose own mentorship it is, is the one refused when accepting."""
    program = ProgramFactory(
        matching_mode=MatchingMode.SELF_SERVE, program_type=ProgramType.REVERSE, name="Juniors"
    )
    taken, free = member(program, Role.MENTEE), member(program, Role.MENTEE)
    current = mentorship(program=program, mentee=taken)
    asking = member(program, Role.MENTOR)
    client.force_login(asking)
    answers = [
        client.post(
            "/api/mentorships/requests",
            {"program_id": program.pk, "recipient_id": mentee.pk, "message": "Mentor me"},
            content_type="application/json",
        )
        for mentee in (taken, free)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert [a.json()["state"] for a in answers] == ["pending", "pending"]
    waiting = MentorshipRequest.objects.get(recipient=taken)
    with pytest.raises(ApplicationError) as refused:
        services.request_accept(user=taken, request_id=waiting.pk)
    assert refused.value.status == 409
    assert refused.value.message == R.HAS_A_MENTOR.format(
        program="Juniors", mentor=current.mentor.display_name
    )
    assert Mentorship.objects.filter(mentee=taken).count() == 1
