"""``POST /api/people/me/delete``: delete your own account (docs/people.md, *Deleting your
account*). Mounted beside ``people.api``'s router."""

from __future__ import annotations

from ninja import Field, Router

from tandem.core.api_types import AuthenticatedRequest, InputSchema
from tandem.core.openapi import ErrorOut
from tandem.people.ratelimit import client_ip
from tandem.people.services.closing import account_delete

router = Router(tags=["people"])


class AccountDeleteIn(InputSchema):
    password: str = Field(description="Your current password, typed again to confirm.")


@router.post(
    "/me/delete",
    response={204: None, 400: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    summary="Delete your account",
    operation_id="tandem_people_api_account_delete",
)
def account_delete_api(request: AuthenticatedRequest, payload: AccountDeleteIn):
    """Erase your profile, background, tokens and settings, leave every program and end your
    open mentorships (the other side is told); what you shared with others stays for them as
    "a former member". It cannot be undone. 400 on ``password`` when it is wrong (counted as a
    failed log-in: 429 after too many); 409 when you are the last admin of a program. Every
    token, this one included, stops working."""
    account_delete(user=request.auth, password=payload.password, ip=client_ip(request))
    return 204, None
