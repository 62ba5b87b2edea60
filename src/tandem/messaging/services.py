"""Every write to a conversation: open it, send, edit, delete, mark read, report, and the
periodic email to people who have not read their messages.

Exactly once, in order: a message is stored (under a lock on its conversation, so ids commit
in the order they were given) before anyone is told of it; the client's own id makes a retry
return the stored message instead of a second one; a client that reconnects asks for what
came after the last id it has (``selectors.messages_after``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, TooManyRequests
from tandem.core.locking import lockable
from tandem.core.text import character_code, unwanted_character
from tandem.mentorships.models import Mentorship, MentorshipRequest
from tandem.mentorships.selectors import access_mentorship, access_request
from tandem.messaging import selectors
from tandem.messaging.models import (
    CLIENT_ID_LIMIT,
    MESSAGE_LIMIT,
    REPORT_REASON_LIMIT,
    Conversation,
    Message,
    MessageReport,
    ReadMarker,
)
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send_each, push_live, push_live_each
from tandem.people.models import User

EDIT_WINDOW = timedelta(minutes=15)
RATE_LIMIT = 20  # messages one person may send ...
RATE_WINDOW = timedelta(seconds=10)  # ... in this long

BODY_REQUIRED = "Write a message first."
BODY_TOO_LONG = f"Keep a message under {MESSAGE_LIMIT:,} characters; split a longer one."
BODY_UNWANTED = "The message holds a character that cannot be stored ({code}); remove it."
CLIENT_ID_INVALID = (
    f"client_id: 1 to {CLIENT_ID_LIMIT} letters, digits, '-' or '_' (make one per message)."
)
CLOSED = "This conversation is closed: {why}. You can still read it."
RATE_LIMITED = "You sent {limit} messages in {seconds} seconds. Wait {retry} s and send again."
EDIT_TOO_LATE = "Messages can be changed for 15 minutes after sending; this one no longer."
NOT_YOURS = "You can change only your own messages."
ALREADY_DELETED = "This message was deleted."
REPORT_NO_READER = (
    "This program has no admin outside your pair to read a report. Contact your organisation "
    "directly."
)
REPORT_OWN = "You cannot report your own message."
REPORT_REASON_TOO_LONG = f"Keep the reason under {REPORT_REASON_LIMIT:,} characters."

# Characters that reorder the text around them: they can make "gnp.exe" read as "exe.png".
# Right-to-left writing needs none of them (the marks U+200E and U+200F stay allowed).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _bidi_control(text: str) -> str | None:
    found = _BIDI_CONTROLS.search(text)
    return found.group() if found else None


_CLIENT_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{CLIENT_ID_LIMIT}}}")


def conversation_url(conversation: Conversation) -> str:
    """The conversation's page: under its mentorship once there is one, else its request."""
    mentorship = selectors.mentorship_of(conversation)
    if mentorship is not None:
        return reverse("mentorship_messages", args=[mentorship.pk])
    return reverse("request_messages", args=[conversation.request_id])


def _pair_of(subject: Mentorship | MentorshipRequest | None) -> dict[str, int]:
    assert subject is not None, "a conversation is about a request or a mentorship"
    return {
        "program_id": subject.program_id,
        "mentor_id": subject.mentor_id,
        "mentee_id": subject.mentee_id,
    }


def _conversation_of(
    request: MentorshipRequest | None, mentorship: Mentorship | None
) -> Conversation:
    """The one conversation of a request and the mentorship it became (either may be None),
    made on first use. Callers lock the request row when there is one, else the mentorship's:
    the same row first on both paths, so two first opens cannot deadlock or make two."""
    subject = Q(pk__in=[])
    if request is not None:
        subject |= Q(request=request)
    if mentorship is not None:
        subject |= Q(mentorship=mentorship)
    found = Conversation.objects.filter(subject).first()
    if found is None:
        try:
            with transaction.atomic():
                pair = _pair_of(mentorship if mentorship is not None else request)
                return Conversation.objects.create(request=request, mentorship=mentorship, **pair)
        except IntegrityError:  # made meanwhile by a path that locked another row
            found = Conversation.objects.get(subject)
    if mentorship is not None and found.mentorship_id is None:
        found.mentorship = mentorship
        found.save(update_fields=["mentorship"])
    return found


def conversation_for_mentorship(*, user: User, mentorship_id: int) -> Conversation:
    """The mentorship's conversation for one of its two people, made on first use; one that
    came from a request carries on the conversation begun on that request."""
    linked = selectors.linked_conversation(user=user, mentorship_id=mentorship_id)
    if linked is not None:  # the common case: one read, no lock
        return linked
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id)
        request = None
        if mentorship.origin_request_id is not None:
            request = lockable(MentorshipRequest.objects.all(), for_update=True).get(
                pk=mentorship.origin_request_id
            )
        else:
            lockable(Mentorship.objects.filter(pk=mentorship.pk), for_update=True).first()
        return _conversation_of(request, mentorship)


def conversation_for_request(*, user: User, request_id: int) -> Conversation:
    """A request's conversation (a mentor may ask before accepting), for its two people; once
    accepted, the conversation of the mentorship it became."""
    with transaction.atomic():
        request = access_request(user=user, request_id=request_id, for_update=True)
        mentorship = Mentorship.objects.filter(origin_request=request).first()
        return _conversation_of(request, mentorship)


def _closed_reason(conversation: Conversation) -> str | None:
    if selectors.conversation_is_open(conversation):
        return None
    if selectors.mentorship_of(conversation) is not None:
        return "the mentorship has ended"
    return "the request was answered, withdrawn or expired"


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ApplicationError(BODY_REQUIRED, fields={"body": BODY_REQUIRED})
    if len(body) > MESSAGE_LIMIT:
        raise ApplicationError(BODY_TOO_LONG, fields={"body": BODY_TOO_LONG})
    unwanted = unwanted_character(body) or _bidi_control(body)
    if unwanted is not None:
        message = BODY_UNWANTED.format(code=character_code(unwanted))
        raise ApplicationError(message, fields={"body": message})
    return body


def _check_rate(user: User, now: datetime) -> None:
    recent = Message.objects.filter(sender=user, created_at__gt=now - RATE_WINDOW)
    times = list(recent.order_by("-created_at").values_list("created_at", flat=True)[:RATE_LIMIT])
    if len(times) < RATE_LIMIT:
        return
    retry = max(1, int((times[-1] + RATE_WINDOW - now).total_seconds()) + 1)
    seconds = int(RATE_WINDOW.total_seconds())
    raise TooManyRequests(
        RATE_LIMITED.format(limit=RATE_LIMIT, seconds=seconds, retry=retry), retry_after=retry
    )


def message_payload(message: Message) -> dict:
    """A message as the API and the websocket carry it (a deleted one without its text)."""
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "sender": message.sender_id,
        "client_id": message.client_id,
        "body": "" if message.deleted_at else message.body,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": message.deleted_at is not None,
    }


def _tell_both(
    conversation: Conversation, event: str, message: Message, **extra: int | None
) -> None:
    """After commit, the message to both people's open pages (the sender's other tabs too),
    in one push."""
    payload = {"event": event, "message": message_payload(message), **extra}
    people = (conversation.mentor_id, conversation.mentee_id)
    transaction.on_commit(lambda: push_live_each(user_ids=people, payload=payload))


def message_send(
    *, user: User, conversation_id: int, body: str, client_id: str
) -> tuple[Message, bool]:
    """Store a message from one of the two people and tell both; ``(message, created)``.

    The same ``client_id`` again (a retry after a lost answer) returns the stored message with
    ``created`` False, whatever body came with it.
    """
    client_id = (client_id or "").strip()
    if not _CLIENT_ID.fullmatch(client_id):
        raise ApplicationError(CLIENT_ID_INVALID, fields={"client_id": CLIENT_ID_INVALID})
    with transaction.atomic():
        conversation = selectors.access_conversation(
            user=user, conversation_id=conversation_id, for_update=True
        )
        stored = conversation.messages.filter(sender=user, client_id=client_id).first()
        if stored is not None:
            return stored, False
        why = _closed_reason(conversation)
        if why is not None:
            raise ApplicationError(CLOSED.format(why=why), status=409)
        body = _clean_body(body)
        now = timezone.now()
        _check_rate(user, now)
        # No savepoint: a retry with the same client id waits for this lock, then finds the
        # stored message above (the unique constraint stays as the last guard).
        message = Message.objects.create(
            conversation=conversation, sender=user, client_id=client_id, body=body
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=message.created_at, last_message_id=message.pk
        )
        _mark_read_to_newest(conversation, user, message.pk)
        # ``previous``: the message before this one (read under the lock), so a page that has
        # not got it knows it missed an event and fetches what came after its last id.
        _tell_both(
            conversation,
            "message",
            message,
            previous=conversation.last_message_id,
            mentorship=conversation.mentorship_id,
        )
    return message, True


def access_own_recent_message(*, user: User, message_id: int) -> Message:
    """A message its sender may still change: their own, not deleted, within ``EDIT_WINDOW``,
    in an open conversation (the edit and delete pages check this before showing a form)."""
    message = selectors.access_message(user=user, message_id=message_id)
    if message.sender_id != user.pk:
        raise ApplicationError(NOT_YOURS, status=403)
    if message.deleted_at is not None:
        raise ApplicationError(ALREADY_DELETED, status=409)
    if timezone.now() - message.created_at > EDIT_WINDOW:
        raise ApplicationError(EDIT_TOO_LATE, status=409)
    why = _closed_reason(message.conversation)
    if why is not None:
        raise ApplicationError(CLOSED.format(why=why), status=409)
    return message


def message_edit(*, user: User, message_id: int, body: str) -> Message:
    """The sender changes their message within ``EDIT_WINDOW``; the other sees "edited". Saving
    the same text (the edit form sent back untouched; a browser sends line ends as CRLF) changes
    nothing and tells no one: the message is not marked "edited" (live smoke crawl)."""
    with transaction.atomic():
        message = access_own_recent_message(user=user, message_id=message_id)
        body = _clean_body(body)
        if body.replace("\r\n", "\n") == message.body.replace("\r\n", "\n"):
            return message
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        _tell_both(message.conversation, "message_changed", message)
    return message


def message_delete(*, user: User, message_id: int) -> Message:
    """The sender deletes their message within ``EDIT_WINDOW``: its text is gone for good,
    the other sees "deleted" in its place (a report made before keeps its copy)."""
    with transaction.atomic():
        message = access_own_recent_message(user=user, message_id=message_id)
        message.body = ""
        message.deleted_at = timezone.now()
        message.save(update_fields=["body", "deleted_at"])
        _tell_both(message.conversation, "message_changed", message)
    return message


def _mark_read(conversation: Conversation, user: User, last_id: int) -> bool:
    """Move ``user``'s marker forward to ``last_id``; True if it moved."""
    marker, _ = ReadMarker.objects.get_or_create(conversation=conversation, person=user)
    if last_id <= marker.last_read_id:
        return False
    marker.last_read_id = last_id
    marker.read_at = timezone.now()
    marker.save(update_fields=["last_read_id", "read_at"])
    return True


def _mark_read_to_newest(conversation: Conversation, user: User, newest_id: int) -> None:
    """Move ``user``'s marker to ``newest_id``, the conversation's newest message (the caller
    holds the conversation's lock, so no marker is past it): one upsert."""
    ReadMarker.objects.bulk_create(
        [
            ReadMarker(
                conversation=conversation,
                person=user,
                last_read_id=newest_id,
                read_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["conversation", "person"],
        update_fields=["last_read_id", "read_at"],
    )


def conversation_mark_read(*, user: User, conversation_id: int, last_read_id: int) -> int:
    """``user`` has read up to ``last_read_id`` (never backwards; capped at the last message
    there is); the other side's pages learn it ("seen"). Returns the marker."""
    with transaction.atomic():
        conversation = selectors.access_conversation(user=user, conversation_id=conversation_id)
        newest = conversation.messages.aggregate(newest=Max("pk"))["newest"] or 0
        moved = _mark_read(conversation, user, min(max(0, last_read_id), newest))
        marker = selectors.read_marker(conversation=conversation, user=user)
        if moved:
            other = conversation.other_id(user.pk)
            payload = {"event": "seen", "conversation": conversation.pk, "up_to": marker}
            transaction.on_commit(lambda: push_live(user_id=other, payload=payload))
    return marker


def message_reports_erase_for_closed_account(*, user: User) -> None:
    """A report's excerpt keeps each sender's name as it was when reported, so the lines of a
    deleted account there read "A former member" (their ``display_name`` now), as the pages
    name them everywhere else (docs/people.md, *Deleting your account*). The lines are found
    by their message's sender, never by the name (two people may share one)."""
    reports = MessageReport.objects.filter(message__conversation__messages__sender=user)
    for report in reports.distinct().order_by("pk"):
        listed = [item["id"] for item in report.excerpt]
        theirs = set(
            Message.objects.filter(pk__in=listed, sender=user).values_list("pk", flat=True)
        )
        for item in report.excerpt:
            if item["id"] in theirs:
                item["sender"] = user.display_name
        report.save(update_fields=["excerpt"])


def message_report(*, user: User, message_id: int, reason: str = "") -> tuple[MessageReport, bool]:
    """A participant reports the other's message to the program's admins outside the pair,
    with the few messages before it as they are now; ``(report, created)``. Reporting again
    changes nothing and returns the first report with ``created`` False, as a resent message
    does."""
    reason = (reason or "").strip()
    if len(reason) > REPORT_REASON_LIMIT:
        raise ApplicationError(REPORT_REASON_TOO_LONG, fields={"reason": REPORT_REASON_TOO_LONG})
    with transaction.atomic():
        message = selectors.access_message(user=user, message_id=message_id)
        if message.sender_id == user.pk:
            raise ApplicationError(REPORT_OWN, status=409)
        conversation = message.conversation
        readers = selectors.report_readers(conversation=conversation)
        if not readers:
            raise ApplicationError(REPORT_NO_READER, status=409)
        found = MessageReport.objects.filter(message=message, reporter=user).first()
        if found is not None:
            return found, False
        excerpt = [
            {
                "id": item.pk,
                "sender": item.sender.display_name,
                "at": item.created_at.isoformat(),
                "body": item.body,
                "deleted": item.deleted_at is not None,
            }
            for item in selectors.report_excerpt(message=message)
        ]
        try:
            # Two reports at once both read "none yet"; the constraint lets one in and the
            # other answers as the repeat it is (the savepoint keeps this transaction usable).
            with transaction.atomic():
                report = MessageReport.objects.create(
                    message=message, reporter=user, reason=reason, excerpt=excerpt
                )
        except IntegrityError:
            found = MessageReport.objects.filter(message=message, reporter=user).first()
            if found is None:
                raise
            return found, False
        notify_send_each(
            recipients=readers,
            kind=Kind.MESSAGE_REPORTED,
            title=f"{user.display_name} reported a message in {conversation.program.name}",
            body="Read the message and the few before it on the report's page.",
            url=reverse("message_report_detail", args=[report.pk]),
        )
    return report, True
