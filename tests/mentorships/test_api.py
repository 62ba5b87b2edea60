"""The HTTP API, through the real interface: every endpoint with its permission matrix."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from tandem.api import REPEATED_FIELD
from tandem.mentorships import services
from tandem.mentorships.models import (
    ActionItem,
    AgendaItem,
    Meeting,
    MentorshipRequest,
    MentorshipState,
    PrivateNote,
    RequestState,
)
from tandem.mentorships.models.mentorships import EndCategory
from tandem.programs.models import Role
from tandem.programs.selectors import PROGRAM_NOT_FOUND
from tests.mentorships.factories import (
    ProgramFactory,
    RequestFactory,
    action_item,
    at_midpoint,
    call,
    meeting,
    member,
    mentorship,
    non_participants,
    valid_content,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    m = at_midpoint(mentorship())  # the mid-point confirmation is due
    mt = meeting(m)
    item = action_item(m)
    goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Speak")
    services.private_note_save(user=m.mentee, meeting_id=mt.pk, body="secret")
    return {"m": m, "meeting": mt, "item": item, "goal": goal, **non_participants(m)}


def future(hours=30):
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


# (method, url template, body, admin may read, the participant's status)
def endpoints(w):
    m, mt, item, goal = w["m"], w["meeting"], w["item"], w["goal"]
    start = future()
    return [
        ("get", f"/api/mentorships/{m.pk}", None, True, 200),
        ("get", f"/api/mentorships/{m.pk}/agreement/versions", None, False, 200),
        ("get", f"/api/mentorships/{m.pk}/goals", None, False, 200),
        ("get", f"/api/mentorships/{m.pk}/meetings", None, False, 200),
        ("get", f"/api/mentorships/{m.pk}/action-items", None, False, 200),
        ("get", f"/api/mentorships/meetings/{mt.pk}", None, False, 200),
        ("get", f"/api/mentorships/meetings/{mt.pk}/agenda", None, False, 200),
        ("get", f"/api/mentorships/meetings/{mt.pk}/private-note", None, False, 200),
        ("get", f"/api/mentorships/meetings/{mt.pk}/ics", None, False, 200),
        ("get", f"/api/mentorships/{m.pk}/meetings/suggestions", None, False, 200),
        (
            "post",
            f"/api/mentorships/{m.pk}/agreement/versions",
            valid_content(m.program),
            False,
            201,
        ),
        ("post", f"/api/mentorships/{m.pk}/goals", {"title": "New goal"}, False, 201),
        (
            "post",
            f"/api/mentorships/goals/{goal.pk}/progress",
            {"state": "in_progress", "percent": 10},
            False,
            201,
        ),
        ("post", f"/api/mentorships/goals/{goal.pk}/milestones", {"title": "Step"}, False, 201),
        (
            "post",
            f"/api/mentorships/{m.pk}/meetings",
            {
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "format": "call",
            },
            False,
            201,
        ),
        ("post", f"/api/mentorships/meetings/{mt.pk}/agenda", {"text": "Topic"}, False, 201),
        ("put", f"/api/mentorships/meetings/{mt.pk}/notes", {"shared_notes": "n"}, False, 200),
        ("put", f"/api/mentorships/meetings/{mt.pk}/private-note", {"body": "mine"}, False, 200),
        (
            "post",
            f"/api/mentorships/meetings/{mt.pk}/reschedule",
            {"starts_at": future(50).isoformat(), "ends_at": future(51).isoformat()},
            False,
            200,
        ),
        (
            "post",
            f"/api/mentorships/{m.pk}/action-items",
            {"description": "Do it", "owner_id": m.mentor_id},
            False,
            201,
        ),
        ("post", f"/api/mentorships/action-items/{item.pk}/status", {"status": "done"}, False, 200),
        ("post", f"/api/mentorships/{m.pk}/midpoint/confirm", None, False, 200),
        ("post", f"/api/mentorships/meetings/{mt.pk}/cancel", None, False, 200),
        (
            "post",
            f"/api/mentorships/{m.pk}/end",
            {"reason": "Moving on", "category": "fit"},
            False,
            200,
        ),
    ]


def test_anonymous_gets_401_everywhere(client, world):
    for method, url, body, *_ in endpoints(world):
        assert call(client, method, url, body=body).status_code == 401, url


@pytest.mark.parametrize("who", ["stranger", "same_program"])
def test_non_participants_get_404_everywhere(client, world, who):
    for method, url, body, *_ in endpoints(world):
        response = call(client, method, url, world[who], body)
        assert response.status_code == 404, (url, response.content)


def test_admin_reads_the_overview_only(client, world):
    for method, url, body, admin_reads, _ in endpoints(world):
        response = call(client, method, url, world["admin"], body)
        assert response.status_code == (200 if admin_reads else 404), (url, response.content)


def test_participant_can_do_everything(client, world):
    for method, url, body, _, status in endpoints(world):
        response = call(client, method, url, world["m"].mentor, body)
        assert response.status_code == status, (url, response.content)


def test_private_note_is_the_authors_alone(client, world):
    url = f"/api/mentorships/meetings/{world['meeting'].pk}/private-note"
    assert call(client, "get", url, world["m"].mentee).json()["body"] == "secret"
    assert call(client, "get", url, world["m"].mentor).json()["body"] == ""


def test_end_reason_visible_to_admin_not_partner(client, world):
    m = world["m"]
    call(
        client,
        "post",
        f"/api/mentorships/{m.pk}/end",
        m.mentee,
        {"reason": "Too busy", "category": "schedule"},
    )
    assert call(client, "get", f"/api/mentorships/{m.pk}", m.mentor).json()["end_reason"] is None
    assert (
        call(client, "get", f"/api/mentorships/{m.pk}", m.mentee).json()["end_reason"] == "Too busy"
    )
    admin_view = call(client, "get", f"/api/mentorships/{m.pk}", world["admin"]).json()
    assert admin_view["end_reason"] == "Too busy" and admin_view["state"] == "ended_early"


def test_ics_download(client, world):
    response = call(
        client, "get", f"/api/mentorships/meetings/{world['meeting'].pk}/ics", world["m"].mentee
    )
    assert response["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(response.content).walk("VEVENT")


class TestRequests:
    def test_full_request_flow(self, client):
        program = ProgramFactory()
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        response = call(
            client,
            "post",
            "/api/mentorships/requests",
            mentee,
            {"program_id": program.pk, "recipient_id": mentor.pk, "message": "Help me lead"},
        )
        assert response.status_code == 201
        request_id = response.json()["id"]
        assert (
            call(
                client, "get", f"/api/mentorships/requests/{request_id}", member(program)
            ).status_code
            == 404
        )
        assert (
            call(
                client, "post", f"/api/mentorships/requests/{request_id}/accept", mentee
            ).status_code
            == 403
        )
        accepted = call(client, "post", f"/api/mentorships/requests/{request_id}/accept", mentor)
        assert accepted.status_code == 201 and accepted.json()["state"] == "proposed"
        again = call(client, "post", f"/api/mentorships/requests/{request_id}/accept", mentor)
        assert again.status_code == 409
        m_id = accepted.json()["id"]
        for user in (mentee, mentor):
            signed = call(
                client, "post", f"/api/mentorships/{m_id}/agreement/versions/1/sign", user, {}
            )
            assert signed.status_code == 200
        assert call(client, "get", f"/api/mentorships/{m_id}", mentee).json()["state"] == "active"

    def test_bad_input_is_field_error_and_writes_nothing(self, client):
        program = ProgramFactory()
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        response = call(
            client,
            "post",
            "/api/mentorships/requests",
            mentee,
            {"program_id": program.pk, "recipient_id": mentor.pk, "message": ""},
        )
        assert response.status_code == 400 and "message" in response.json()["fields"]
        assert not MentorshipRequest.objects.exists()

    def test_decline_and_withdraw_permissions(self, client):
        program = ProgramFactory()
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        r1 = RequestFactory(program=program, sender=mentee, recipient=mentor)
        assert (
            call(
                client, "post", f"/api/mentorships/requests/{r1.pk}/decline", mentee, {"reason": ""}
            ).status_code
            == 403
        )
        assert (
            call(client, "post", f"/api/mentorships/requests/{r1.pk}/withdraw", mentor).status_code
            == 403
        )
        assert (
            call(
                client,
                "post",
                f"/api/mentorships/requests/{r1.pk}/decline",
                mentor,
                {"reason": "Full"},
            ).json()["state"]
            == "declined"
        )
        assert (
            call(client, "post", f"/api/mentorships/requests/{r1.pk}/withdraw", mentee).status_code
            == 409
        )
        r1.refresh_from_db()
        assert r1.state == RequestState.DECLINED

    def test_list_paginated_with_bounded_queries(self, client, django_assert_max_num_queries):
        program = ProgramFactory()
        mentor = member(program, Role.MENTOR)
        for _ in range(25):
            RequestFactory(program=program, sender=member(program), recipient=mentor)
        client.force_login(mentor)
        with django_assert_max_num_queries(8):
            response = client.get("/api/mentorships/requests?box=received")
        body = response.json()
        assert body["count"] == 25 and len(body["items"]) == 20
        assert (
            call(client, "get", "/api/mentorships/requests?box=sent", mentor).json()["count"] == 0
        )
        assert client.get("/api/mentorships/requests").status_code == 200


def test_mentorship_list_is_mine_only(client, django_assert_max_num_queries):
    m = mentorship()
    mentorship()
    for _ in range(3):
        mentorship(mentor=m.mentor, program=m.program)
    client.force_login(m.mentor)
    with django_assert_max_num_queries(8):
        body = client.get("/api/mentorships/").json()
    assert body["count"] == 4


def test_invalid_transitions_via_api(client):
    m = mentorship()
    past = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    response = call(
        client,
        "post",
        f"/api/mentorships/{m.pk}/meetings",
        m.mentee,
        {
            "starts_at": past.isoformat(),
            "ends_at": (past + timedelta(hours=1)).isoformat(),
            "format": "call",
        },
    )
    assert response.status_code == 400 and "starts_at" in response.json()["fields"]
    start = future()
    response = call(
        client,
        "post",
        f"/api/mentorships/{m.pk}/meetings",
        m.mentee,
        {
            "starts_at": start.isoformat(),
            "ends_at": (start - timedelta(minutes=5)).isoformat(),
            "format": "call",
        },
    )
    assert response.status_code == 400 and "ends_at" in response.json()["fields"]
    assert not Meeting.objects.exists()
    services.agreement_propose(user=m.mentee, mentorship_id=m.pk, content=valid_content())
    response = call(
        client, "post", f"/api/mentorships/{m.pk}/agreement/versions/1/sign", m.mentee, {}
    )
    assert response.status_code == 409 and "version 2" in response.json()["detail"]
    response = call(
        client, "post", f"/api/mentorships/{m.pk}/complete", m.mentee, {"reflection": "ok"}
    )
    assert response.status_code == 409


def test_series_and_cancel_series(client):
    m = mentorship()
    start = future()
    created = call(
        client,
        "post",
        f"/api/mentorships/{m.pk}/meetings",
        m.mentee,
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "format": "video",
            "repeat": "biweekly",
            "count": 3,
        },
    ).json()
    assert created["series_id"] and created["video_url"].startswith("https://meet.example.org/")
    response = call(
        client, "post", f"/api/mentorships/meetings/{created['id']}/cancel-series", m.mentor
    )
    assert response.status_code == 200 and response.json()["cancelled_at"]
    assert (
        call(
            client,
            "post",
            f"/api/mentorships/meetings/{created['id']}/cancel-series",
            member(m.program, Role.ADMIN),
        ).status_code
        == 404
    )


def test_milestone_done_sent_again_changes_nothing(client, world):
    """``?done=true`` marks it done and ``?done=false`` not done, each as often as sent: the
    bare toggle sent three times at once (an API review) answered done, not done and done."""
    m = world["m"]
    ms = services.milestone_add(user=m.mentee, goal_id=world["goal"].pk, title="x")
    url = f"/api/mentorships/milestones/{ms.pk}/toggle"
    first = call(client, "post", f"{url}?done=true", m.mentor).json()["done_at"]
    assert first
    assert call(client, "post", f"{url}?done=true", m.mentee).json()["done_at"] == first
    ms.refresh_from_db()
    assert ms.done_at is not None
    for _ in range(2):
        assert call(client, "post", f"{url}?done=false", m.mentor).json()["done_at"] is None
    ms.refresh_from_db()
    assert ms.done_at is None
    assert call(client, "post", url, m.mentor).json()["done_at"]  # without it: the other state


def test_a_query_parameter_sent_twice_is_a_422_naming_it(client, world):
    """Live API fuzz: ninja kept the last of a repeated query parameter, so
    ``?done=true&done=false`` unticked the milestone without a word; a body's repeated key was
    already refused."""
    m = world["m"]
    ms = services.milestone_add(user=m.mentee, goal_id=world["goal"].pk, title="x")
    url = f"/api/mentorships/milestones/{ms.pk}/toggle"
    response = call(client, "post", f"{url}?done=true&done=false", m.mentor)
    assert response.status_code == 422
    assert response.json()["fields"] == {"query.done": REPEATED_FIELD}
    ms.refresh_from_db()
    assert ms.done_at is None
    response = call(client, "get", "/api/mentorships/?page=1&page=2&page_size=5", m.mentor)
    assert response.status_code == 422
    assert response.json()["fields"] == {"query.page": REPEATED_FIELD}
    # Once each is fine, and a parameter the operation does not take is not its business.
    response = call(client, "get", "/api/mentorships/?page=1&page_size=5&x=1&x=2", m.mentor)
    assert response.status_code == 200


def test_milestone_toggle_and_writes_on_closed(client, world):
    m = world["m"]
    ms = services.milestone_add(user=m.mentee, goal_id=world["goal"].pk, title="x")
    assert (
        call(
            client, "post", f"/api/mentorships/milestones/{ms.pk}/toggle", world["admin"]
        ).status_code
        == 404
    )
    assert call(client, "post", f"/api/mentorships/milestones/{ms.pk}/toggle", m.mentor).json()[
        "done_at"
    ]
    call(
        client,
        "post",
        f"/api/mentorships/{m.pk}/end",
        m.mentor,
        {"reason": "x", "category": "other"},
    )
    before = AgendaItem.objects.count()
    response = call(
        client,
        "post",
        f"/api/mentorships/meetings/{world['meeting'].pk}/agenda",
        m.mentor,
        {"text": "late"},
    )
    assert response.status_code == 409 and AgendaItem.objects.count() == before


def test_calendar_feed_endpoints(client):
    m = mentorship()
    first = call(client, "get", "/api/mentorships/calendar-feed", m.mentee).json()["url"]
    assert call(client, "get", "/api/mentorships/calendar-feed", m.mentee).json()["url"] == first
    second = call(client, "post", "/api/mentorships/calendar-feed/regenerate", m.mentee).json()
    assert second["url"] != first
    client.logout()
    assert client.get(first.replace("http://testserver", "")).status_code == 404
    feed = client.get(second["url"].replace("http://testserver", ""))
    assert feed.status_code == 200 and Calendar.from_ical(feed.content)
    assert call(client, "get", "/api/mentorships/calendar-feed").status_code == 401


def test_token_auth_works(client):
    import secrets

    from tandem.people.auth import hash_token
    from tandem.people.models import ApiToken

    m = mentorship(state=MentorshipState.ACTIVE)
    secret = secrets.token_urlsafe(24)
    ApiToken.objects.create(user=m.mentee, name="t", prefix=secret[:8], key_hash=hash_token(secret))
    response = client.post(
        f"/api/mentorships/{m.pk}/goals",
        data={"title": "via token"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201


def test_counts_after_all(world):
    assert ActionItem.objects.count() == 1 and PrivateNote.objects.count() == 1


def test_program_mentorships_api_admin_only(client, world):
    url = f"/api/mentorships/programs/{world['m'].program_id}"
    assert call(client, "get", url).status_code == 401
    for who in ("stranger", "same_program"):
        refused = call(client, "get", url, world[who])
        assert refused.status_code == 404
        assert refused.json()["detail"] == PROGRAM_NOT_FOUND  # a program, not a mentorship
    assert call(client, "get", url, world["m"].mentor).status_code == 404
    body = call(client, "get", url, world["admin"]).json()
    assert body["count"] == 1 and body["items"][0]["end_reason"] == ""
    m = world["m"]
    services.mentorship_end_early(
        user=m.mentee, mentorship_id=m.pk, reason="Family", category=EndCategory.CHANGE
    )
    seen = call(client, "get", url, world["admin"]).json()["items"][0]
    assert (seen["end_reason"], seen["end_category"]) == ("Family", "change")
    partner = call(client, "get", "/api/mentorships/", m.mentor).json()["items"][0]
    assert (partner["end_reason"], partner["end_category"]) == (None, None)
    assert (
        call(client, "get", "/api/mentorships/", m.mentee).json()["items"][0]["end_reason"]
        == "Family"
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [({"reason": "Busy"}, 422), ({"reason": "Busy", "category": "program"}, 400)],
)
def test_one_of_the_pair_ends_it_with_a_category_of_their_own(client, body, status):
    m = mentorship()
    response = call(client, "post", f"/api/mentorships/{m.pk}/end", m.mentee, body)
    assert response.status_code == status and "category" in json.dumps(response.json())
    m.refresh_from_db()
    assert m.state == MentorshipState.ACTIVE


def test_create_from_match_accepts_ids():
    program = ProgramFactory()
    mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
    created = services.mentorship_create_from_match(
        program=program, pairs=[(mentor.pk, mentee.pk)], match_run_ref=7
    )
    assert created[0].mentor == mentor and created[0].state == MentorshipState.PROPOSED
