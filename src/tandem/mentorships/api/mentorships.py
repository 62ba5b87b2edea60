"""Mentorships: one's own, a program's for its admins, and one mentorship."""

from ninja import Router
from ninja.pagination import paginate

from tandem.core.api_types import AuthenticatedRequest, TextId
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import selectors
from tandem.mentorships.api.common import ERRORS, MentorshipOut
from tandem.mentorships.models import Mentorship

router = Router()


def _as_viewer(mentorship: Mentorship, is_admin: bool) -> Mentorship:
    # A mark for this response only (the list sets it with annotate()); not a model field.
    mentorship.viewer_is_admin = is_admin  # type: ignore[attr-defined]
    return mentorship


@router.get(
    "/", response=list[MentorshipOut], operation_id="tandem_mentorships_api_list_mentorships"
)
@paginate(PageNumberPagination, page_size=20)
def list_mentorships(request: AuthenticatedRequest, open_only: bool = False):
    return selectors.mentorship_list_for(user=request.auth, open_only=open_only)


@router.get(
    "/programs/{program_id}",
    response={200: list[MentorshipOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_program_mentorships",
)
@paginate(PageNumberPagination, page_size=50)
def list_program_mentorships(request: AuthenticatedRequest, program_id: TextId):
    """Program admins: every mentorship of the program, with how it ended (and why)."""
    return selectors.mentorship_list_for_program_admin(user=request.auth, program_id=program_id)


@router.get(
    "/{mentorship_id}",
    response={200: MentorshipOut, **ERRORS},
    operation_id="tandem_mentorships_api_get_mentorship",
)
def get_mentorship(request: AuthenticatedRequest, mentorship_id: TextId):
    mentorship = selectors.access_mentorship(
        user=request.auth, mentorship_id=mentorship_id, need=selectors.MentorshipAccess.OVERVIEW
    )
    viewer = selectors.Viewer.of(mentorship, request.auth)
    return _as_viewer(mentorship, viewer.is_admin)
