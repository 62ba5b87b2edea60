"""The messages pages: plain form posts work without script, every page is the pair's only,
text is escaped and links are safe, and a stored message reaches both people's sockets."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.urls import reverse

from tandem.mentorships.models import MentorshipState
from tandem.messaging import services
from tandem.messaging.models import Message
from tandem.programs.models import Role
from tests.mentorships.factories import member, mentorship, non_participants
from tests.web.sockets import socket_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def m():
    return mentorship()


def page(m):
    return reverse("mentorship_messages", args=[m.pk])


def test_send_by_plain_form_post_and_a_double_submit_stores_one(client, m):
    client.force_login(m.mentee)
    form = {"body": "Hello from a form", "client_id": "form-1"}
    assert client.post(page(m), form).status_code == 302
    assert client.post(page(m), form).status_code == 302
    assert Message.objects.count() == 1
    client.force_login(m.mentor)
    shown = client.get(page(m))
    assert "Hello from a form" in shown.content.decode()
    assert f"Messages with {m.mentee.display_name}" in shown.content.decode()


def test_an_empty_message_is_a_form_error_and_nothing_is_stored(client, m):
    client.force_login(m.mentee)
    response = client.post(page(m), {"body": "", "client_id": "x"})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not Message.objects.exists()


def test_text_is_escaped_and_links_are_safe(client, m):
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    body = "<script>alert(1)</script> see https://example.org/a?b=1 and javascript:alert(2)"
    services.message_send(user=m.mentee, conversation_id=conversation.pk, body=body, client_id="s")
    client.force_login(m.mentor)
    html = client.get(page(m)).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://example.org/a?b=1"' in html
    assert 'href="javascript:' not in html


def test_opening_the_page_marks_read_and_the_nav_counts_unread(client, m):
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    for n in range(2):
        services.message_send(
            user=m.mentee, conversation_id=conversation.pk, body=f"n{n}", client_id=f"c{n}"
        )
    client.force_login(m.mentor)
    listing = client.get(reverse("conversation_list")).content.decode()
    assert "2 unread" in listing
    client.get(page(m))
    # No count of unread anywhere (the phone menu's hidden "0 new" badge is not one).
    assert not re.search(r"\d+ unread", client.get(reverse("conversation_list")).content.decode())


def test_closed_conversation_shows_no_form(client, m):
    m.state = MentorshipState.ENDED_EARLY
    m.save()
    client.force_login(m.mentee)
    html = client.get(page(m)).content.decode()
    assert "This conversation is closed" in html and 'id="message-form"' not in html


@pytest.mark.parametrize("who", ["admin", "stranger", "same_program"])
def test_every_page_is_a_404_for_others(client, m, who):
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    message, _ = services.message_send(
        user=m.mentee, conversation_id=conversation.pk, body="private", client_id="p"
    )
    client.force_login(non_participants(m)[who])
    urls = [
        page(m),
        reverse("conversation_detail", args=[conversation.pk]),
        reverse("conversation_earlier", args=[conversation.pk]) + f"?before={message.pk + 1}",
        reverse("message_edit", args=[message.pk]),
        reverse("message_delete", args=[message.pk]),
        reverse("message_report", args=[message.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "private" not in response.content.decode()
    assert client.post(page(m), {"body": "x", "client_id": "y"}).status_code == 404
    assert Message.objects.count() == 1


def test_anonymous_is_sent_to_log_in(client, m):
    response = client.get(page(m))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_delete_asks_first_then_deletes(client, m):
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    message, _ = services.message_send(
        user=m.mentee, conversation_id=conversation.pk, body="typo", client_id="t"
    )
    client.force_login(m.mentee)
    url = reverse("message_delete", args=[message.pk])
    assert "Delete this message?" in client.get(url).content.decode()
    assert client.post(url).status_code == 200  # not confirmed: asks again
    assert Message.objects.get().deleted_at is None
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert Message.objects.get().deleted_at is not None


def test_report_page_and_the_admins_view(client, m):
    admin = member(m.program, Role.ADMIN)
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    message, _ = services.message_send(
        user=m.mentor, conversation_id=conversation.pk, body="unkind words", client_id="u"
    )
    client.force_login(m.mentee)
    assert (
        client.post(reverse("message_report", args=[message.pk]), {"reason": ""}).status_code == 302
    )
    report = message.reports.get()
    detail = reverse("message_report_detail", args=[report.pk])
    assert client.get(detail).status_code == 404  # the reporter does not read the admin page
    client.force_login(admin)
    assert "unkind words" in client.get(detail).content.decode()


async def _both_hear(mentor, mentee, deliver):
    sockets = []
    for person in (mentor, mentee):
        socket = await sync_to_async(socket_for)(person)
        assert (await socket.connect(timeout=30))[0]
        sockets.append(socket)
    await deliver()
    heard = [await socket.receive_json_from(timeout=10) for socket in sockets]
    for socket in sockets:
        await socket.disconnect()
    return heard


# The consumer reads each socket's session as channels reads the database (closing stale
# connections first), which PostgreSQL refuses inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_a_stored_message_reaches_both_sockets(m, django_capture_on_commit_callbacks):
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)

    def send():
        with django_capture_on_commit_callbacks(execute=True):
            services.message_send(
                user=m.mentee, conversation_id=conversation.pk, body="live", client_id="l"
            )

    heard = async_to_sync(_both_hear)(
        m.mentor, m.mentee, sync_to_async(send, thread_sensitive=True)
    )
    assert [event["event"] for event in heard] == ["message", "message"]
    assert {event["message"]["body"] for event in heard} == {"live"}


def test_the_mentorship_page_links_its_conversation_for_the_pair_only(client, m):
    link = reverse("mentorship_messages", args=[m.pk])
    client.force_login(m.mentee)
    assert link in client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    client.force_login(non_participants(m)["admin"])
    overview = client.get(reverse("mentorship_detail", args=[m.pk]))
    assert overview.status_code == 200 and link not in overview.content.decode()


def test_the_navigation_counts_unread_messages(client, m):
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    services.message_send(user=m.mentee, conversation_id=conversation.pk, body="hi", client_id="n")
    client.force_login(m.mentor)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="nav-messages"' in html and "1 unread" in html


def test_the_request_page_offers_a_question_before_deciding(client):
    from tests.mentorships.factories import RequestFactory

    request = RequestFactory()
    link = reverse("request_messages", args=[request.pk])
    for person in (request.recipient, request.sender):
        client.force_login(person)
        page = client.get(reverse("request_detail", args=[request.pk])).content.decode()
        assert link in page


def test_edit_and_delete_pages_are_only_for_the_sender_in_time(client, m):
    from datetime import timedelta

    from django.utils import timezone

    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    message, _ = services.message_send(
        user=m.mentee, conversation_id=conversation.pk, body="mine", client_id="e"
    )
    client.force_login(m.mentor)
    for name in ("message_edit", "message_delete"):
        response = client.get(reverse(name, args=[message.pk]))
        assert (
            response.status_code == 403 and "Change your message" not in response.content.decode()
        )
    client.force_login(m.mentee)
    assert client.get(reverse("message_edit", args=[message.pk])).status_code == 200
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=20))
    assert client.get(reverse("message_edit", args=[message.pk])).status_code == 409


def test_an_accepted_request_page_goes_on_in_the_mentorship(client):
    from tandem.mentorships.models import RequestState
    from tests.mentorships.factories import RequestFactory

    request = RequestFactory()
    m = mentorship(program=request.program, mentor=request.mentor, mentee=request.mentee)
    m.origin_request = request
    m.save()
    request.state = RequestState.ACCEPTED
    request.save()
    client.force_login(request.sender)
    response = client.get(reverse("request_messages", args=[request.pk]))
    assert response.status_code == 302 and response["Location"] == page(m)


def test_the_messages_page_offers_to_start_with_each_open_mentorship(client, m):
    client.force_login(m.mentee)
    html = client.get(reverse("conversation_list")).content.decode()
    assert "Start a conversation" in html and page(m) in html
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    services.message_send(user=m.mentee, conversation_id=conversation.pk, body="hi", client_id="s")
    html = client.get(reverse("conversation_list")).content.decode()
    assert "Start a conversation" not in html and page(m) in html
