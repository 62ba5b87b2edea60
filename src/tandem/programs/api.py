"""Programs API (mounted at ``/api/programs/``): programs, participants, invitation links,
joining, and participant import/export.

Every operation needs authentication. Programs you may not see answer 404 exactly like missing
ones; admin operations answer 404 to participants too. Errors are
``{"detail": ..., "fields": {field: message}}``.
"""

from datetime import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    ApiBool,
    ApiDateTime,
    ApiId,
    ApiInt,
    AuthenticatedRequest,
    InputSchema,
    OneOf,
    TextId,
    up_to_items,
    within,
)
from tandem.core.openapi import ErrorOut
from tandem.core.pagination import PageNumberPagination
from tandem.core.streaming import streamed_download
from tandem.core.uploads import upload_request_body, uploaded_file
from tandem.matching.records.cells import CAPACITY_MAX
from tandem.notify.services import absolute_url
from tandem.programs import selectors, services
from tandem.programs.api_admins import router as admins_router
from tandem.programs.api_joining import JOINED, joined_out
from tandem.programs.api_joining import router as joining_router
from tandem.programs.api_schemas import (
    EnrolmentOut,
    JoinIn,
    ProgramIn,
    ProgramOut,
    ProgramPatch,
)
from tandem.programs.exports import export_csv_lines
from tandem.programs.imports import services as import_services
from tandem.programs.imports.api import ImportConfirmIn, ImportOut
from tandem.programs.imports.api import router as imports_router
from tandem.programs.imports.reading import MAX_UPLOAD_BYTES
from tandem.programs.models import EnrolmentStatus, Role
from tandem.programs.selectors import ProgramAccess
from tandem.programs.services.enrolment_bulk import BULK_MAX
from tandem.programs.services.enrolments import MAX_INVITATION_USES, TRANSITIONS

router = Router(tags=["programs"])
router.add_router("", admins_router)
router.add_router("", imports_router)
router.add_router("", joining_router)


class ParticipantFilter(Schema):
    role: Role | None = None
    status: EnrolmentStatus | None = None
    q: str = Field("", description="Search in name and email.")


class EnrolmentActionIn(InputSchema):
    action: Annotated[str, OneOf(*TRANSITIONS)] = Field(
        description="approve | pause | remove | reactivate | admit (from the waitlist)"
    )


class BulkStatusIn(InputSchema):
    ids: Annotated[list[ApiId], up_to_items(BULK_MAX)] = Field(
        description="Enrolment ids of this program, each awaiting approval or waitlisted."
    )
    action: Annotated[str, OneOf(*services.BULK_ACTIONS)] = Field(
        description="approve (awaiting approval) | decline (either) | admit (waitlisted)"
    )


class BulkStatusOut(Schema):
    action: str
    changed: int
    enrolments: list[EnrolmentOut]


class CapacityIn(InputSchema):
    capacity: Annotated[ApiInt, within(1, CAPACITY_MAX)]


class InvitationIn(InputSchema):
    role: Annotated[str, OneOf(Role)] = Field(
        description="mentee | mentor; admin is a 400 (admins: POST /{slug}/admins/invitations, "
        "by e-mail)"
    )
    expires_at: ApiDateTime | None = None
    max_uses: Annotated[ApiInt, within(1, MAX_INVITATION_USES)] | None = None
    auto_approve: ApiBool = False


class InvitationOut(Schema):
    id: int
    role: str
    token: str
    url: str
    auto_approve: bool
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    revoked_at: datetime | None
    state: str = Field(description="usable | revoked | expired | used up")

    @staticmethod
    def resolve_url(obj, context) -> str:
        return absolute_url(reverse("program_join", args=[obj.token]))


def _fields(payload: Schema) -> dict:
    return payload.dict(exclude_unset=True)


@router.get("/", response=list[ProgramOut])
@paginate(PageNumberPagination, page_size=20)
def program_list(request: AuthenticatedRequest):
    """Programs you take part in."""
    return selectors.program_list_for_user(user=request.auth)


@router.post("/", response={201: ProgramOut, 400: ErrorOut, 403: ErrorOut})
def program_create(request: AuthenticatedRequest, payload: ProgramIn):
    """Needs the right to create programs (Django's ``programs.add_program``, granted by a site
    admin per user or group; the staff flag alone is not enough): without it a 403 says whom to
    ask. You become the program's first admin."""
    fields = {k: v for k, v in _fields(payload).items() if v is not None}
    return 201, services.program_create(user=request.auth, **fields)


@router.get("/{slug}", response={200: ProgramOut, 404: ErrorOut})
def program_detail(request: AuthenticatedRequest, slug: str):
    return selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.VIEW)


@router.patch("/{slug}", response={200: ProgramOut, 400: ErrorOut, 404: ErrorOut})
def program_update(request: AuthenticatedRequest, slug: str, payload: ProgramPatch):
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return services.program_update(user=request.auth, program_id=program.pk, **_fields(payload))


@router.get("/{slug}/participants", response=list[EnrolmentOut])
@paginate(PageNumberPagination, page_size=50)
def participant_list(request: AuthenticatedRequest, slug: str, filters: Query[ParticipantFilter]):
    """Program admins: every enrolment, filtered by role, status and a search term."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return selectors.participant_list(
        program=program, role=filters.role or "", status=filters.status or "", search=filters.q
    )


@router.post(
    "/{slug}/participants/{enrolment_id}/status",
    response={200: EnrolmentOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def enrolment_set_status(
    request: AuthenticatedRequest, slug: str, enrolment_id: TextId, payload: EnrolmentActionIn
):
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return services.enrolment_set_status(
        user=request.auth, program_id=program.pk, enrolment_id=enrolment_id, action=payload.action
    )


@router.post(
    "/{slug}/enrolments/bulk-status",
    response={200: BulkStatusOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def enrolment_set_status_bulk(request: AuthenticatedRequest, slug: str, payload: BulkStatusIn):
    """Program admins: approve or decline many people awaiting approval, or admit or decline
    many on the waitlist, in one go (at most 500). All or nothing: an id that is not this
    program's (unknown, or another program's, the same answer) is a 400 whose ``fields["ids"]``
    names those ids; anyone the action does not apply to is a 409 whose ``detail`` names each
    person and why (``fields`` by ``ids.<id>``), as is approving past a role's limit."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    changed = services.enrolment_set_status_bulk(
        user=request.auth, program_id=program.pk, enrolment_ids=payload.ids, action=payload.action
    )
    return {"action": payload.action, "changed": len(changed), "enrolments": changed}


@router.post(
    "/{slug}/participants/{enrolment_id}/make-admin",
    response={200: EnrolmentOut, 404: ErrorOut, 409: ErrorOut},
)
def program_admin_promote(request: AuthenticatedRequest, slug: str, enrolment_id: TextId):
    """Program admins: make an active or paused participant an admin too; returns their admin
    enrolment. 409 when they already are one or are not an active or paused participant."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return services.program_admin_promote(
        user=request.auth, program_id=program.pk, enrolment_id=enrolment_id
    )


@router.post(
    "/{slug}/participants/{enrolment_id}/capacity",
    response={200: EnrolmentOut, 400: ErrorOut, 404: ErrorOut},
)
def enrolment_update_capacity(
    request: AuthenticatedRequest, slug: str, enrolment_id: TextId, payload: CapacityIn
):
    """Program admins, or the mentor themself."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.MEMBER)
    return services.enrolment_update_capacity(
        user=request.auth,
        program_id=program.pk,
        enrolment_id=enrolment_id,
        capacity=payload.capacity,
    )


@router.get("/{slug}/invitations", response=list[InvitationOut])
@paginate(PageNumberPagination, page_size=50)
def invitation_list(request: AuthenticatedRequest, slug: str):
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return selectors.invitation_list(program=program)


@router.post("/{slug}/invitations", response={201: InvitationOut, 400: ErrorOut, 404: ErrorOut})
def invitation_create(request: AuthenticatedRequest, slug: str, payload: InvitationIn):
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return 201, services.invitation_create(
        user=request.auth, program_id=program.pk, **payload.dict()
    )


@router.post(
    "/{slug}/invitations/{invitation_id}/revoke", response={200: InvitationOut, 404: ErrorOut}
)
def invitation_revoke(request: AuthenticatedRequest, slug: str, invitation_id: TextId):
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return services.invitation_revoke(
        user=request.auth, program_id=program.pk, invitation_id=invitation_id
    )


@router.post("/join/{token}", response=JOINED)
def program_join(request: AuthenticatedRequest, token: str, payload: JoinIn):
    """Join with an invitation token: 201, pending, or active when the link auto-approves;
    ``waitlisted`` when the role is full. The same join again (a retry: same answers, the
    enrolment still open) is a 200 with the same body, written nothing."""
    return joined_out(
        services.enrolment_join(user=request.auth, token=token, answers=payload.answers)
    )


@router.post(
    "/{slug}/import",
    response={202: ImportOut, 400: ErrorOut, 404: ErrorOut},
    openapi_extra=upload_request_body("file", "The participants' CSV or XLSX."),
)
def import_dry_run(request: AuthenticatedRequest, slug: str):
    """Upload a CSV or XLSX: stores the file and queues its check; writes no participant.

    Poll ``GET /{slug}/import/{batch_id}`` until ``status`` is ``previewed`` or ``invalid``.
    A file too large or of the wrong type, or a body that is no multipart upload with the field
    ``file``, is a 400 at once. Identity columns are ignored.
    """
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    file = uploaded_file(request, field="file")
    content = file.read(MAX_UPLOAD_BYTES + 1)
    batch = import_services.import_preview(
        user=request.auth,
        program_id=program.pk,
        filename=file.name or "upload.csv",
        content=content,
    )
    return 202, ImportOut.from_batch(batch)


@router.get("/{slug}/import/{batch_id}", response={200: ImportOut, 404: ErrorOut})
def import_status(request: AuthenticatedRequest, slug: str, batch_id: TextId):
    """Where an upload is: being checked, its report, being written, or imported."""
    return ImportOut.from_batch(
        selectors.access_import_batch(user=request.auth, slug=slug, batch_id=batch_id)
    )


@router.post(
    "/{slug}/import/{batch_id}/confirm", response={202: ImportOut, 404: ErrorOut, 409: ErrorOut}
)
def import_confirm(
    request: AuthenticatedRequest,
    slug: str,
    batch_id: TextId,
    payload: ImportConfirmIn | None = None,
):
    """Queue the write of a checked upload's good rows (one transaction, all or nothing); poll
    as above. With rows with problems, 409 unless ``skip_problem_rows``."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    batch = import_services.import_confirm(
        user=request.auth,
        program_id=program.pk,
        batch_id=batch_id,
        **(payload.dict() if payload else {}),
    )
    return 202, ImportOut.from_batch(batch)


@router.get("/{slug}/export", response={200: None, 404: ErrorOut})
def export(request: AuthenticatedRequest, slug: str):
    """Participants as CSV in the import's columns (identity is never exported)."""
    program = selectors.access_program(user=request.auth, slug=slug, need=ProgramAccess.ADMIN)
    return streamed_download(
        request,
        export_csv_lines(program=program),
        content_type="text/csv; charset=utf-8",
        filename=f"{program.slug}.csv",
    )
