"""Meetings: schedule, suggestions, read, .ics, reschedule, cancel, say whether it took place,
agenda, shared and private notes."""

from datetime import datetime
from typing import Annotated

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    TEXT_DIGITS,
    WHOLE_NUMBER,
    ApiDate,
    ApiDateTime,
    ApiInt,
    AuthenticatedRequest,
    InputSchema,
    OneOf,
    TextId,
    up_to,
    within,
)
from tandem.core.exceptions import ApplicationError
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import calendar as ics
from tandem.mentorships import selectors, services
from tandem.mentorships.api.common import ERRORS
from tandem.mentorships.models import MeetingFormat, PrivateNote
from tandem.mentorships.models.meetings import NOTES_MAX_LENGTH
from tandem.mentorships.scheduling import MAX_OCCURRENCES, SUGGESTIONS_MAX
from tandem.mentorships.services.meeting_notes import AGENDA_ITEM_LIMIT, notes_version
from tandem.mentorships.services.meeting_places import LOCATION_LIMIT, VIDEO_URL_LIMIT
from tandem.mentorships.services.meetings import MAX_MINUTES, MIN_MINUTES, MIN_OCCURRENCES
from tandem.people.choices import Cadence

router = Router()

# A meeting length asked for in the query string.
SuggestionMinutes = Annotated[int, Field(ge=MIN_MINUTES, le=MAX_MINUTES), TEXT_DIGITS]


class MeetingIn(InputSchema):
    starts_at: ApiDateTime = Field(
        description="With a UTC offset, e.g. 2026-05-04T09:00:00+02:00 (without one: 422)."
    )
    ends_at: ApiDateTime
    format: Annotated[str, OneOf(MeetingFormat)]
    video_url: Annotated[str, up_to(VIDEO_URL_LIMIT)] = Field(
        "", description="Empty for video: a private room is generated."
    )
    location: Annotated[str, up_to(LOCATION_LIMIT)] = ""
    repeat: Annotated[str, OneOf(Cadence, "")] = ""
    count: Annotated[ApiInt, within(MIN_OCCURRENCES, MAX_OCCURRENCES)] | None = Field(
        None, description="Meetings in the series (COUNT)."
    )
    until: ApiDate | None = Field(
        None, description="Last day of the series (UNTIL); default: the agreement end."
    )


class MeetingOut(Schema):
    id: int
    mentorship_id: int
    series_id: int | None
    starts_at: datetime
    duration_minutes: int
    format: str
    video_url: str
    location: str
    status: str = Field(
        description="scheduled | cancelled | missed (one of the pair said it did not take place)"
    )
    missed_marked_by_id: int | None = Field(
        description="Who said it did not take place (while status is missed)."
    )
    missed_marked_at: datetime | None
    sequence: int
    shared_notes: str
    notes_version: str = Field(
        description="Send it back as `edited_from` when saving notes edited from these."
    )
    ics_url: str

    @staticmethod
    def resolve_notes_version(meeting) -> str:
        return notes_version(meeting.shared_notes)

    @staticmethod
    def resolve_ics_url(meeting) -> str:
        return reverse("meeting_ics", args=[meeting.pk])


SEEN_TOGETHER = "Send seen_starts_at and seen_minutes together, or neither."


class RescheduleIn(InputSchema):
    starts_at: ApiDateTime = Field(
        description="The new start. The meeting's `starts_at` sent back as it came, with the "
        "same length, is no move: nothing changes and nobody is told. The start of another "
        "scheduled meeting of the mentorship (to the second) is a 409 naming `starts_at`."
    )
    ends_at: ApiDateTime = Field(
        description="The new end; the length is kept to the nearest minute (5 to 480)."
    )
    seen_starts_at: ApiDateTime | None = Field(
        None,
        description="The `starts_at` you read the meeting at. With `seen_minutes` (both or "
        "neither, 422 otherwise): if the meeting has moved since (the partner moved it), "
        "nothing is saved and the answer is a 409 saying where it is now. Without them the "
        "new time is saved as given.",
    )
    seen_minutes: Annotated[int, Field(ge=MIN_MINUTES, le=MAX_MINUTES), WHOLE_NUMBER] | None = (
        Field(None, description="The `duration_minutes` you read the meeting at.")
    )

    def seen(self) -> tuple[datetime, int] | None:
        """Where the caller read the meeting, if they said: half of it is a mistake, not an
        unconditional move."""
        if self.seen_starts_at is None and self.seen_minutes is None:
            return None
        if self.seen_starts_at is None or self.seen_minutes is None:
            missing = "seen_minutes" if self.seen_starts_at else "seen_starts_at"
            raise ApplicationError(SEEN_TOGETHER, fields={missing: SEEN_TOGETHER}, status=422)
        return self.seen_starts_at, self.seen_minutes


class TextIn(InputSchema):
    text: Annotated[str, up_to(AGENDA_ITEM_LIMIT)]


class AgendaOut(Schema):
    id: int
    meeting_id: int
    author_id: int | None
    text: str
    created_at: datetime


class NotesIn(InputSchema):
    shared_notes: Annotated[str, up_to(NOTES_MAX_LENGTH)]
    edited_from: str | None = Field(
        default=None,
        max_length=16,
        description="The `notes_version` the text was edited from: if the notes changed since, "
        "nothing is saved and the answer is a 409.",
    )


class PrivateNoteIn(InputSchema):
    body: Annotated[str, up_to(NOTES_MAX_LENGTH)]


class PrivateNoteOut(Schema):
    meeting_id: int
    body: str
    updated_at: datetime | None


class SuggestionOut(Schema):
    starts_at: datetime


class SeriesOut(Schema):
    id: int
    rrule: str
    cancelled_at: datetime | None
    sequence: int


@router.get(
    "/{mentorship_id}/meetings",
    response={200: list[MeetingOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_meetings",
)
@paginate(PageNumberPagination, page_size=25)
def list_meetings(request: AuthenticatedRequest, mentorship_id: TextId):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return selectors.meeting_list_for_mentorship(mentorship=mentorship)


@router.get(
    "/{mentorship_id}/meetings/suggestions",
    response={200: Annotated[list[SuggestionOut], Field(max_length=SUGGESTIONS_MAX)], **ERRORS},
    operation_id="tandem_mentorships_api_meeting_suggestions",
    description=f"At most {SUGGESTIONS_MAX} start times in the coming three weeks, earliest "
    "first: one short list, not paged.",
)
def meeting_suggestions(
    request: AuthenticatedRequest,
    mentorship_id: TextId,
    duration_minutes: SuggestionMinutes = 45,
):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return [
        {"starts_at": s}
        for s in selectors.meeting_suggestions_for(
            mentorship=mentorship, duration_minutes=duration_minutes
        )
    ]


@router.post(
    "/{mentorship_id}/meetings",
    response={201: MeetingOut, **ERRORS},
    operation_id="tandem_mentorships_api_schedule_meeting",
)
def schedule_meeting(request: AuthenticatedRequest, mentorship_id: TextId, payload: MeetingIn):
    meeting = services.meeting_schedule(
        user=request.auth, mentorship_id=mentorship_id, **payload.dict()
    )
    return 201, meeting


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **ERRORS},
    operation_id="tandem_mentorships_api_get_meeting",
)
def get_meeting(request: AuthenticatedRequest, meeting_id: TextId):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    return meeting


@router.get(
    "/meetings/{meeting_id}/ics",
    response={200: None, **ERRORS},
    operation_id="tandem_mentorships_api_meeting_ics",
)
def meeting_ics(request: AuthenticatedRequest, meeting_id: TextId):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    response = HttpResponse(ics.meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tandem-meeting-{meeting.pk}.ics"'
    return response


@router.post(
    "/meetings/{meeting_id}/reschedule",
    response={200: MeetingOut, **ERRORS},
    operation_id="tandem_mentorships_api_reschedule_meeting",
)
def reschedule_meeting(request: AuthenticatedRequest, meeting_id: TextId, payload: RescheduleIn):
    meeting, _ = services.meeting_reschedule(
        user=request.auth,
        meeting_id=meeting_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        seen=payload.seen(),
    )
    return meeting


@router.post(
    "/meetings/{meeting_id}/cancel",
    response={200: MeetingOut, **ERRORS},
    operation_id="tandem_mentorships_api_cancel_meeting",
)
def cancel_meeting(request: AuthenticatedRequest, meeting_id: TextId):
    return services.meeting_cancel(user=request.auth, meeting_id=meeting_id)


@router.post(
    "/meetings/{meeting_id}/missed",
    response={200: MeetingOut, **ERRORS},
    operation_id="tandem_mentorships_api_mark_meeting_missed",
    summary="Say the meeting did not take place",
    description="Either of the pair, once it has started and up to 60 days after (409 "
    "otherwise, or for a cancelled meeting). The other is told once; saying it again changes "
    "nothing.",
)
def mark_meeting_missed(request: AuthenticatedRequest, meeting_id: TextId):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    marked, _ = services.meeting_mark_missed(actor=request.auth, meeting=meeting)
    return marked


@router.post(
    "/meetings/{meeting_id}/held",
    response={200: MeetingOut, **ERRORS},
    operation_id="tandem_mentorships_api_mark_meeting_held",
    summary="Say the meeting did take place (undo missed)",
    description="Same rules as /missed; for a meeting not marked as missed it changes nothing.",
)
def mark_meeting_held(request: AuthenticatedRequest, meeting_id: TextId):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    marked, _ = services.meeting_mark_held(actor=request.auth, meeting=meeting)
    return marked


@router.post(
    "/meetings/{meeting_id}/cancel-series",
    response={200: SeriesOut, **ERRORS},
    operation_id="tandem_mentorships_api_cancel_series",
)
def cancel_series(request: AuthenticatedRequest, meeting_id: TextId):
    return services.meeting_series_cancel(user=request.auth, meeting_id=meeting_id)


@router.get(
    "/meetings/{meeting_id}/agenda",
    response={200: list[AgendaOut], **ERRORS},
    operation_id="tandem_mentorships_api_list_agenda",
)
@paginate(PageNumberPagination, page_size=25)
def list_agenda(request: AuthenticatedRequest, meeting_id: TextId):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    return meeting.agenda_items.all()


@router.post(
    "/meetings/{meeting_id}/agenda",
    response={201: AgendaOut, **ERRORS},
    operation_id="tandem_mentorships_api_add_agenda_item",
)
def add_agenda_item(request: AuthenticatedRequest, meeting_id: TextId, payload: TextIn):
    return 201, services.agenda_item_add(
        user=request.auth, meeting_id=meeting_id, text=payload.text
    )


@router.put(
    "/meetings/{meeting_id}/notes",
    response={200: MeetingOut, **ERRORS},
    operation_id="tandem_mentorships_api_update_notes",
)
def update_notes(request: AuthenticatedRequest, meeting_id: TextId, payload: NotesIn):
    meeting, _ = services.meeting_notes_update(
        user=request.auth,
        meeting_id=meeting_id,
        shared_notes=payload.shared_notes,
        edited_from=payload.edited_from,
    )
    return meeting


@router.get(
    "/meetings/{meeting_id}/private-note",
    response={200: PrivateNoteOut, **ERRORS},
    operation_id="tandem_mentorships_api_get_private_note",
)
def get_private_note(request: AuthenticatedRequest, meeting_id: TextId):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    note = selectors.private_note_for(user=request.auth, meeting=meeting)
    return _private_note_out(meeting.pk, note)


def _private_note_out(meeting_id: int, note: PrivateNote | None) -> dict[str, object]:
    """The caller's note; no note reads as an empty one."""
    return {
        "meeting_id": meeting_id,
        "body": note.body if note else "",
        "updated_at": note.updated_at if note else None,
    }


@router.put(
    "/meetings/{meeting_id}/private-note",
    response={200: PrivateNoteOut, **ERRORS},
    operation_id="tandem_mentorships_api_put_private_note",
)
def put_private_note(request: AuthenticatedRequest, meeting_id: TextId, payload: PrivateNoteIn):
    note, _ = services.private_note_save(
        user=request.auth, meeting_id=meeting_id, body=payload.body
    )
    return _private_note_out(meeting_id, note)
