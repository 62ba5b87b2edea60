"""Check-ins: my check-ins, one of them, answering it (201 the first time, 200 after: an edit
within a day, or the same answers again, which changes nothing); a program's admins read and
change its questions and timing and read its aggregates. The partner and the admins never
read anyone's answers here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    WHOLE_NUMBER,
    ApiBool,
    AuthenticatedRequest,
    InputSchema,
    TextId,
    up_to_items,
)
from tandem.core.exceptions import NotFound
from tandem.core.pagination import PageNumberPagination
from tandem.feedback.models import EDIT_WINDOW, EDIT_WINDOW_HOURS, CheckIn, CheckInKind
from tandem.feedback.selectors import checkin_figures
from tandem.feedback.selectors import checkins as selectors
from tandem.feedback.services import checkin_templates
from tandem.feedback.services.checkin_templates import (
    DELAY_DAYS_RANGE,
    EVERY_PERIODS_RANGE,
    MAX_QUESTIONS,
)
from tandem.feedback.services.checkins import checkin_answer
from tandem.mentorships.api.common import ERRORS
from tandem.programs.selectors import ProgramAccess, access_program

router = Router(tags=["feedback"])

# A program's questions and figures come one per kind of check-in, every kind, in the order of
# ``CheckInKind``: a short list of known length, not paged.
_Item = TypeVar("_Item")
OnePerKind = Annotated[list[_Item], Field(min_length=len(CheckInKind), max_length=len(CheckInKind))]


class CheckInOut(Schema):
    id: int
    mentorship_id: int
    program_id: int
    kind: str = Field(description="first_meeting | pulse | midpoint | closing")
    sequence: int = Field(description="Pulses are numbered from 1; the others are 0.")
    questions: list[dict[str, Any]] = Field(
        description="As asked: key, text, type (scale 1-5 | choice | text), required, compare, "
        "low_label/high_label (scale), choices [[value, label]] (choice)."
    )
    due_at: datetime
    answered_at: datetime | None
    answers: dict[str, Any] = Field(description="{key: value}; a scale's value is a number.")
    shared_keys: list[str] = Field(description="The answers the other person of the pair sees.")
    shared_with_admins: bool
    editable_until: datetime | None

    @staticmethod
    def resolve_program_id(obj: CheckIn) -> int:
        return obj.mentorship.program_id

    @staticmethod
    def resolve_editable_until(obj: CheckIn) -> datetime | None:
        return obj.answered_at + EDIT_WINDOW if obj.answered_at else None


class AnswerIn(InputSchema):
    answers: dict[str, Any] = Field(description="{question key: answer}; a scale takes 1-5.")
    shared_keys: list[str] = Field(
        default_factory=list, description="Keys of answers to show the other person of the pair."
    )
    shared_with_admins: ApiBool = Field(
        False, description="Let the program's admins read this check-in, comments included."
    )


class AnswerOut(Schema):
    checkin: CheckInOut
    changed: bool = Field(description="False: the same answers and choices as before.")
    next_url: str = Field(
        description="Where to go next: the agreement page when the mid-point review asks to "
        "amend it; else empty."
    )


class TemplateIn(InputSchema):
    questions: Annotated[list[dict[str, Any]], up_to_items(MAX_QUESTIONS)] = Field(
        description="In order: key, text, type (scale | choice | text), low_label, high_label "
        "(scale), choices [[value, label]] (choice), required, compare."
    )
    every_periods: Annotated[int, WHOLE_NUMBER] = Field(
        1,
        ge=EVERY_PERIODS_RANGE[0],
        le=EVERY_PERIODS_RANGE[1],
        description="Pulse: one every this many agreed periods.",
    )
    delay_days: Annotated[int, WHOLE_NUMBER] = Field(
        0,
        ge=DELAY_DAYS_RANGE[0],
        le=DELAY_DAYS_RANGE[1],
        description="Days after the trigger (not used by pulses).",
    )


class TemplateOut(Schema):
    kind: str
    questions: list[dict[str, Any]]
    every_periods: int
    delay_days: int
    edited: bool = Field(description="False: Tandem's built-in questions.")
    protected_keys: list[str] = Field(description="Read by relationship health: kept.")


class QuestionAggregateOut(Schema):
    key: str
    text: str
    type: str
    answers: int
    suppressed: bool = Field(description="Fewer than 5 answers covered: no figures.")
    average: float | None
    distribution: list[tuple[str, int]]
    covers_until: datetime | None = Field(
        description="The figures cover the answers given before this instant: whole calendar "
        "months, in blocks of at least 5 answers that can no longer be changed "
        f"({EDIT_WINDOW_HOURS} hours after they were given), so that two figures never differ "
        "by one answer."
    )


class KindAggregateOut(Schema):
    kind: str
    due: int
    answered: int
    questions: list[QuestionAggregateOut]


def _template_out(settings: selectors.TemplateSettings) -> dict[str, Any]:
    return {
        "kind": settings.kind,
        "questions": settings.questions,
        "every_periods": settings.every_periods,
        "delay_days": settings.delay_days,
        "edited": settings.edited,
        "protected_keys": checkin_templates.protected_keys_for(settings.kind),
    }


@router.get(
    "/checkins",
    response={200: list[CheckInOut], **ERRORS},
    operation_id="tandem_feedback_api_list_checkins",
)
@paginate(PageNumberPagination, page_size=25)
def list_checkins(request: AuthenticatedRequest, waiting: bool = False) -> Any:
    """My check-ins that are due, waiting ones first (``waiting``: only those)."""
    if waiting:
        return selectors.checkins_waiting_for(user=request.auth)
    return selectors.checkin_list_for(user=request.auth)


@router.get(
    "/checkins/{checkin_id}",
    response={200: CheckInOut, **ERRORS},
    operation_id="tandem_feedback_api_get_checkin",
)
def get_checkin(request: AuthenticatedRequest, checkin_id: TextId) -> Any:
    """One of my check-ins; anyone else's is a 404 (the partner's and the admins' too)."""
    return selectors.access_checkin(user=request.auth, checkin_id=checkin_id)


@router.post(
    "/checkins/{checkin_id}/answer",
    response={200: AnswerOut, 201: AnswerOut, **ERRORS},
    operation_id="tandem_feedback_api_answer_checkin",
)
def answer_checkin(request: AuthenticatedRequest, checkin_id: TextId, payload: AnswerIn) -> Any:
    """Answer: 201 the first time; 200 for a change within a day of it, or the same answers
    again (nothing changes); 409 for a change after that day. 400 names each wrong answer
    by its question key."""
    result = checkin_answer(
        user=request.auth,
        checkin_id=checkin_id,
        answers=payload.answers,
        shared_keys=payload.shared_keys,
        shared_with_admins=payload.shared_with_admins,
    )
    return (201 if result.first_time else 200), result


def _kind(kind: str) -> str:
    if kind not in CheckInKind.values:
        raise NotFound(checkin_templates.UNKNOWN_KIND)
    return kind


@router.get(
    "/programs/{program_id}/checkin-templates",
    response={200: OnePerKind[TemplateOut], **ERRORS},
    operation_id="tandem_feedback_api_list_checkin_templates",
)
def list_checkin_templates(request: AuthenticatedRequest, program_id: TextId) -> Any:
    """The program's admins: every kind's questions and timing, one item per kind (not
    paged)."""
    program = access_program(user=request.auth, program_id=program_id, need=ProgramAccess.ADMIN)
    templates = selectors.checkin_templates_for(program_ids=[program.pk])
    return [_template_out(templates[(program.pk, kind)]) for kind in CheckInKind.values]


@router.put(
    "/programs/{program_id}/checkin-templates/{kind}",
    response={200: TemplateOut, **ERRORS},
    operation_id="tandem_feedback_api_update_checkin_template",
)
def update_checkin_template(
    request: AuthenticatedRequest, program_id: TextId, kind: str, payload: TemplateIn
) -> Any:
    """The program's admins: replace a kind's questions and timing (the same again: no
    change). 400 names the field: ``questions.<n>.<part>`` from 1, ``every_periods``..."""
    return _template_out(
        checkin_templates.checkin_template_update(
            user=request.auth,
            program_id=program_id,
            kind=_kind(kind),
            questions=payload.questions,
            every_periods=payload.every_periods,
            delay_days=payload.delay_days,
        )
    )


@router.delete(
    "/programs/{program_id}/checkin-templates/{kind}",
    response={200: TemplateOut, **ERRORS},
    operation_id="tandem_feedback_api_reset_checkin_template",
)
def reset_checkin_template(request: AuthenticatedRequest, program_id: TextId, kind: str) -> Any:
    """The program's admins: back to the built-in questions and timing."""
    return _template_out(
        checkin_templates.checkin_template_reset(
            user=request.auth, program_id=program_id, kind=_kind(kind)
        )
    )


@router.get(
    "/programs/{program_id}/checkin-aggregates",
    response={200: OnePerKind[KindAggregateOut], **ERRORS},
    operation_id="tandem_feedback_api_checkin_aggregates",
)
def checkin_aggregates(request: AuthenticatedRequest, program_id: TextId) -> Any:
    """The program's admins: per kind, due and answered; per scale or choice question, the
    average and distribution of whole blocks of at least 5 answers, each block's count of each
    answer with fixed random noise (docs/checkins.md), the average read from those counts.
    Never a comment. The counts leave out the caller's own mentorships. One item per kind (not
    paged)."""
    program = access_program(user=request.auth, program_id=program_id, need=ProgramAccess.ADMIN)
    return checkin_figures.checkin_aggregates_for_program(program=program, reader=request.auth)
