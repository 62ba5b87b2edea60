"""The import's and the email invitations' API operations beyond the upload itself (mounted
under ``/api/programs/`` by ``programs.api``): the file of rows to fix, and inviting people by
email, sending held or scheduled invitations now, cancelling one. Program admins only; anyone
else gets the 404 a missing program gets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    ApiBool,
    ApiDateTime,
    ApiId,
    AuthenticatedRequest,
    InputSchema,
    OneOf,
    TextId,
)
from tandem.core.openapi import ErrorOut
from tandem.core.pagination import PageNumberPagination
from tandem.programs import selectors
from tandem.programs.imports import invitations, services
from tandem.programs.imports.problems import problem_file_type
from tandem.programs.models import Role
from tandem.programs.selectors import ProgramAccess

router = Router(tags=["programs"])


class ImportRowError(Schema):
    row: int = Field(description="Spreadsheet row number; the header is row 1.")
    column: str
    header: str = Field("", description="The column's header as written in the file.")
    message: str


class ImportSummary(Schema):
    read: int = Field(0, description="Rows below the header: good + with_problems + blank.")
    rows: int = Field(description="Non-blank rows below the header.")
    good: int = Field(0, description="Rows without problems: invited + new + updated + unchanged.")
    with_problems: int = Field(0, description="Rows left out (GET .../problem-rows).")
    skipped_blank: int = 0
    new: int = Field(0, description="Good rows giving someone in the program a new role.")
    updated: int = Field(0, description="Good rows changing someone in the program.")
    unchanged: int = Field(0, description="Good rows that change nothing (or already invited).")
    invited: int = Field(description="Good rows of people not in the program: they are invited.")
    updated_people: int
    unchanged_people: int
    new_enrolments: int
    updated_enrolments: int
    changes: int


class ImportWaitlisted(Schema):
    email: str
    role: str


class ImportOut(Schema):
    batch_id: int
    status: str = Field(description="checking | previewed | invalid | applying | applied")
    progress: str = Field(description="What the background task is doing now.")
    ok: bool | None = Field(description="Null while the file is being checked.")
    file_error: str | None = Field(None, description="Why the file could not be read at all.")
    failure: str | None = Field(None, description="Why the last confirm wrote nothing.")
    errors: list[ImportRowError]
    warnings: list[str]
    summary: ImportSummary | None
    waitlisted: list[ImportWaitlisted] = Field(
        [],
        description="Once applied: the new roles that wait on the waitlist, their role being "
        "full (the program's mentee or mentor limit).",
    )

    @staticmethod
    def from_batch(batch) -> ImportOut:
        report = batch.report or {}
        return ImportOut(
            batch_id=batch.pk,
            status=batch.status,
            progress=batch.progress,
            ok=report.get("ok"),
            file_error=report.get("file_error"),
            failure=report.get("failure"),
            errors=report.get("errors", []),
            warnings=report.get("warnings", []),
            summary=report.get("summary"),
            waitlisted=report.get("waitlisted", []),
        )


class ImportConfirmIn(InputSchema):
    skip_problem_rows: ApiBool = Field(
        False,
        description="Import the good rows and leave out the rows with problems (their file: "
        "GET .../problem-rows). Needed when the check found any problem.",
    )
    send_invitations: ApiBool = Field(
        True, description="False holds the invitation emails until you send them."
    )


class EmailInvitationIn(InputSchema):
    emails: str = Field(
        max_length=invitations.MAX_ADDRESSES * 260,
        description="One or more addresses, one a line (commas work too). A line that is not "
        "an address is a 400 with fields ``emails.<line>``; nothing is invited then.",
    )
    role: Annotated[str, OneOf(Role)] = Field(
        description="mentee | mentor; admin is a 400 (admins: POST /{slug}/admins/invitations)"
    )
    send_at: ApiDateTime | None = Field(
        None, description="When the email goes (the periodic job sends it); null: now."
    )


class EmailInvitationOut(Schema):
    id: int
    email: str
    role: str
    state: str = Field(description="pending | accepted | declined | withdrawn | expired")
    delivery: str = Field(description="held | scheduled | sent")
    send_after: datetime | None
    sent_at: datetime | None


class InviteOutcomeOut(Schema):
    invited: list[EmailInvitationOut]
    already_in_program: list[str]
    already_invited: list[EmailInvitationOut]


class SendNowIn(InputSchema):
    ids: list[ApiId] | None = Field(
        None, description="Invitations of this program to send now; null: every one unsent."
    )


class SendNowOut(Schema):
    queued: int


def _admin_program(request: AuthenticatedRequest, slug: str):
    return selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)


@router.get("/{slug}/import/{batch_id}/problem-rows", response={200: None, 404: ErrorOut})
def import_problem_rows(request: AuthenticatedRequest, slug: str, batch_id: TextId):
    """The rows with problems as a file to fix: the upload's format (CSV or XLSX) and header,
    plus a "Problems" column. Kept as long as the upload (its retention), then a 404."""
    program = _admin_program(request, slug)
    name, content = services.import_problem_rows(
        user=request.auth, program_id=program.pk, batch_id=batch_id
    )
    response = HttpResponse(content, content_type=problem_file_type(name))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/{slug}/email-invitations", response=list[EmailInvitationOut])
@paginate(PageNumberPagination, page_size=50)
def email_invitation_list(request: AuthenticatedRequest, slug: str):
    """Invitations whose email has not gone yet (held, then scheduled)."""
    program = _admin_program(request, slug)
    return invitations.participant_invitation_list_unsent(program=program)


@router.post(
    "/{slug}/email-invitations",
    response={201: InviteOutcomeOut, 400: ErrorOut, 404: ErrorOut},
)
def email_invitation_create(request: AuthenticatedRequest, slug: str, payload: EmailInvitationIn):
    """Invite people by email, now or at ``send_at``. Addresses already in the program are
    reported in ``already_in_program``, ones invited and not answering in ``already_invited``;
    neither gets another email."""
    program = _admin_program(request, slug)
    outcome = invitations.participant_invitations_invite(
        user=request.auth, program_id=program.pk, **payload.dict()
    )
    return 201, outcome


@router.post(
    "/{slug}/email-invitations/send",
    response={202: SendNowOut, 404: ErrorOut, 409: ErrorOut},
)
def email_invitation_send(request: AuthenticatedRequest, slug: str, payload: SendNowIn):
    """Send now held or scheduled invitations (each email goes once); 409 when none of them
    is still waiting."""
    program = _admin_program(request, slug)
    queued = invitations.participant_invitations_send_now(
        user=request.auth, program_id=program.pk, invitation_ids=payload.ids
    )
    return 202, {"queued": queued}


@router.post(
    "/{slug}/email-invitations/{invitation_id}/cancel",
    response={200: EmailInvitationOut, 404: ErrorOut, 409: ErrorOut},
)
def email_invitation_cancel(request: AuthenticatedRequest, slug: str, invitation_id: TextId):
    """Cancel an invitation before its email goes; 409 once it was sent."""
    program = _admin_program(request, slug)
    return invitations.participant_invitation_cancel(
        user=request.auth, program_id=program.pk, invitation_id=invitation_id
    )


@router.post(
    "/{slug}/email-invitations/{invitation_id}/resend",
    response={202: EmailInvitationOut, 404: ErrorOut, 409: ErrorOut},
)
def email_invitation_resend(request: AuthenticatedRequest, slug: str, invitation_id: TextId):
    """Send a sent, unanswered invitation's email again, with the same link; 409 within an
    hour of the last email, for one not sent yet, answered, withdrawn or expired."""
    program = _admin_program(request, slug)
    return 202, invitations.participant_invitation_resend(
        user=request.auth, program_id=program.pk, invitation_id=invitation_id
    )
