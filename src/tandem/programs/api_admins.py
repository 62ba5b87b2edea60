"""Programs API, a program's admins adding admins by email (part of ``/api/programs/``): invite
someone, send an invitation again, withdraw one nobody answered. Making a participant an admin
is in ``api``. The operation ids are pinned: these operations moved here from ``api``."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Router, Schema

from tandem.core.api_types import AuthenticatedRequest, InputSchema, TextId, up_to
from tandem.core.openapi import ErrorOut
from tandem.programs import selectors, services
from tandem.programs.selectors import ProgramAccess
from tandem.programs.services.admins import MAX_EMAIL

router = Router(tags=["programs"])


class AdminInviteIn(InputSchema):
    email: Annotated[str, up_to(MAX_EMAIL)]


class AdminInvitationOut(Schema):
    id: int
    email: str
    role: str
    state: str = Field(description="pending | accepted | declined | withdrawn | expired")
    created_at: datetime = Field(description="When it was last sent.")
    expires_at: datetime | None = Field(description="Its link stops working then.")


@router.post(
    "/{slug}/admins/invitations",
    response={201: AdminInvitationOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="tandem_programs_api_program_admin_invite",
)
def program_admin_invite(request: AuthenticatedRequest, slug: str, payload: AdminInviteIn):
    """Program admins: email someone an invitation to become an admin (they accept it signed in
    with that address, within 14 days). 409 while an invitation to them waits for an answer
    (the message says when it was sent; ``.../resend`` sends it again); an expired, declined or
    withdrawn one is sent anew. 409 too when they already are an admin, their admin role here is
    paused or removed, or their account is deactivated (the same words as make-admin); the
    last two only for someone enrolled in the program: any other address is invited alike,
    whether or not it has an account."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return 201, services.program_admin_invite(
        user=request.auth, program_id=program.pk, email=payload.email
    )


@router.post(
    "/{slug}/admins/invitations/{invitation_id}/withdraw",
    response={200: AdminInvitationOut, 404: ErrorOut, 409: ErrorOut},
)
def program_admin_invitation_withdraw(
    request: AuthenticatedRequest, slug: str, invitation_id: TextId
):
    """Program admins: withdraw an admin invitation nobody answered (waiting or expired); its
    link stops working. 409 when it was already accepted, declined or withdrawn; 404 for an
    invitation of another program."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return services.program_admin_invitation_withdraw(
        user=request.auth, program_id=program.pk, invitation_id=invitation_id
    )


@router.post(
    "/{slug}/admins/invitations/{invitation_id}/resend",
    response={200: AdminInvitationOut, 404: ErrorOut, 409: ErrorOut},
)
def program_admin_invitation_resend(
    request: AuthenticatedRequest, slug: str, invitation_id: TextId
):
    """Program admins: send an admin invitation nobody answered (waiting or expired) again, as
    a new link with a new date; the old link stops working. 409 while its last email has not
    gone yet, and once accepted, declined or withdrawn; 404 for an invitation of another
    program."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return services.program_admin_invitation_resend(
        user=request.auth, program_id=program.pk, invitation_id=invitation_id
    )
