"""What several parts of the API share: the error responses and the mentorship and person
schemas."""

from datetime import date, datetime

from ninja import Field, Schema

from tandem.core.openapi import ErrorOut

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj["name"] if isinstance(obj, dict) else obj.display_name


def _ending_field(obj, context, name: str) -> str | None:
    """Why it ended: for the program's admins and the person who ended it only."""
    if isinstance(obj, dict):
        return obj.get(name)
    user = context["request"].auth
    if getattr(obj, "viewer_is_admin", False) or obj.ended_by_id == user.pk:
        return getattr(obj, name)
    return None


class MentorshipOut(Schema):
    id: int
    program_id: int
    mentor: PersonOut
    mentee: PersonOut
    state: str = Field(description="proposed | active | completed | ended_early")
    origin_request_id: int | None
    match_run_ref: str
    starts_on: date | None
    ends_on: date | None
    created_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None
    ended_by_id: int | None
    end_reason: str | None = Field(
        None, description="Only for program admins and the person who ended it."
    )
    end_category: str | None = Field(
        None,
        description="Why it ended early, as a code: schedule, fit, goals_met, change, left, "
        "program or other (`end_reason` holds the note); seen as `end_reason` is.",
    )
    closing_reflection: str | None = Field(None, description="Only for the two participants.")

    @staticmethod
    def resolve_closing_reflection(obj) -> str | None:
        if isinstance(obj, dict):
            return obj.get("closing_reflection")
        return None if getattr(obj, "viewer_is_admin", False) else obj.closing_reflection

    @staticmethod
    def resolve_end_reason(obj, context) -> str | None:
        return _ending_field(obj, context, "end_reason")

    @staticmethod
    def resolve_end_category(obj, context) -> str | None:
        return _ending_field(obj, context, "end_category")
