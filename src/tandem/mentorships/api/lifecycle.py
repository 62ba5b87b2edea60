"""Moving a mentorship on: confirm the agreement at the midpoint, end early, complete."""

from typing import Annotated

from ninja import Field, Router

from tandem.core.api_types import AuthenticatedRequest, InputSchema, TextId, up_to
from tandem.mentorships import services
from tandem.mentorships.api.common import ERRORS, MentorshipOut
from tandem.mentorships.models.mentorships import EndCategory
from tandem.mentorships.services.ending import END_REASON_LIMIT
from tandem.mentorships.services.lifecycle import REFLECTION_LIMIT

router = Router()


class EndIn(InputSchema):
    reason: Annotated[str, up_to(END_REASON_LIMIT)] = Field(
        description="Private to program admins."
    )
    category: EndCategory = Field(
        description="Why, in one of a few words (not `program`: the program's decision is "
        "the program's to record); counted in the program's figures, shown per mentorship "
        "only where the reason is.",
    )


class CompleteIn(InputSchema):
    reflection: Annotated[str, up_to(REFLECTION_LIMIT)]


@router.post(
    "/{mentorship_id}/midpoint/confirm",
    response={200: MentorshipOut, **ERRORS},
    operation_id="tandem_mentorships_api_confirm_midpoint",
)
def confirm_midpoint(request: AuthenticatedRequest, mentorship_id: TextId):
    return services.mentorship_confirm_midpoint(user=request.auth, mentorship_id=mentorship_id)


@router.post(
    "/{mentorship_id}/end",
    response={200: MentorshipOut, **ERRORS},
    operation_id="tandem_mentorships_api_end_early",
)
def end_early(request: AuthenticatedRequest, mentorship_id: TextId, payload: EndIn):
    return services.mentorship_end_early(
        user=request.auth,
        mentorship_id=mentorship_id,
        reason=payload.reason,
        category=payload.category,
    )


@router.post(
    "/{mentorship_id}/complete",
    response={200: MentorshipOut, **ERRORS},
    operation_id="tandem_mentorships_api_complete",
)
def complete(request: AuthenticatedRequest, mentorship_id: TextId, payload: CompleteIn):
    return services.mentorship_complete(
        user=request.auth, mentorship_id=mentorship_id, reflection=payload.reflection
    )
