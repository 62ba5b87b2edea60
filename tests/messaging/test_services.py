"""Sending, order, idempotency, read state, edit/delete windows, closed conversations, the rate
limit and reports, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, TooManyRequests
from tandem.mentorships.models import MentorshipState, RequestState
from tandem.messaging import selectors, services
from tandem.messaging.models import Conversation, Message, MessageReport
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import RequestFactory, member, mentorship, non_participants

pytestmark = pytest.mark.django_db


def send(user, conversation, body="Hello", client_id=None):
    client_id = client_id or f"c{Message.objects.count() + 1}"
    return services.message_send(
        user=user, conversation_id=conversation.pk, body=body, client_id=client_id
    )


@pytest.fixture
def pair():
    m = mentorship()
    return m, services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)


def test_one_conversation_per_mentorship_for_either_person(pair):
    m, conversation = pair
    again = services.conversation_for_mentorship(user=m.mentor, mentorship_id=m.pk)
    assert again.pk == conversation.pk
    assert (conversation.mentor_id, conversation.mentee_id) == (m.mentor_id, m.mentee_id)


@pytest.mark.parametrize("who", ["admin", "stranger", "same_program"])
def test_nobody_else_opens_reads_or_sends(pair, who):
    m, conversation = pair
    send(m.mentee, conversation)
    outsider = non_participants(m)[who]
    with pytest.raises(NotFound):
        services.conversation_for_mentorship(user=outsider, mentorship_id=m.pk)
    with pytest.raises(NotFound):
        selectors.access_conversation(user=outsider, conversation_id=conversation.pk)
    with pytest.raises(NotFound):
        send(outsider, conversation)
    with pytest.raises(NotFound):
        selectors.access_message(user=outsider, message_id=Message.objects.get().pk)


def test_the_same_client_id_stores_one_message(pair):
    m, conversation = pair
    first, created = send(m.mentee, conversation, "Hi", client_id="abc")
    again, created_again = send(m.mentee, conversation, "Hi (retry)", client_id="abc")
    assert created and not created_again
    assert again.pk == first.pk and again.body == "Hi"
    assert Message.objects.count() == 1
    # The other person may use the same id for their own message.
    theirs, created_theirs = send(m.mentor, conversation, "Hello back", client_id="abc")
    assert created_theirs and theirs.pk != first.pk


def test_messages_come_back_in_order_after_an_id(pair):
    m, conversation = pair
    ids = [send(m.mentee if n % 2 else m.mentor, conversation, f"n{n}")[0].pk for n in range(7)]
    assert ids == sorted(ids)
    after = selectors.messages_after(conversation=conversation, after_id=ids[2])
    assert [message.pk for message in after] == ids[3:]
    conversation.refresh_from_db()
    assert conversation.last_message_at == Message.objects.get(pk=ids[-1]).created_at


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("", "body"),
        ("   \n ", "body"),
        ("x" * 4001, "body"),
        ("a\x00b", "body"),
        ("a\ud800", "body"),
    ],
)
def test_bad_bodies_are_refused_by_field_and_nothing_is_written(pair, body, field):
    m, conversation = pair
    with pytest.raises(ApplicationError) as error:
        send(m.mentee, conversation, body)
    assert field in error.value.fields
    assert not Message.objects.exists()


@pytest.mark.parametrize("client_id", ["", "x" * 65, "has space", "<script>"])
def test_bad_client_ids_are_refused(pair, client_id):
    m, conversation = pair
    with pytest.raises(ApplicationError) as error:
        send(m.mentee, conversation, client_id=client_id or " ")
    assert "client_id" in error.value.fields


def test_a_4000_character_message_is_fine(pair):
    m, conversation = pair
    message, _ = send(m.mentee, conversation, "y" * 4000)
    assert len(message.body) == 4000


def test_the_twenty_first_message_in_ten_seconds_waits(pair):
    m, conversation = pair
    for n in range(20):
        send(m.mentee, conversation, f"n{n}")
    with pytest.raises(TooManyRequests) as error:
        send(m.mentee, conversation, "one too many")
    assert error.value.status == 429 and 1 <= error.value.retry_after <= 11
    assert Message.objects.count() == 20
    Message.objects.update(created_at=timezone.now() - timedelta(seconds=11))
    send(m.mentee, conversation, "later")  # the window has passed


def test_unread_counts_are_exact_and_reading_never_goes_back(pair):
    m, conversation = pair
    send(m.mentee, conversation, "mine do not count for me")
    ids = [send(m.mentor, conversation, f"n{n}")[0].pk for n in range(3)]
    assert selectors.unread_total_for(user=m.mentee) == 3
    listed = selectors.conversation_list_for(user=m.mentee).get()
    assert listed.unread == 3
    services.conversation_mark_read(
        user=m.mentee, conversation_id=conversation.pk, last_read_id=ids[1]
    )
    assert selectors.unread_total_for(user=m.mentee) == 1
    services.conversation_mark_read(user=m.mentee, conversation_id=conversation.pk, last_read_id=1)
    assert selectors.unread_total_for(user=m.mentee) == 1  # never backwards
    marker = services.conversation_mark_read(
        user=m.mentee, conversation_id=conversation.pk, last_read_id=10**12
    )
    assert marker == Message.objects.order_by("-pk").first().pk  # capped at the last message
    assert selectors.unread_total_for(user=m.mentee) == 0
    assert selectors.seen_by_other(conversation=conversation, user=m.mentor) == marker


def test_a_deleted_unread_message_no_longer_counts(pair):
    m, conversation = pair
    message, _ = send(m.mentor, conversation, "oops")
    services.message_delete(user=m.mentor, message_id=message.pk)
    assert selectors.unread_total_for(user=m.mentee) == 0


def test_edit_and_delete_own_message_within_the_window(pair):
    m, conversation = pair
    message, _ = send(m.mentee, conversation, "Helo")
    edited = services.message_edit(user=m.mentee, message_id=message.pk, body="Hello")
    assert edited.body == "Hello" and edited.edited_at is not None
    with pytest.raises(ApplicationError) as error:
        services.message_edit(user=m.mentor, message_id=message.pk, body="Mine now")
    assert error.value.status == 403
    deleted = services.message_delete(user=m.mentee, message_id=message.pk)
    assert deleted.body == "" and deleted.deleted_at is not None
    assert services.message_payload(deleted)["body"] == ""
    with pytest.raises(ApplicationError):
        services.message_edit(user=m.mentee, message_id=message.pk, body="back")


def test_saving_the_same_text_does_not_mark_the_message_edited(pair, monkeypatch):
    m, conversation = pair
    message, _ = send(m.mentee, conversation, "Hello\nsee you Tuesday")
    told = []
    monkeypatch.setattr(services, "_tell_both", lambda *args: told.append(args))
    # The edit form sent back untouched, as a browser sends a textarea: CRLF line ends.
    same = services.message_edit(
        user=m.mentee, message_id=message.pk, body="Hello\r\nsee you Tuesday \r\n"
    )
    message.refresh_from_db()
    assert same.edited_at is None and message.edited_at is None
    assert message.body == "Hello\nsee you Tuesday" and told == []
    assert services.message_payload(message)["edited"] is False


def test_no_edit_after_fifteen_minutes(pair):
    m, conversation = pair
    message, _ = send(m.mentee, conversation, "Hi")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    for change in (
        lambda: services.message_edit(user=m.mentee, message_id=message.pk, body="x"),
        lambda: services.message_delete(user=m.mentee, message_id=message.pk),
    ):
        with pytest.raises(ApplicationError) as error:
            change()
        assert error.value.status == 409
    assert Message.objects.get().body == "Hi"


def test_an_ended_mentorship_keeps_its_conversation_readable_and_closed(pair):
    m, conversation = pair
    message, _ = send(m.mentee, conversation, "Thanks for everything")
    m.state = MentorshipState.ENDED_EARLY
    m.save()
    with pytest.raises(ApplicationError) as error:
        send(m.mentor, conversation, "One more thing")
    assert error.value.status == 409
    thread = selectors.conversation_of_mentorship(user=m.mentor, mentorship_id=m.pk)
    assert thread.conversation.pk == conversation.pk and not thread.is_open
    assert [x.pk for x in selectors.messages_latest(conversation=conversation)] == [message.pk]
    # A retry of a message stored before the end still answers with that message.
    again, created = send(m.mentee, conversation, "Thanks", client_id=message.client_id)
    assert again.pk == message.pk and not created


def test_a_request_conversation_carries_on_in_its_mentorship():
    request = RequestFactory()
    conversation = services.conversation_for_request(user=request.recipient, request_id=request.pk)
    question, _ = send(request.recipient, conversation, "What do you hope to get from this?")
    m = mentorship(program=request.program, mentor=request.mentor, mentee=request.mentee)
    m.origin_request = request
    m.save()
    request.state = RequestState.ACCEPTED
    request.save()
    carried = services.conversation_for_mentorship(user=request.mentee, mentorship_id=m.pk)
    assert carried.pk == conversation.pk and carried.mentorship_id == m.pk
    assert Conversation.objects.count() == 1
    send(request.mentee, carried, "Now we can keep talking here")


def test_a_request_conversation_closes_when_the_request_is_answered():
    request = RequestFactory()
    conversation = services.conversation_for_request(user=request.sender, request_id=request.pk)
    send(request.sender, conversation, "Before you decide: I am in Berlin.")
    request.state = RequestState.DECLINED
    request.save()
    with pytest.raises(ApplicationError) as error:
        send(request.recipient, conversation, "Sorry")
    assert error.value.status == 409


def test_only_the_request_people_open_its_conversation():
    request = RequestFactory()
    stranger = member(request.program, Role.MENTOR)
    with pytest.raises(NotFound):
        services.conversation_for_request(user=stranger, request_id=request.pk)


def test_a_report_goes_to_the_admins_outside_the_pair_with_what_came_before(pair):
    m, conversation = pair
    admin = member(m.program, Role.ADMIN)
    for n in range(7):
        send(m.mentor, conversation, f"context {n}")
    rude, _ = send(m.mentor, conversation, "rude")
    report, created = services.message_report(user=m.mentee, message_id=rude.pk, reason="Unkind")
    assert [item["body"] for item in report.excerpt] == [f"context {n}" for n in range(2, 7)] + [
        "rude"
    ]
    notice = Notification.objects.get(recipient=admin)
    assert notice.kind == "message_reported" and "rude" not in notice.title + notice.body
    assert not Notification.objects.filter(recipient=m.mentor, kind="message_reported").exists()
    # Reporting again changes nothing; the reported text survives a later delete.
    assert created
    assert services.message_report(user=m.mentee, message_id=rude.pk) == (report, False)
    services.message_delete(user=m.mentor, message_id=rude.pk)
    assert MessageReport.objects.get().excerpt[-1]["body"] == "rude"
    assert selectors.access_message_report(user=admin, report_id=report.pk) == report
    for who in (m.mentor, m.mentee, member(m.program, Role.MENTOR)):
        with pytest.raises(NotFound):
            selectors.access_message_report(user=who, report_id=report.pk)


def test_a_report_with_nobody_to_read_it_is_refused_and_own_messages_cannot_be_reported(pair):
    m, conversation = pair
    theirs, _ = send(m.mentor, conversation, "hi")
    mine, _ = send(m.mentee, conversation, "hello")
    with pytest.raises(ApplicationError) as error:
        services.message_report(user=m.mentee, message_id=theirs.pk)
    assert error.value.status == 409
    member(m.program, Role.ADMIN)
    with pytest.raises(ApplicationError):
        services.message_report(user=m.mentee, message_id=mine.pk)
    assert not MessageReport.objects.exists()


def test_admins_see_counts_and_dates_never_text(pair):
    m, conversation = pair
    send(m.mentee, conversation, "private words")
    activity = selectors.conversation_activity(mentorship_id=m.pk)
    assert activity.messages == 1 and activity.last_message_at is not None
    assert "private words" not in repr(activity)


def test_answering_marks_what_came_before_read(pair):
    """Replying means one has seen the conversation, as in the chat apps people know."""
    m, conversation = pair
    send(m.mentor, conversation, "question")
    assert selectors.unread_total_for(user=m.mentee) == 1
    send(m.mentee, conversation, "answer")
    assert selectors.unread_total_for(user=m.mentee) == 0


def test_opening_the_request_conversation_after_the_mentorship_one_finds_the_same():
    """Review: opening the mentorship's conversation first, then the request's, was a 500."""
    request = RequestFactory()
    m = mentorship(program=request.program, mentor=request.mentor, mentee=request.mentee)
    m.origin_request = request
    m.save()
    request.state = RequestState.ACCEPTED
    request.save()
    first = services.conversation_for_mentorship(user=request.mentee, mentorship_id=m.pk)
    second = services.conversation_for_request(user=request.recipient, request_id=request.pk)
    assert first.pk == second.pk and Conversation.objects.count() == 1


def test_an_accepted_request_conversation_stays_open_in_its_mentorship():
    """Review: until someone opened the mentorship's page, the request's conversation said it
    was closed and its links led there."""
    request = RequestFactory()
    conversation = services.conversation_for_request(user=request.recipient, request_id=request.pk)
    send(request.recipient, conversation, "A question first")
    m = mentorship(program=request.program, mentor=request.mentor, mentee=request.mentee)
    m.origin_request = request
    m.save()
    request.state = RequestState.ACCEPTED
    request.save()
    conversation.refresh_from_db()
    assert selectors.conversation_is_open(conversation)
    assert services.conversation_url(conversation) == f"/messages/mentorship/{m.pk}/"
    send(request.mentee, conversation, "Answering after the accept")


def test_text_that_reorders_itself_is_refused(pair):
    m, conversation = pair
    with pytest.raises(ApplicationError) as error:
        send(m.mentor, conversation, "invoice\u202egnp.exe")
    assert "U+202E" in error.value.fields["body"]
    send(m.mentor, conversation, "שלום \u200f and hello")  # right-to-left text and marks are fine
