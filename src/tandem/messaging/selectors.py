"""Reads of conversations, for their two people only.

Who reads what (DESIGN.md): messages are the pair's; a program's admins never read a
conversation, only its counts and last activity (``conversation_activity``), and a reported
message with the few before it (``access_message_report``). "Missing" and "not yours" look
the same (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.mentorships.models import Mentorship, RequestState
from tandem.mentorships.selectors import (
    access_mentorship,
    access_request,
    mentorship_list_for,
)
from tandem.messaging.models import Conversation, Message, MessageReport, ReadMarker
from tandem.people.models import User
from tandem.people.selectors import is_signed_in
from tandem.programs.selectors import program_admin_enrolments

CONVERSATION_NOT_FOUND = "That conversation does not exist, or you are not part of it."
MESSAGE_NOT_FOUND = "That message does not exist, or it is not in your conversation."
REPORT_NOT_FOUND = "That report does not exist, or you do not handle it."
PAGE_LIMIT = 50  # messages in one read
REPORT_CONTEXT = 5  # messages before the reported one that its report keeps


def _of_person(user: User) -> Q:
    return Q(mentor=user) | Q(mentee=user)


def _conversations() -> QuerySet[Conversation]:
    return Conversation.objects.select_related(
        "program", "mentor", "mentee", "mentorship", "request"
    )


def access_conversation(
    *, user: User | AnonymousUser, conversation_id: int, for_update: bool = False
) -> Conversation:
    """The conversation if ``user`` is one of its two people. ``for_update`` locks it (inside
    ``transaction.atomic``): sends lock it so message ids commit in order."""
    if not is_signed_in(user):
        raise NotFound(CONVERSATION_NOT_FOUND)
    found = (
        lockable(_conversations(), for_update=for_update)
        .filter(_of_person(user), pk=conversation_id)
        .first()
    )
    if found is None:
        raise NotFound(CONVERSATION_NOT_FOUND)
    return found


def access_message(*, user: User | AnonymousUser, message_id: int) -> Message:
    if not is_signed_in(user):
        raise NotFound(MESSAGE_NOT_FOUND)
    found = (
        Message.objects.select_related("conversation", "sender")
        .filter(Q(conversation__mentor=user) | Q(conversation__mentee=user), pk=message_id)
        .first()
    )
    if found is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    return found


def mentorship_of(conversation: Conversation) -> Mentorship | None:
    """The mentorship the conversation belongs to, also when its request was accepted but
    nobody has opened the conversation since (it is linked on the next open)."""
    if conversation.mentorship is not None:
        return conversation.mentorship
    if conversation.request_id is None:
        return None
    return Mentorship.objects.filter(origin_request_id=conversation.request_id).first()


def conversation_is_open(conversation: Conversation) -> bool:
    """New messages are taken while the mentorship is open, or the request still pending."""
    mentorship = mentorship_of(conversation)
    if mentorship is not None:
        return mentorship.is_open
    return conversation.request is not None and conversation.request.state == RequestState.PENDING


def messages_after(*, conversation: Conversation, after_id: int = 0) -> list[Message]:
    """The next page of messages after ``after_id``, oldest first (a client catching up asks
    again from the last id it got until a page comes back short)."""
    return list(
        conversation.messages.select_related("sender")
        .filter(pk__gt=after_id)
        .order_by("pk")[:PAGE_LIMIT]
    )


def messages_latest(*, conversation: Conversation) -> list[Message]:
    """The last page of messages, oldest first: what a page shows when opened."""
    return messages_before(conversation=conversation, before_id=2**63 - 1)


def read_marker(*, conversation: Conversation, user: User) -> int:
    """The last message id ``user`` has read here (0: none)."""
    found = ReadMarker.objects.filter(conversation=conversation, person=user).first()
    return found.last_read_id if found else 0


def seen_by_other(*, conversation: Conversation, user: User) -> int:
    """The last of the messages here the other person has read ("seen" under mine)."""
    marker = ReadMarker.objects.filter(
        conversation=conversation, person_id=conversation.other_id(user.pk)
    ).first()
    return marker.last_read_id if marker else 0


def _unread_for(user: User) -> Coalesce:
    """Messages of the outer conversation from the other person after ``user``'s marker."""
    marker = ReadMarker.objects.filter(conversation=OuterRef("conversation"), person=user)
    return Coalesce(Subquery(marker.values("last_read_id")[:1]), Value(0))


def _unread_messages(user: User) -> QuerySet[Message]:
    return (
        Message.objects.exclude(sender=user)
        .filter(deleted_at__isnull=True)
        .annotate(marker=_unread_for(user))
        .filter(pk__gt=F("marker"))
    )


def conversation_list_for(*, user: User) -> QuerySet[Conversation]:
    """``user``'s conversations, latest activity first, each with ``unread`` (exact count)."""
    unread = (
        _unread_messages(user)
        .filter(conversation=OuterRef("pk"))
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _conversations()
        .filter(_of_person(user))
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
    )


def unread_total_for(*, user: User | AnonymousUser) -> int:
    """How many messages wait for ``user`` across conversations (the navigation's count)."""
    if not is_signed_in(user):
        return 0
    return (
        _unread_messages(user).filter(Q(conversation__mentor=user) | Q(conversation__mentee=user))
    ).count()


def mentorships_without_conversation(*, user: User) -> list[Mentorship]:
    """``user``'s open mentorships with no conversation yet (not begun on their request
    either): the Messages page offers to start one with each."""
    begun = Conversation.objects.filter(_of_person(user))
    return list(
        mentorship_list_for(user=user, open_only=True)
        .exclude(pk__in=begun.filter(mentorship__isnull=False).values("mentorship_id"))
        .exclude(origin_request_id__in=begun.filter(request__isnull=False).values("request_id"))[
            :20
        ]
    )


@dataclass(frozen=True)
class Activity:
    """What an admin (and relationship health) may know of a conversation: no content."""

    messages: int
    last_message_at: datetime | None


def conversation_activity(*, mentorship_id: int) -> Activity:
    found = Conversation.objects.filter(mentorship_id=mentorship_id).first()
    if found is None:
        return Activity(messages=0, last_message_at=None)
    return Activity(messages=found.messages.count(), last_message_at=found.last_message_at)


def report_excerpt(*, message: Message) -> list[Message]:
    """The reported message and the ``REPORT_CONTEXT`` before it, oldest first."""
    before = (
        message.conversation.messages.select_related("sender")
        .filter(pk__lt=message.pk)
        .order_by("-pk")[:REPORT_CONTEXT]
    )
    return [*reversed(before), message]


def report_readers(*, conversation: Conversation) -> list[User]:
    """The program's active admins outside the pair (as for a reported problem): a report
    goes to them, never to the other person."""
    admins = program_admin_enrolments(program_id=conversation.program_id).exclude(
        person_id__in=[conversation.mentor_id, conversation.mentee_id]
    )
    return list(User.objects.filter(pk__in=admins.values("person_id")).order_by("pk"))


def access_message_report(*, user: User | AnonymousUser, report_id: int) -> MessageReport:
    if not is_signed_in(user):
        raise NotFound(REPORT_NOT_FOUND)
    found = (
        MessageReport.objects.select_related(
            "message__conversation__program",
            "message__conversation__mentor",
            "message__conversation__mentee",
            "reporter",
        )
        .filter(pk=report_id)
        .first()
    )
    if found is None:
        raise NotFound(REPORT_NOT_FOUND)
    readers = report_readers(conversation=found.message.conversation)
    if user.pk not in {reader.pk for reader in readers}:
        raise NotFound(REPORT_NOT_FOUND)
    return found


def waiting_unread(
    *, before: datetime, within: timedelta = timedelta(days=7)
) -> set[tuple[int, int]]:
    """``(conversation id, person id)`` for each person with a message from the other, sent
    between ``within`` before ``before`` and ``before``, that they have not read, and who was not
    emailed already about messages still unread: the candidates for one unread-messages email."""
    recipient_marker = ReadMarker.objects.filter(conversation=OuterRef("conversation")).exclude(
        person=OuterRef("sender")
    )
    rows = (
        Message.objects.filter(
            created_at__lte=before, created_at__gt=before - within, deleted_at__isnull=True
        )
        .annotate(
            read_to=Coalesce(Subquery(recipient_marker.values("last_read_id")[:1]), Value(0)),
            emailed_to=Coalesce(
                Subquery(recipient_marker.values("emailed_up_to_id")[:1]), Value(0)
            ),
        )
        .filter(pk__gt=F("read_to"), emailed_to__lte=F("read_to"))
        .values_list(
            "conversation_id", "sender_id", "conversation__mentor_id", "conversation__mentee_id"
        )
        .distinct()
    )
    return {
        (conversation_id, mentee_id if sender_id == mentor_id else mentor_id)
        for conversation_id, sender_id, mentor_id, mentee_id in rows
    }


@dataclass(frozen=True)
class Thread:
    """What a reader of a mentorship's or request's messages needs: its conversation (None
    before the first message) and whether it takes new messages."""

    conversation: Conversation | None
    is_open: bool


def conversation_of_mentorship(*, user: User | AnonymousUser, mentorship_id: int) -> Thread:
    """For reading, by one of the mentorship's two people; 404 for anyone else, as for the
    mentorship itself. One that came from a request shows the conversation begun there."""
    mentorship = access_mentorship(user=user, mentorship_id=mentorship_id)
    found = _conversations().filter(mentorship=mentorship).first()
    if found is None and mentorship.origin_request_id is not None:
        found = _conversations().filter(request_id=mentorship.origin_request_id).first()
    return Thread(conversation=found, is_open=mentorship.is_open)


def linked_conversation(*, user: User | AnonymousUser, mentorship_id: int) -> Conversation | None:
    """The mentorship's conversation once it is linked to it, if ``user`` is one of its two
    people (the same two as the mentorship's); None otherwise, for the caller to find or make
    it through ``access_mentorship``. One query: the path every send takes."""
    if not is_signed_in(user):
        return None
    return _conversations().filter(_of_person(user), mentorship_id=mentorship_id).first()


def conversation_of_request(*, user: User | AnonymousUser, request_id: int) -> Thread:
    """For reading, by the request's two people; 404 for anyone else."""
    request = access_request(user=user, request_id=request_id)
    found = _conversations().filter(request=request).first()
    if found is not None:
        return Thread(conversation=found, is_open=conversation_is_open(found))
    return Thread(conversation=None, is_open=request.state == RequestState.PENDING)


def messages_before(*, conversation: Conversation, before_id: int) -> list[Message]:
    """The page of messages just before ``before_id``, oldest first (reading back)."""
    earlier = (
        conversation.messages.select_related("sender")
        .filter(pk__lt=before_id)
        .order_by("-pk")[:PAGE_LIMIT]
    )
    return list(reversed(earlier))
