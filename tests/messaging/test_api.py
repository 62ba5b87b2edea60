"""The messages API: every operation for every role, idempotent sends, pages after an id, the
rate limit as a 429 with Retry-After, errors by field."""

from __future__ import annotations

import pytest

from tandem.mentorships.models import MentorshipState
from tandem.messaging import services
from tandem.messaging.models import Message
from tests.mentorships.factories import RequestFactory, mentorship, non_participants

pytestmark = pytest.mark.django_db


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


@pytest.fixture
def m():
    return mentorship()


def test_send_then_the_same_client_id_again(client, m):
    client.force_login(m.mentee)
    url = f"/api/mentorships/{m.pk}/messages"
    first = post(client, url, {"body": "Hello", "client_id": "k1"})
    assert first.status_code == 201
    again = post(client, url, {"body": "Hello", "client_id": "k1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1


def test_read_pages_after_an_id_oldest_first(client, m, settings):
    client.force_login(m.mentor)
    url = f"/api/mentorships/{m.pk}/messages"
    assert client.get(url).json()["conversation"] is None  # nothing yet, nothing created
    ids = [
        post(client, url, {"body": f"n{n}", "client_id": f"k{n}"}).json()["id"] for n in range(3)
    ]
    page = client.get(f"{url}?after={ids[0]}").json()
    assert [item["id"] for item in page["items"]] == ids[1:]
    assert page["next_after"] is None and page["open"] is True
    client.force_login(m.mentee)
    assert client.get(url).json()["read_up_to"] == 0


def test_mark_read_and_the_other_sees_it(client, m):
    client.force_login(m.mentor)
    sent = post(client, f"/api/mentorships/{m.pk}/messages", {"body": "hi", "client_id": "a"})
    conversation = sent.json()["conversation"]
    client.force_login(m.mentee)
    read = post(
        client, f"/api/conversations/{conversation}/read", {"last_read_id": sent.json()["id"]}
    )
    assert read.status_code == 200 and read.json()["read_up_to"] == sent.json()["id"]
    client.force_login(m.mentor)
    assert client.get(f"/api/mentorships/{m.pk}/messages").json()["seen_up_to"] == sent.json()["id"]


def test_edit_delete_and_report(client, m):
    from tandem.programs.models import Role
    from tests.mentorships.factories import member

    member(m.program, Role.ADMIN)
    client.force_login(m.mentor)
    sent = post(
        client, f"/api/mentorships/{m.pk}/messages", {"body": "hi", "client_id": "a"}
    ).json()
    edited = client.patch(
        f"/api/messages/{sent['id']}", {"body": "hello"}, content_type="application/json"
    )
    assert edited.status_code == 200 and edited.json()["edited"] is True
    client.force_login(m.mentee)
    assert (
        client.patch(
            f"/api/messages/{sent['id']}", {"body": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/messages/{sent['id']}").status_code == 403
    report = post(client, f"/api/messages/{sent['id']}/report", {"reason": "odd"})
    assert report.status_code == 201
    client.force_login(m.mentor)
    assert client.delete(f"/api/messages/{sent['id']}").status_code == 204
    assert client.get(f"/api/mentorships/{m.pk}/messages").json()["items"][0]["deleted"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "", "client_id": "a"}, "body"),
        ({"body": "x" * 4001, "client_id": "a"}, "body"),
        ({"body": "ok", "client_id": "bad id"}, "client_id"),
        ({"body": "ok"}, "client_id"),
    ],
)
def test_bad_input_names_the_field(client, m, payload, field):
    client.force_login(m.mentee)
    response = post(client, f"/api/mentorships/{m.pk}/messages", payload)
    assert response.status_code in (400, 422)
    assert field in response.json()["fields"]
    assert not Message.objects.exists()


def test_too_fast_is_a_429_with_retry_after(client, m):
    client.force_login(m.mentee)
    url = f"/api/mentorships/{m.pk}/messages"
    for n in range(20):
        assert post(client, url, {"body": "x", "client_id": f"k{n}"}).status_code == 201
    response = post(client, url, {"body": "x", "client_id": "k20"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 11
    assert "Wait" in response.json()["detail"]


def test_closed_after_the_end(client, m):
    m.state = MentorshipState.COMPLETED
    m.save()
    client.force_login(m.mentee)
    response = post(client, f"/api/mentorships/{m.pk}/messages", {"body": "x", "client_id": "k"})
    assert response.status_code == 409
    assert client.get(f"/api/mentorships/{m.pk}/messages").json()["open"] is False


@pytest.mark.parametrize("who", ["admin", "stranger", "same_program"])
def test_every_operation_is_a_404_for_others(client, m, who):
    message, _ = services.message_send(
        user=m.mentee,
        conversation_id=services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk).pk,
        body="private",
        client_id="p",
    )
    client.force_login(non_participants(m)[who])
    calls = [
        client.get(f"/api/mentorships/{m.pk}/messages"),
        post(client, f"/api/mentorships/{m.pk}/messages", {"body": "x", "client_id": "k"}),
        post(client, f"/api/conversations/{message.conversation_id}/read", {"last_read_id": 1}),
        client.patch(f"/api/messages/{message.pk}", {"body": "x"}, content_type="application/json"),
        client.delete(f"/api/messages/{message.pk}"),
        post(client, f"/api/messages/{message.pk}/report", {}),
    ]
    assert [response.status_code for response in calls] == [404] * len(calls)
    assert all("private" not in response.content.decode() for response in calls)
    assert Message.objects.count() == 1


def test_anonymous_gets_401(client, m):
    assert client.get(f"/api/mentorships/{m.pk}/messages").status_code == 401
    assert (
        post(
            client, f"/api/mentorships/{m.pk}/messages", {"body": "x", "client_id": "k"}
        ).status_code
        == 401
    )


def test_request_messages_for_its_two_people(client):
    request = RequestFactory()
    client.force_login(request.recipient)
    url = f"/api/requests/{request.pk}/messages"
    assert post(client, url, {"body": "A question first", "client_id": "q"}).status_code == 201
    client.force_login(request.sender)
    assert [item["body"] for item in client.get(url).json()["items"]] == ["A question first"]
    client.force_login(mentorship().mentor)
    assert client.get(url).status_code == 404


def test_an_over_long_body_names_the_body_field(client, m):
    """Review: the schema's own limit was reported under ``__all__``."""
    client.force_login(m.mentee)
    response = post(
        client, f"/api/mentorships/{m.pk}/messages", {"body": "x" * 8001, "client_id": "a"}
    )
    assert response.status_code == 422 and "body" in response.json()["fields"]
