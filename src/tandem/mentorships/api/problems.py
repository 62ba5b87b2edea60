"""Problem reports: one of the pair reports a problem to the program's admins; the admins list
and resolve them. The text is read by its reporter and the program's admins other than the pair
only: the other person of the mentorship gets an empty list (also when they run the program),
anyone else a 404."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import AuthenticatedRequest, InputSchema, TextId, up_to
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import selectors, services
from tandem.mentorships.api.common import ERRORS, PersonOut
from tandem.mentorships.models import PROBLEM_TEXT_LIMIT

router = Router()


class ProblemReportIn(InputSchema):
    text: Annotated[str, up_to(PROBLEM_TEXT_LIMIT)] = Field(
        description="Read by the program's admins other than the pair, not by the other person."
    )


class ProblemReportOut(Schema):
    id: int
    mentorship_id: int
    program_id: int
    reporter: PersonOut
    text: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: PersonOut | None

    @staticmethod
    def resolve_program_id(obj) -> int:
        return obj.mentorship.program_id


@router.get(
    "/programs/{program_id}/problem-reports",
    response={200: list[ProblemReportOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_program_problem_reports",
)
@paginate(PageNumberPagination, page_size=25)
def list_program_problem_reports(
    request: AuthenticatedRequest, program_id: TextId, open_only: bool = False
):
    """Program admins: the program's reports, newest first (``open_only``: not resolved),
    without those about a mentorship the caller is one of the pair of."""
    return selectors.problem_report_list_for_program(
        user=request.auth, program_id=program_id, open_only=open_only
    )


@router.post(
    "/problem-reports/{report_id}/resolve",
    response={200: ProblemReportOut, **ERRORS},
    operation_id="tandem_mentorships_api_resolve_problem_report",
)
def resolve_problem_report(request: AuthenticatedRequest, report_id: TextId):
    """Program admins outside the report's pair: mark it resolved (again: no change); its
    reporter is told. One of the pair: 404, like anyone else."""
    return services.problem_report_resolve(user=request.auth, report_id=report_id)


@router.get(
    "/{mentorship_id}/problem-reports",
    response={200: list[ProblemReportOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_problem_reports",
)
@paginate(PageNumberPagination, page_size=25)
def list_problem_reports(request: AuthenticatedRequest, mentorship_id: TextId):
    """One of the pair: their own reports; an admin of the program outside the pair: every
    report."""
    mentorship = selectors.access_mentorship(
        user=request.auth, mentorship_id=mentorship_id, need=selectors.MentorshipAccess.OVERVIEW
    )
    return selectors.problem_report_list_for_mentorship(user=request.auth, mentorship=mentorship)


@router.post(
    "/{mentorship_id}/problem-reports",
    response={201: ProblemReportOut, **ERRORS},
    operation_id="tandem_mentorships_api_report_problem",
)
def report_problem(request: AuthenticatedRequest, mentorship_id: TextId, payload: ProblemReportIn):
    """One of the pair: send a problem to the program's admins other than the pair. 409 when
    the program has no such admin (nobody could read it); nothing is written."""
    report = services.problem_report_create(
        user=request.auth, mentorship_id=mentorship_id, text=payload.text
    )
    return 201, report
