"""Relationship health: a mentorship's health (the pair and the program's admins), a
program's list by health (its admins) and the admins' actions on a mentorship (admins of its
program outside the pair). Never what the pair write: states, scores, reasons in plain words,
times."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import AuthenticatedRequest, InputSchema, OneOf, TextId, up_to
from tandem.core.pagination import PageNumberPagination
from tandem.feedback.health.audience import reasons_for_reader
from tandem.feedback.models import (
    INTERVENTION_NOTE_LIMIT,
    HealthState,
    InterventionKind,
    MentorshipHealth,
)
from tandem.feedback.selectors import health_reads as selectors
from tandem.feedback.services import health_actions as services
from tandem.mentorships.api.common import ERRORS, PersonOut
from tandem.mentorships.models import Mentorship
from tandem.people.models import User

router = Router(tags=["feedback"])


COMPUTED_AT = (
    "When it was last worked out; for a pair the reader is one of, when the reader's own view "
    "last changed instead (a refresh's time would tell when the other side answered)."
)
SCORE_WITHHELD = (
    "Always null: the 0-100 score moves with each side's private check-in answers, so it is "
    "not shown; the state and the reasons say how it is going."
)


class HealthReasonOut(Schema):
    code: str
    text: str
    weight: int | None = Field(
        description="Points added to the score (negative: a concern); null for a reason read "
        "from private check-in answers, whose points would tell how a side answered."
    )


class HealthOut(Schema):
    mentorship_id: int
    program_id: int
    state: str | None = Field(description="thriving | on_track | at_risk | stalled; null: not yet")
    score: None = Field(None, description=SCORE_WITHHELD)
    reasons: list[HealthReasonOut] = Field(
        description="Concerns first, heaviest first; then strengths."
    )
    last_activity_at: datetime | None
    state_since: datetime | None
    computed_at: datetime | None = Field(description=COMPUTED_AT)


class HealthRowOut(Schema):
    mentorship_id: int
    program_id: int
    mentor: PersonOut
    mentee: PersonOut
    state: str = Field(description="thriving | on_track | at_risk | stalled")
    score: None = Field(None, description=SCORE_WITHHELD)
    reasons: list[HealthReasonOut]
    last_activity_at: datetime | None
    state_since: datetime
    computed_at: datetime = Field(description=COMPUTED_AT)

    @staticmethod
    def resolve_score(obj: MentorshipHealth) -> None:
        return None

    @staticmethod
    def resolve_reasons(obj: MentorshipHealth, context: dict[str, Any]) -> list[dict[str, object]]:
        return _reasons_for(context, obj.mentorship, obj.reasons)

    @staticmethod
    def resolve_mentor(obj: MentorshipHealth) -> User:
        return obj.mentorship.mentor

    @staticmethod
    def resolve_mentee(obj: MentorshipHealth) -> User:
        return obj.mentorship.mentee


class NoteIn(InputSchema):
    note: Annotated[str, up_to(INTERVENTION_NOTE_LIMIT)] = Field(
        description="Sent to both people of the pair as a notification."
    )


class InterventionOut(Schema):
    id: int
    mentorship_id: int
    kind: str = Field(description=" | ".join(InterventionKind.values))
    created_at: datetime


def _reasons_for(
    context: dict[str, Any], mentorship: Mentorship, reasons: list[dict[str, object]]
) -> list[dict[str, object]]:
    """As the pages word them: for the pair, or about the pair for an admin outside it."""
    reader = context["request"].auth
    pair = (mentorship.mentor_id, mentorship.mentee_id)
    return reasons_for_reader(reasons, reader_id=reader.pk, pair=pair)


def _health_out(
    request: AuthenticatedRequest, mentorship: Mentorship, health: MentorshipHealth | None
) -> dict[str, Any]:
    reasons = health.reasons if health else []
    return {
        "mentorship_id": mentorship.pk,
        "program_id": mentorship.program_id,
        "state": health.state if health else None,
        "score": None,
        "reasons": _reasons_for({"request": request}, mentorship, reasons),
        "last_activity_at": health.last_activity_at if health else None,
        "state_since": health.state_since if health else None,
        "computed_at": health.computed_at if health else None,
    }


@router.get(
    "/mentorships/{mentorship_id}/health",
    response={200: HealthOut, **ERRORS},
    operation_id="tandem_feedback_api_get_mentorship_health",
)
def get_mentorship_health(request: AuthenticatedRequest, mentorship_id: TextId) -> Any:
    """The pair and the program's admins; 404 for anyone else."""
    mentorship, health = selectors.access_mentorship_health(
        user=request.auth, mentorship_id=mentorship_id
    )
    return _health_out(request, mentorship, health)


@router.get(
    "/programs/{program_id}/health",
    response={200: list[HealthRowOut], **ERRORS},
    operation_id="tandem_feedback_api_list_program_health",
)
@paginate(PageNumberPagination, page_size=50)
def list_program_health(
    request: AuthenticatedRequest,
    program_id: TextId,
    state: Annotated[str, OneOf(HealthState, "")] = "",
    reason: str = "",
    q: str = "",
) -> Any:
    """The program's admins: its active mentorships by health, stalled first (filters: state,
    reason code, a name or email of the mentor or mentee); a pair the caller is one of, as
    their side knows it."""
    program = selectors.access_program_for_health(user=request.auth, program_id=program_id)
    filters = selectors.HealthFilters(state=state, reason=reason, search=q[:100])
    return selectors.health_list_for_program(
        program=program, reader_id=request.auth.pk, filters=filters
    )


@router.post(
    "/mentorships/{mentorship_id}/health/checkin",
    response={201: InterventionOut, **ERRORS},
    operation_id="tandem_feedback_api_health_send_checkin",
)
def send_checkin(request: AuthenticatedRequest, mentorship_id: TextId) -> Any:
    """Admins of the program outside the pair: ask both for a check-in now (once a day)."""
    return 201, services.health_checkin_send(user=request.auth, mentorship_id=mentorship_id)


@router.post(
    "/mentorships/{mentorship_id}/health/note",
    response={201: InterventionOut, **ERRORS},
    operation_id="tandem_feedback_api_health_write_to_pair",
)
def write_to_pair(request: AuthenticatedRequest, mentorship_id: TextId, payload: NoteIn) -> Any:
    """Admins of the program outside the pair: a note to both (not in their conversation)."""
    return 201, services.health_message_to_pair(
        user=request.auth, mentorship_id=mentorship_id, note=payload.note
    )


@router.post(
    "/mentorships/{mentorship_id}/health/rematch",
    response={201: InterventionOut, **ERRORS},
    operation_id="tandem_feedback_api_health_propose_rematch",
)
def propose_rematch(request: AuthenticatedRequest, mentorship_id: TextId) -> Any:
    """Admins of the program outside the pair: offer the mentee a new mentor (once a day)."""
    return 201, services.health_rematch_propose(user=request.auth, mentorship_id=mentorship_id)
