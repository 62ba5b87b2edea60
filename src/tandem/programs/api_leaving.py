"""``POST /api/programs/{slug}/leave``: leave a program yourself (docs/programs.md, *Leaving a
program*). Mounted beside ``programs.api``'s router."""

from __future__ import annotations

from ninja import Router, Schema

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.openapi import ErrorOut
from tandem.programs.services.leaving import enrolment_leave

router = Router(tags=["programs"])


class LeftEnrolmentOut(Schema):
    id: int
    role: str
    status: str


@router.post(
    "/{slug}/leave",
    response={200: list[LeftEnrolmentOut], 404: ErrorOut, 409: ErrorOut},
    summary="Leave a program",
    operation_id="tandem_programs_api_program_leave",
)
def program_leave(request: AuthenticatedRequest, slug: str):
    """Your mentee and mentor enrolments in the program become ``left``: your open requests
    there are withdrawn (those you sent) or declined (those sent to you), the other side told.
    409 naming them while you have an open mentorship there: end it first. Calling it again
    answers the same enrolments (idempotent). 404 if you hold no enrolment there to leave."""
    return enrolment_leave(user=request.auth, slug=slug)
