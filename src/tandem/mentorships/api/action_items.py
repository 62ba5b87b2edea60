"""Action items: list, add, set the status."""

from datetime import date, datetime
from typing import Annotated

from ninja import Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    ApiDate,
    ApiId,
    AuthenticatedRequest,
    InputSchema,
    OneOf,
    TextId,
    up_to,
)
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import selectors, services
from tandem.mentorships.api.common import ERRORS
from tandem.mentorships.models import ActionItemStatus
from tandem.mentorships.services.work import ACTION_ITEM_LIMIT

router = Router()


class ActionItemIn(InputSchema):
    description: Annotated[str, up_to(ACTION_ITEM_LIMIT)]
    owner_id: ApiId
    due_on: ApiDate | None = None
    meeting_id: ApiId | None = None


class ActionItemOut(Schema):
    id: int
    mentorship_id: int
    meeting_id: int | None
    description: str
    owner_id: int
    due_on: date | None
    status: str
    done_at: datetime | None


class StatusIn(InputSchema):
    status: Annotated[str, OneOf(ActionItemStatus)]


@router.get(
    "/{mentorship_id}/action-items",
    response={200: list[ActionItemOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_action_items",
)
@paginate(PageNumberPagination, page_size=25)
def list_action_items(request: AuthenticatedRequest, mentorship_id: TextId):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return selectors.action_item_list_for_mentorship(mentorship=mentorship)


@router.post(
    "/{mentorship_id}/action-items",
    response={201: ActionItemOut, **ERRORS},
    operation_id="tandem_mentorships_api_create_action_item",
)
def create_action_item(request: AuthenticatedRequest, mentorship_id: TextId, payload: ActionItemIn):
    return 201, services.action_item_create(
        user=request.auth, mentorship_id=mentorship_id, **payload.dict()
    )


@router.post(
    "/action-items/{action_item_id}/status",
    response={200: ActionItemOut, **ERRORS},
    operation_id="tandem_mentorships_api_set_action_item_status",
)
def set_action_item_status(
    request: AuthenticatedRequest, action_item_id: TextId, payload: StatusIn
):
    return services.action_item_set_status(
        user=request.auth, action_item_id=action_item_id, status=payload.status
    )
