"""The schemas of a program itself (read, create, change), their limits the services' own, and
of an enrolment and the join answers that make one (``api`` and ``api_joining`` both use them)."""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from tandem.core.api_types import (
    ApiBool,
    ApiDate,
    ApiFloat,
    ApiInt,
    InputSchema,
    OneOf,
    up_to,
    within,
)
from tandem.people.choices import Cadence
from tandem.programs.models import DEFAULT_WEIGHTS, MatchingMode, ProgramType
from tandem.programs.services.programs import (
    DESCRIPTION_LIMIT,
    MAX_ROLE_LIMIT,
    NAME_LIMIT,
    SETTING_BOUNDS,
    WEIGHT_RANGE,
)

LIMIT_DESCRIPTION = (
    "Most {role}s holding a place (active or awaiting approval); null: no limit. Who joins "
    "when all are taken is waitlisted; lowering it removes nobody."
)


class ProgramOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    program_type: str = Field(description="classic | reverse | peer")
    matching_mode: str = Field(description="cohort | self_serve")
    starts_on: date | None
    ends_on: date | None
    default_duration_weeks: int
    default_cadence: str
    default_capacity: int
    weights: dict[str, float] = Field(
        description="{}..{} per criterion: ".format(*WEIGHT_RANGE)
        + f"{', '.join(DEFAULT_WEIGHTS)}. Identity is none: "
        "Tandem's match runs never use anyone's background."
    )
    avoid_manager: bool
    avoid_same_department: bool
    max_open_requests: int
    request_expiry_days: int
    allow_direct_requests: bool = Field(
        description="Cohort programs: mentees may also send requests directly "
        "(self-serve programs always allow them)."
    )
    mentee_limit: int | None = Field(description=LIMIT_DESCRIPTION.format(role="mentee"))
    mentor_limit: int | None = Field(description=LIMIT_DESCRIPTION.format(role="mentor"))


def _setting(name: str) -> Any:
    """The range its service allows a whole-number setting (``SETTING_BOUNDS``)."""
    return within(*SETTING_BOUNDS[name])


# A limit of places: a whole number of them, or null for none.
RoleLimit = Annotated[ApiInt, within(1, MAX_ROLE_LIMIT)] | None


class ProgramPatch(InputSchema):
    name: Annotated[str, up_to(NAME_LIMIT)] | None = None
    description: Annotated[str, up_to(DESCRIPTION_LIMIT)] | None = None
    program_type: Annotated[str, OneOf(ProgramType)] | None = None
    matching_mode: Annotated[str, OneOf(MatchingMode)] | None = None
    starts_on: ApiDate | None = None
    ends_on: ApiDate | None = None
    default_duration_weeks: Annotated[ApiInt, _setting("default_duration_weeks")] | None = None
    default_cadence: Annotated[str, OneOf(Cadence)] | None = None
    default_capacity: Annotated[ApiInt, _setting("default_capacity")] | None = None
    weights: dict[str, ApiFloat] | None = None
    avoid_manager: ApiBool | None = None
    avoid_same_department: ApiBool | None = None
    max_open_requests: Annotated[ApiInt, _setting("max_open_requests")] | None = None
    request_expiry_days: Annotated[ApiInt, _setting("request_expiry_days")] | None = None
    allow_direct_requests: ApiBool | None = None
    mentee_limit: RoleLimit = Field(None, description="1 or more; null: no limit.")
    mentor_limit: RoleLimit = Field(None, description="1 or more; null: no limit.")


class ProgramIn(ProgramPatch):
    name: Annotated[str, up_to(NAME_LIMIT)]


class EnrolmentOut(Schema):
    id: int
    person_id: int
    email: str
    name: str
    role: str
    status: str
    capacity: int | None
    answers: dict[str, str]
    created_at: datetime
    waitlisted_at: datetime | None = Field(
        description="On the waitlist since (its order); null when not waitlisted."
    )

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.person.email

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.person.display_name


class JoinIn(InputSchema):
    answers: dict[str, str] = Field(
        default_factory=dict, description="Answers by question key `q<question id>`."
    )
