"""Agreement versions: list, propose, sign."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    INT32_MAX,
    WHOLE_NUMBER,
    ApiDate,
    ApiInt,
    AuthenticatedRequest,
    InputSchema,
    OneOf,
    TextId,
    TextInt,
    up_to,
    up_to_items,
    within,
)
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import selectors, services
from tandem.mentorships.api.common import ERRORS
from tandem.mentorships.models import MeetingFormat
from tandem.mentorships.services.agreement_content import (
    EXPECTATION_LABELS,
    MAX_MEETING_MINUTES,
    MAX_OBJECTIVES,
    MIN_MEETING_MINUTES,
    OBJECTIVE_GOAL_LIMIT,
    OBJECTIVE_MEASURE_LIMIT,
    TEXT_FIELDS,
)
from tandem.people.choices import Cadence

router = Router()


class Objective(InputSchema):
    goal: Annotated[str, up_to(OBJECTIVE_GOAL_LIMIT)]
    measure: Annotated[str, up_to(OBJECTIVE_MEASURE_LIMIT)] = ""
    target_date: str = ""


class AgreementContent(InputSchema):
    objectives: Annotated[list[Objective], up_to_items(MAX_OBJECTIVES)]
    mentor_expectations: Annotated[str, up_to(TEXT_FIELDS["mentor_expectations"])] = Field(
        default="",
        description=EXPECTATION_LABELS["mentor_expectations"] + ": the mentor's own commitments.",
    )
    mentee_expectations: Annotated[str, up_to(TEXT_FIELDS["mentee_expectations"])] = Field(
        default="",
        description=EXPECTATION_LABELS["mentee_expectations"] + ": the mentee's own commitments.",
    )
    cadence: Annotated[str, OneOf(Cadence)]
    meeting_format: Annotated[str, OneOf(MeetingFormat)]
    meeting_minutes: Annotated[ApiInt, within(MIN_MEETING_MINUTES, MAX_MEETING_MINUTES)]
    focus_areas: Annotated[str, up_to(TEXT_FIELDS["focus_areas"])] = ""
    desired_outcomes: Annotated[str, up_to(TEXT_FIELDS["desired_outcomes"])] = ""
    starts_on: ApiDate
    ends_on: ApiDate
    confidentiality: Annotated[str, up_to(TEXT_FIELDS["confidentiality"])]
    no_fault_exit: Annotated[str, up_to(TEXT_FIELDS["no_fault_exit"])]
    based_on: Annotated[int, Field(ge=0, le=INT32_MAX), WHOLE_NUMBER] | None = Field(
        default=None,
        description="The `number` of the version this content was edited from (0 before the "
        "first): if a newer version was proposed since, nothing is made and the answer is a 409 "
        "naming it. Optional, so clients written before it keep working; without it the content "
        "is proposed whatever came since.",
    )


class VersionOut(Schema):
    number: int
    content: dict[str, Any]
    proposed_by_id: int | None
    created_at: datetime
    signed_by_mentor_at: datetime | None
    signed_by_mentee_at: datetime | None
    in_effect: bool = False


@router.get(
    "/{mentorship_id}/agreement/versions",
    response={200: list[VersionOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_versions",
)
@paginate(PageNumberPagination, page_size=selectors.AGREEMENT_VERSIONS_PAGE)
def list_versions(request: AuthenticatedRequest, mentorship_id: TextId):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return selectors.agreement_version_list(mentorship=mentorship)


@router.post(
    "/{mentorship_id}/agreement/versions",
    response={201: VersionOut, 200: VersionOut, **ERRORS},
    description="201 with the new version; 200 with the latest version, unchanged, when the "
    "content says what it already says (no version is made and nobody is asked to sign); 409 "
    "when `based_on` is older than the latest version.",
    operation_id="tandem_mentorships_api_propose_version",
)
def propose_version(
    request: AuthenticatedRequest, mentorship_id: TextId, payload: AgreementContent
):
    content = payload.dict(exclude={"based_on"})
    content["objectives"] = [dict(o) for o in content["objectives"]]
    version, created = services.agreement_propose(
        user=request.auth, mentorship_id=mentorship_id, content=content, based_on=payload.based_on
    )
    if created:
        return 201, version
    return 200, {**VersionOut.from_orm(version).dict(), "in_effect": version.fully_signed}


@router.post(
    "/{mentorship_id}/agreement/versions/{number}/sign",
    response={200: VersionOut, **ERRORS},
    operation_id="tandem_mentorships_api_sign_version",
)
def sign_version(request: AuthenticatedRequest, mentorship_id: TextId, number: TextInt):
    version = services.agreement_sign(user=request.auth, mentorship_id=mentorship_id, number=number)
    return {**VersionOut.from_orm(version).dict(), "in_effect": version.fully_signed}
