from datetime import datetime
from typing import Annotated

from ninja import Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import ApiBool, ApiTime, AuthenticatedRequest, InputSchema, OneOf, TextId
from tandem.core.pagination import PageNumberPagination
from tandem.notify import services
from tandem.notify.kinds import ALL_KINDS, Kind
from tandem.notify.selectors import (
    notification_list_for,
    notification_unread_count,
    preference_for,
)

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Schema):
    unread: int


class PreferenceSchema(InputSchema):
    email_kinds: list[Annotated[str, OneOf(Kind)]]
    daily_digest: ApiBool
    # Optional: a client that leaves them out keeps the quiet hours it does not know about.
    quiet_from: ApiTime | None = None
    quiet_until: ApiTime | None = None


class PreferenceOut(PreferenceSchema):
    available_kinds: list[str]


class CountOut(Schema):
    marked: int


@router.get("/", response=list[NotificationOut])
@paginate(PageNumberPagination, page_size=25)
def list_notifications(request: AuthenticatedRequest, unread: bool = False):
    return notification_list_for(user=request.auth, unread_only=unread)


@router.get("/unread-count", response=UnreadOut)
def unread_count(request: AuthenticatedRequest):
    return {"unread": notification_unread_count(user=request.auth)}


@router.post("/{notification_id}/read", response=NotificationOut)
def mark_read(request: AuthenticatedRequest, notification_id: TextId):
    return services.notification_mark_read(user=request.auth, notification_id=notification_id)


@router.post("/read-all", response=CountOut)
def mark_all_read(request: AuthenticatedRequest):
    return {"marked": services.notification_mark_all_read(user=request.auth)}


def _preference_out(preference) -> dict:
    return {
        "email_kinds": preference.email_kinds,
        "daily_digest": preference.daily_digest,
        "quiet_from": preference.quiet_from,
        "quiet_until": preference.quiet_until,
        "available_kinds": ALL_KINDS,
    }


@router.get("/preferences", response=PreferenceOut)
def get_preferences(request: AuthenticatedRequest):
    return _preference_out(preference_for(user=request.auth))


@router.put("/preferences", response=PreferenceOut)
def put_preferences(request: AuthenticatedRequest, payload: PreferenceSchema):
    given = payload.model_fields_set
    quiet = (
        {"quiet_hours": (payload.quiet_from, payload.quiet_until)}
        if {"quiet_from", "quiet_until"} & given
        else {}
    )
    preference = services.preference_update(
        user=request.auth,
        email_kinds=payload.email_kinds,
        daily_digest=payload.daily_digest,
        **quiet,
    )
    return _preference_out(preference)
