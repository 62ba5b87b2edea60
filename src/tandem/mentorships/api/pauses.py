"""Declared pauses: the pair and the program's admins list them; one of the pair declares one
("we are pausing until <date>") or ends it early. Dates only, no text."""

from datetime import date, datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import ApiDate, AuthenticatedRequest, InputSchema, TextId
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships.api.common import ERRORS, PersonOut
from tandem.mentorships.selectors.pauses import pause_list_for_mentorship
from tandem.mentorships.services.pauses import mentorship_pause_declare, mentorship_pause_end

router = Router()


class PauseIn(InputSchema):
    ends_on: ApiDate = Field(
        description="The first day back (at most 92 days after the start, by the mentorship's "
        "end date; at most 92 paused days in any 365)."
    )
    starts_on: ApiDate | None = Field(
        None,
        description="Today in the caller's time zone (their profile's) when left out; not earlier.",
    )


class PauseOut(Schema):
    id: int
    mentorship_id: int
    declared_by: PersonOut
    starts_on: date
    ends_on: date
    created_at: datetime


class PauseEndOut(Schema):
    pause: PauseOut | None = Field(description="None when the pause had not begun: withdrawn.")


@router.post(
    "/pauses/{pause_id}/end",
    response={200: PauseEndOut, **ERRORS},
    operation_id="tandem_mentorships_api_end_pause",
)
def end_pause(request: AuthenticatedRequest, pause_id: TextId):
    """One of the pair: end the pause today (withdraw it if it has not begun)."""
    return {"pause": mentorship_pause_end(user=request.auth, pause_id=pause_id)}


@router.get(
    "/{mentorship_id}/pauses",
    response={200: list[PauseOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_pauses",
)
@paginate(PageNumberPagination, page_size=25)
def list_pauses(request: AuthenticatedRequest, mentorship_id: TextId):
    """The pair and the program's admins: the declared pauses, latest first."""
    return pause_list_for_mentorship(user=request.auth, mentorship_id=mentorship_id)


@router.post(
    "/{mentorship_id}/pauses",
    response={201: PauseOut, **ERRORS},
    operation_id="tandem_mentorships_api_declare_pause",
)
def declare_pause(request: AuthenticatedRequest, mentorship_id: TextId, payload: PauseIn):
    """One of the pair of an active mentorship: declare a pause; the other person is told.
    409 when the mentorship is not active or the days overlap a declared pause."""
    pause = mentorship_pause_declare(
        user=request.auth,
        mentorship_id=mentorship_id,
        ends_on=payload.ends_on,
        starts_on=payload.starts_on,
    )
    return 201, pause
