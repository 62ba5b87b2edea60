"""The mentorship page's Messages section (#11: "send and receive on the mentorship page"):
the pair read and write there, a send comes back to the mentorship page, and the program's
admins see only a count and a date, never a word."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.mentorships.services import mentorship_end_early
from tandem.messaging import services
from tandem.messaging.models import ReadMarker
from tests.mentorships.factories import mentorship, non_participants

pytestmark = pytest.mark.django_db


@pytest.fixture
def m():
    return mentorship()


def detail(m):
    return reverse("mentorship_detail", args=[m.pk])


def _say(m, body="Shall we move Thursday?"):
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
    services.message_send(
        user=m.mentee, conversation_id=conversation.pk, body=body, client_id="say-1"
    )
    return conversation


def test_the_pair_read_the_conversation_on_the_mentorship_page_and_it_counts_as_read(client, m):
    conversation = _say(m)
    client.force_login(m.mentor)
    html = client.get(detail(m)).content.decode()
    assert "Shall we move Thursday?" in html
    assert 'id="message-form"' in html and 'name="next"' in html
    marker = ReadMarker.objects.get(conversation=conversation, person=m.mentor)
    assert marker.last_read_id == conversation.messages.get().pk


def test_a_first_message_from_the_mentorship_page_comes_back_to_it(client, m):
    client.force_login(m.mentee)
    assert "No messages yet" in client.get(detail(m)).content.decode()
    response = client.post(
        reverse("mentorship_messages", args=[m.pk]),
        {"body": "Hello!", "client_id": "first-1", "next": detail(m)},
    )
    assert response.status_code == 302 and response["Location"] == detail(m) + "#latest"
    assert "Hello!" in client.get(detail(m)).content.decode()


def test_a_next_off_this_site_is_ignored(client, m):
    client.force_login(m.mentee)
    response = client.post(
        reverse("mentorship_messages", args=[m.pk]),
        {"body": "Hi", "client_id": "x-1", "next": "https://evil.example/"},
    )
    assert response["Location"].startswith(reverse("mentorship_messages", args=[m.pk]))


def test_admins_see_a_count_and_a_date_never_a_word(client, m):
    _say(m, "A private worry")
    client.force_login(non_participants(m)["admin"])
    html = client.get(detail(m)).content.decode()
    assert "1 message, the last on" in html
    assert "A private worry" not in html and 'id="message-form"' not in html


def test_an_ended_mentorship_shows_its_messages_without_a_form(client, m):
    _say(m, "Thanks for everything")
    mentorship_end_early(user=m.mentee, mentorship_id=m.pk, reason="Moving on")
    client.force_login(m.mentor)
    html = client.get(detail(m)).content.decode()
    assert "Thanks for everything" in html and 'id="message-form"' not in html
