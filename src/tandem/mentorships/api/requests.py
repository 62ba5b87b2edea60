"""Requests: send, list, read, accept, decline, withdraw."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import ApiId, AuthenticatedRequest, InputSchema, TextId, up_to
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import selectors, services
from tandem.mentorships.api.common import ERRORS, MentorshipOut, PersonOut
from tandem.mentorships.services.requests import DECLINE_REASON_LIMIT, MESSAGE_LIMIT

router = Router()


class RequestIn(InputSchema):
    program_id: ApiId
    recipient_id: ApiId
    message: Annotated[str, up_to(MESSAGE_LIMIT)] = Field(
        description="A few sentences about your goals."
    )


class RequestOut(Schema):
    id: int
    program_id: int
    sender: PersonOut
    recipient: PersonOut
    mentor_id: int
    mentee_id: int
    message: str
    state: str = Field(description="pending | accepted | declined | withdrawn | expired")
    decline_reason: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None


class DeclineIn(InputSchema):
    reason: Annotated[str, up_to(DECLINE_REASON_LIMIT)] = ""


@router.post(
    "/requests",
    response={201: RequestOut, **ERRORS},
    operation_id="tandem_mentorships_api_create_request",
)
def create_request(request: AuthenticatedRequest, payload: RequestIn):
    return 201, services.request_create(sender=request.auth, **payload.dict())


@router.get(
    "/requests", response=list[RequestOut], operation_id="tandem_mentorships_api_list_requests"
)
@paginate(PageNumberPagination, page_size=20)
def list_requests(
    request: AuthenticatedRequest,
    box: Literal["received", "sent"] = "received",
    pending: bool = False,
):
    if box == "sent":
        return selectors.request_list_sent(user=request.auth, pending_only=pending)
    return selectors.request_list_received(user=request.auth, pending_only=pending)


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, **ERRORS},
    operation_id="tandem_mentorships_api_get_request",
)
def get_request(request: AuthenticatedRequest, request_id: TextId):
    return selectors.access_request(user=request.auth, request_id=request_id)


@router.post(
    "/requests/{request_id}/accept",
    response={201: MentorshipOut, **ERRORS},
    operation_id="tandem_mentorships_api_accept_request",
)
def accept_request(request: AuthenticatedRequest, request_id: TextId):
    return 201, services.request_accept(user=request.auth, request_id=request_id)


@router.post(
    "/requests/{request_id}/decline",
    response={200: RequestOut, **ERRORS},
    operation_id="tandem_mentorships_api_decline_request",
)
def decline_request(request: AuthenticatedRequest, request_id: TextId, payload: DeclineIn):
    return services.request_decline(user=request.auth, request_id=request_id, reason=payload.reason)


@router.post(
    "/requests/{request_id}/withdraw",
    response={200: RequestOut, **ERRORS},
    operation_id="tandem_mentorships_api_withdraw_request",
)
def withdraw_request(request: AuthenticatedRequest, request_id: TextId):
    return services.request_withdraw(user=request.auth, request_id=request_id)
