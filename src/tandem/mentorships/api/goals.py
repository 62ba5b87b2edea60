"""Goals, their progress and milestones."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    WHOLE_NUMBER,
    ApiDate,
    AuthenticatedRequest,
    InputSchema,
    OneOf,
    TextId,
    up_to,
)
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import selectors, services
from tandem.mentorships.api.common import ERRORS
from tandem.mentorships.models import GoalState
from tandem.mentorships.services.work import MEASURE_LIMIT, PROGRESS_NOTE_LIMIT, TITLE_LIMIT

router = Router()

Percent = Annotated[int, Field(ge=0, le=100), WHOLE_NUMBER]


class GoalIn(InputSchema):
    title: Annotated[str, up_to(TITLE_LIMIT)]
    measure: Annotated[str, up_to(MEASURE_LIMIT)] = ""
    target_date: ApiDate | None = None


class GoalOut(Schema):
    id: int
    title: str
    measure: str
    target_date: date | None
    state: str
    percent: int


class ProgressIn(InputSchema):
    state: Annotated[str, OneOf(GoalState)]
    percent: Percent
    note: Annotated[str, up_to(PROGRESS_NOTE_LIMIT)] = ""


class ProgressOut(Schema):
    id: int
    goal_id: int
    state: str
    percent: int
    note: str
    created_at: datetime


class MilestoneIn(InputSchema):
    title: Annotated[str, up_to(TITLE_LIMIT)]
    due_on: ApiDate | None = None


class MilestoneOut(Schema):
    id: int
    goal_id: int
    title: str
    due_on: date | None
    done_at: datetime | None


@router.get(
    "/{mentorship_id}/goals",
    response={200: list[GoalOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_goals",
)
@paginate(PageNumberPagination, page_size=25)
def list_goals(request: AuthenticatedRequest, mentorship_id: TextId):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return selectors.goal_list_for_mentorship(mentorship=mentorship)


@router.post(
    "/{mentorship_id}/goals",
    response={201: GoalOut, **ERRORS},
    operation_id="tandem_mentorships_api_create_goal",
)
def create_goal(request: AuthenticatedRequest, mentorship_id: TextId, payload: GoalIn):
    return 201, services.goal_create(
        user=request.auth, mentorship_id=mentorship_id, **payload.dict()
    )


@router.post(
    "/goals/{goal_id}/progress",
    response={201: ProgressOut, 200: GoalOut, **ERRORS},
    description="201 with the recorded update; 200 with the goal, unchanged, when state and "
    "percent are what it already has and no note is given (nothing is recorded).",
    operation_id="tandem_mentorships_api_goal_progress",
)
def goal_progress(request: AuthenticatedRequest, goal_id: TextId, payload: ProgressIn):
    goal, update = services.goal_update_progress(
        user=request.auth, goal_id=goal_id, **payload.dict()
    )
    if update is None:
        return 200, goal
    return 201, update


@router.post(
    "/goals/{goal_id}/milestones",
    response={201: MilestoneOut, **ERRORS},
    operation_id="tandem_mentorships_api_add_milestone",
)
def add_milestone(request: AuthenticatedRequest, goal_id: TextId, payload: MilestoneIn):
    return 201, services.milestone_add(user=request.auth, goal_id=goal_id, **payload.dict())


@router.post(
    "/milestones/{milestone_id}/toggle",
    response={200: MilestoneOut, **ERRORS},
    operation_id="tandem_mentorships_api_toggle_milestone",
)
def toggle_milestone(
    request: AuthenticatedRequest,
    milestone_id: TextId,
    done: bool | None = Query(  # noqa: B008 (ninja's way to describe a query parameter)
        None,
        description="true: mark it done, false: not done; sent again, nothing changes. "
        "Without it the milestone turns to the other state, so a retried request undoes it.",
    ),
):
    return services.milestone_toggle(user=request.auth, milestone_id=milestone_id, done=done)
