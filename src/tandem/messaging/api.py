"""Messages over HTTP: read (oldest first, after an id), send (idempotent by the client's id),
mark read, edit, delete, report. The same rules as the pages; a conversation you are not part
of is a 404, the same as a missing one. The websocket only announces; this is the record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpResponse
from ninja import Field, Router, Schema

from tandem.core.api_types import (
    INT64_MAX,
    TEXT_DIGITS,
    WHOLE_NUMBER,
    AuthenticatedRequest,
    InputSchema,
    TextId,
    up_to,
)
from tandem.core.openapi import ErrorOut
from tandem.messaging import selectors, services
from tandem.messaging.models import (
    CLIENT_ID_LIMIT,
    MESSAGE_LIMIT,
    REPORT_REASON_LIMIT,
    Conversation,
    MessageReport,
)

# A text as long as the service takes once its surrounding blanks are cut (the schema's
# ``maxLength``); pydantic refuses one past twice that before the service reads it.
MessageBody = Annotated[str, up_to(MESSAGE_LIMIT)]

router = Router(tags=["messages"])

# A message id to read after: 0 for the beginning, at most a ``bigint``; as a query string
# carries it (text), and as a JSON body does (a number).
AfterId = Annotated[int, Field(ge=0, le=INT64_MAX), TEXT_DIGITS]
MessageId = Annotated[int, Field(ge=0, le=INT64_MAX), WHOLE_NUMBER]

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class MessageOut(Schema):
    id: int
    conversation: int
    sender: int
    client_id: str
    body: str = Field(description="Empty once deleted.")
    created_at: datetime
    edited: bool
    deleted: bool


class MessagePageOut(Schema):
    conversation: int | None = Field(description="None until the first message.")
    open: bool = Field(description="Whether new messages are taken.")
    items: list[MessageOut]
    next_after: int | None = Field(description="Ask again with after=this for more; None: done.")
    read_up_to: int = Field(description="The last id you have read.")
    seen_up_to: int = Field(description="The last of the ids the other person has read.")


class MessageIn(InputSchema):
    body: MessageBody = Field(max_length=MESSAGE_LIMIT * 2)
    client_id: str = Field(
        max_length=CLIENT_ID_LIMIT,
        description="Made by the client, one per message; sending it again returns the same "
        "message (200) instead of a second one (201).",
    )


class MessageEditIn(InputSchema):
    body: MessageBody = Field(max_length=MESSAGE_LIMIT * 2)


class ReadIn(InputSchema):
    last_read_id: MessageId


class ReadOut(Schema):
    read_up_to: int


class ReportIn(InputSchema):
    reason: Annotated[str, up_to(REPORT_REASON_LIMIT)] = Field(
        "", max_length=REPORT_REASON_LIMIT * 2
    )


class ReportOut(Schema):
    id: int
    created_at: datetime


def _page(request: AuthenticatedRequest, thread: selectors.Thread, *, after: int) -> dict[str, Any]:
    conversation = thread.conversation
    if conversation is None:
        return {
            "conversation": None,
            "open": thread.is_open,
            "items": [],
            "next_after": None,
            "read_up_to": 0,
            "seen_up_to": 0,
        }
    items = selectors.messages_after(conversation=conversation, after_id=after)
    full = len(items) == selectors.PAGE_LIMIT
    return {
        "conversation": conversation.pk,
        "open": thread.is_open,
        "items": [services.message_payload(message) for message in items],
        "next_after": items[-1].pk if full else None,
        "read_up_to": selectors.read_marker(conversation=conversation, user=request.auth),
        "seen_up_to": selectors.seen_by_other(conversation=conversation, user=request.auth),
    }


def _send(
    request: AuthenticatedRequest, conversation: Conversation, payload: MessageIn
) -> tuple[int, dict[str, Any]]:
    message, created = services.message_send(
        user=request.auth,
        conversation_id=conversation.pk,
        body=payload.body,
        client_id=payload.client_id,
    )
    return (201 if created else 200), services.message_payload(message)


@router.get(
    "/mentorships/{mentorship_id}/messages",
    response={200: MessagePageOut, **ERRORS},
    operation_id="tandem_messaging_api_list_mentorship_messages",
)
def list_mentorship_messages(
    request: AuthenticatedRequest, mentorship_id: TextId, after: AfterId = 0
) -> dict[str, Any]:
    """The mentorship's messages after ``after``, oldest first, a page at a time."""
    thread = selectors.conversation_of_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return _page(request, thread, after=after)


@router.post(
    "/mentorships/{mentorship_id}/messages",
    response={200: MessageOut, 201: MessageOut, **ERRORS},
    operation_id="tandem_messaging_api_send_mentorship_message",
)
def send_mentorship_message(
    request: AuthenticatedRequest, mentorship_id: TextId, payload: MessageIn
) -> tuple[int, dict[str, Any]]:
    conversation = services.conversation_for_mentorship(
        user=request.auth, mentorship_id=mentorship_id
    )
    return _send(request, conversation, payload)


@router.get(
    "/requests/{request_id}/messages",
    response={200: MessagePageOut, **ERRORS},
    operation_id="tandem_messaging_api_list_request_messages",
)
def list_request_messages(
    request: AuthenticatedRequest, request_id: TextId, after: AfterId = 0
) -> dict[str, Any]:
    """A request's messages (a mentor may ask before accepting), for its two people."""
    thread = selectors.conversation_of_request(user=request.auth, request_id=request_id)
    return _page(request, thread, after=after)


@router.post(
    "/requests/{request_id}/messages",
    response={200: MessageOut, 201: MessageOut, **ERRORS},
    operation_id="tandem_messaging_api_send_request_message",
)
def send_request_message(
    request: AuthenticatedRequest, request_id: TextId, payload: MessageIn
) -> tuple[int, dict[str, Any]]:
    conversation = services.conversation_for_request(user=request.auth, request_id=request_id)
    return _send(request, conversation, payload)


@router.post(
    "/conversations/{conversation_id}/read",
    response={200: ReadOut, **ERRORS},
    operation_id="tandem_messaging_api_mark_read",
)
def mark_read(
    request: AuthenticatedRequest, conversation_id: TextId, payload: ReadIn
) -> dict[str, Any]:
    """You have read up to ``last_read_id`` (never moves back; the other side sees it)."""
    marker = services.conversation_mark_read(
        user=request.auth, conversation_id=conversation_id, last_read_id=payload.last_read_id
    )
    return {"read_up_to": marker}


@router.patch(
    "/messages/{message_id}",
    response={200: MessageOut, **ERRORS},
    operation_id="tandem_messaging_api_edit_message",
)
def edit_message(
    request: AuthenticatedRequest, message_id: TextId, payload: MessageEditIn
) -> dict[str, Any]:
    """Your own message, within 15 minutes of sending; the other side sees "edited"."""
    message = services.message_edit(user=request.auth, message_id=message_id, body=payload.body)
    return services.message_payload(message)


@router.delete(
    "/messages/{message_id}",
    response={204: None, **ERRORS},
    operation_id="tandem_messaging_api_delete_message",
)
def delete_message(request: AuthenticatedRequest, message_id: TextId) -> HttpResponse:
    """Your own message, within 15 minutes of sending; the other side sees "deleted"."""
    services.message_delete(user=request.auth, message_id=message_id)
    return HttpResponse(status=204)


@router.post(
    "/messages/{message_id}/report",
    response={200: ReportOut, 201: ReportOut, **ERRORS},
    operation_id="tandem_messaging_api_report_message",
)
def report_message(
    request: AuthenticatedRequest, message_id: TextId, payload: ReportIn
) -> tuple[int, MessageReport]:
    """Report the other person's message to the program's admins outside your pair; they read
    it with the few messages before it. Reporting the same message again changes nothing: 200
    with the first report (201 when this call made it)."""
    report, created = services.message_report(
        user=request.auth, message_id=message_id, reason=payload.reason
    )
    return (201 if created else 200), report
