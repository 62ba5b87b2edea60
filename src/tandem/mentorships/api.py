"""Mentorships API (mounted at ``/api/mentorships/``): requests, mentorships, agreement
versions, goals, meetings (with ``.ics``), action items, ending, calendar feed.

Participants may do everything on their mentorship. Active program admins read only the
mentorship itself (state, dates, how it ended and why); the pair's content (agreement
versions, goals, meetings, agenda, notes, action items, closing reflection) is 404 for them, as
for anyone else. Errors are ``{"detail": ..., "fields": {field: message}}`` with
400/403/404/409, and 422 for a body that does not fit its schema (a date-time without a UTC
offset, a date outside 1900-2100, a number out of range).
"""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Value
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import ApiDate, ApiDateTime, ApiId, ApiInt
from tandem.core.openapi import ErrorOut
from tandem.core.pagination import PageNumberPagination
from tandem.mentorships import calendar as ics
from tandem.mentorships import selectors, services
from tandem.mentorships.models import Mentorship

router = Router(tags=["mentorships"])


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj["name"] if isinstance(obj, dict) else obj.display_name


class RequestIn(Schema):
    program_id: ApiId
    recipient_id: ApiId
    message: str = Field(description="A few sentences about your goals.")


class RequestOut(Schema):
    id: int
    program_id: int
    sender: PersonOut
    recipient: PersonOut
    mentor_id: int
    mentee_id: int
    message: str
    state: str = Field(description="pending | accepted | declined | withdrawn | expired")
    decline_reason: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None


class DeclineIn(Schema):
    reason: str = ""


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
    closing_reflection: str | None = Field(None, description="Only for the two participants.")

    @staticmethod
    def resolve_closing_reflection(obj) -> str | None:
        if isinstance(obj, dict):
            return obj.get("closing_reflection")
        return None if getattr(obj, "viewer_is_admin", False) else obj.closing_reflection

    @staticmethod
    def resolve_end_reason(obj, context) -> str | None:
        if isinstance(obj, dict):
            return obj.get("end_reason")
        user = context["request"].auth
        if getattr(obj, "viewer_is_admin", False) or obj.ended_by_id == user.pk:
            return obj.end_reason
        return None


class Objective(Schema):
    goal: str
    measure: str = ""
    target_date: str = ""


class AgreementContent(Schema):
    objectives: list[Objective]
    mentor_expectations: str = ""
    mentee_expectations: str = ""
    cadence: str = Field(description="weekly | biweekly | monthly | quarterly")
    meeting_format: str = Field(description="video | call | in_person | chat")
    meeting_minutes: ApiInt
    focus_areas: str = ""
    desired_outcomes: str = ""
    starts_on: ApiDate
    ends_on: ApiDate
    confidentiality: str
    no_fault_exit: str


class VersionOut(Schema):
    number: int
    content: dict[str, Any]
    proposed_by_id: int | None
    created_at: datetime
    signed_by_mentor_at: datetime | None
    signed_by_mentee_at: datetime | None
    in_effect: bool = False


class GoalIn(Schema):
    title: str
    measure: str = ""
    target_date: ApiDate | None = None


class GoalOut(Schema):
    id: int
    title: str
    measure: str
    target_date: date | None
    state: str
    percent: int


class ProgressIn(Schema):
    state: str = Field(description="not_started | in_progress | achieved | dropped")
    percent: int = Field(..., ge=0, le=100)
    note: str = ""


class ProgressOut(Schema):
    id: int
    goal_id: int
    state: str
    percent: int
    note: str
    created_at: datetime


class MilestoneIn(Schema):
    title: str
    due_on: ApiDate | None = None


class MilestoneOut(Schema):
    id: int
    goal_id: int
    title: str
    due_on: date | None
    done_at: datetime | None


class MeetingIn(Schema):
    starts_at: ApiDateTime = Field(
        description="With a UTC offset, e.g. 2026-05-04T09:00:00+02:00 (without one: 422)."
    )
    ends_at: ApiDateTime
    format: str = Field(description="video | call | in_person | chat")
    video_url: str = Field("", description="Empty for video: a private room is generated.")
    location: str = ""
    repeat: Literal["", "weekly", "biweekly", "monthly", "quarterly"] = ""
    count: ApiInt | None = Field(None, description="Meetings in the series (COUNT).")
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
    status: str
    sequence: int
    shared_notes: str
    ics_url: str


class RescheduleIn(Schema):
    starts_at: ApiDateTime
    ends_at: ApiDateTime


class TextIn(Schema):
    text: str


class AgendaOut(Schema):
    id: int
    meeting_id: int
    author_id: int | None
    text: str
    created_at: datetime


class NotesIn(Schema):
    shared_notes: str


class PrivateNoteIn(Schema):
    body: str


class PrivateNoteOut(Schema):
    meeting_id: int
    body: str
    updated_at: datetime | None


class SuggestionOut(Schema):
    starts_at: datetime


class ActionItemIn(Schema):
    description: str
    owner_id: ApiId
    due_on: ApiDate | None = None
    meeting_id: ApiId | None = None


class ActionItemOut(Schema):
    id: int
    mentorship_id: int
    meeting_id: int | None
    description: str
    owner_id: int
    due_on: date | None
    status: str
    done_at: datetime | None


class StatusIn(Schema):
    status: Literal["open", "done"]


class EndIn(Schema):
    reason: str = Field(description="Private to program admins.")


class CompleteIn(Schema):
    reflection: str


class FeedOut(Schema):
    url: str


class SeriesOut(Schema):
    id: int
    rrule: str
    cancelled_at: datetime | None
    sequence: int


def _as_viewer(mentorship: Mentorship, is_admin: bool) -> Mentorship:
    mentorship.viewer_is_admin = is_admin
    return mentorship


def _meeting_out(meeting) -> dict:
    data = {
        field: getattr(meeting, field)
        for field in (
            "id",
            "mentorship_id",
            "series_id",
            "starts_at",
            "duration_minutes",
            "format",
            "video_url",
            "location",
            "status",
            "sequence",
            "shared_notes",
        )
    }
    data["ics_url"] = reverse("meeting_ics", args=[meeting.pk])
    return data


# Requests -------------------------------------------------------------------------------


@router.post("/requests", response={201: RequestOut, **ERRORS})
def create_request(request: HttpRequest, payload: RequestIn):
    return 201, services.request_create(sender=request.auth, **payload.dict())


@router.get("/requests", response=list[RequestOut])
@paginate(PageNumberPagination, page_size=20)
def list_requests(
    request: HttpRequest, box: Literal["received", "sent"] = "received", pending: bool = False
):
    if box == "sent":
        return selectors.request_list_sent(user=request.auth, pending_only=pending)
    return selectors.request_list_received(user=request.auth, pending_only=pending)


@router.get("/requests/{request_id}", response={200: RequestOut, **ERRORS})
def get_request(request: HttpRequest, request_id: int):
    return selectors.access_request(user=request.auth, request_id=request_id)


@router.post("/requests/{request_id}/accept", response={201: MentorshipOut, **ERRORS})
def accept_request(request: HttpRequest, request_id: int):
    return 201, services.request_accept(user=request.auth, request_id=request_id)


@router.post("/requests/{request_id}/decline", response={200: RequestOut, **ERRORS})
def decline_request(request: HttpRequest, request_id: int, payload: DeclineIn):
    return services.request_decline(user=request.auth, request_id=request_id, reason=payload.reason)


@router.post("/requests/{request_id}/withdraw", response={200: RequestOut, **ERRORS})
def withdraw_request(request: HttpRequest, request_id: int):
    return services.request_withdraw(user=request.auth, request_id=request_id)


# Calendar feed --------------------------------------------------------------------------


@router.get("/calendar-feed", response=FeedOut)
def get_calendar_feed(request: HttpRequest):
    feed = services.calendar_feed_ensure(user=request.auth)
    return {"url": request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))}


@router.post("/calendar-feed/regenerate", response=FeedOut)
def regenerate_calendar_feed(request: HttpRequest):
    feed = services.calendar_feed_regenerate(user=request.auth)
    return {"url": request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))}


# Mentorships ----------------------------------------------------------------------------


@router.get("/", response=list[MentorshipOut])
@paginate(PageNumberPagination, page_size=20)
def list_mentorships(request: HttpRequest, open_only: bool = False):
    return selectors.mentorship_list_for(user=request.auth, open_only=open_only)


@router.get("/programs/{program_id}", response={200: list[MentorshipOut], **ERRORS})
@paginate(PageNumberPagination, page_size=50)
def list_program_mentorships(request: HttpRequest, program_id: int):
    """Program admins: every mentorship of the program, with how it ended (and why)."""
    return selectors.mentorship_list_for_program_admin(
        user=request.auth, program_id=program_id
    ).annotate(viewer_is_admin=Value(True))


@router.get("/{mentorship_id}", response={200: MentorshipOut, **ERRORS})
def get_mentorship(request: HttpRequest, mentorship_id: int):
    mentorship, viewer = selectors.access_mentorship_overview(
        user=request.auth, mentorship_id=mentorship_id
    )
    return _as_viewer(mentorship, viewer.is_admin)


@router.get("/{mentorship_id}/agreement/versions", response={200: list[VersionOut], **ERRORS})
def list_versions(request: HttpRequest, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    versions = selectors.agreement_versions(mentorship=mentorship)
    effective = selectors.agreement_in_effect(versions)
    return [
        {
            **VersionOut.from_orm(v).dict(),
            "in_effect": effective is not None and v.pk == effective.pk,
        }
        for v in versions
    ]


@router.post(
    "/{mentorship_id}/agreement/versions",
    response={201: VersionOut, 200: VersionOut, **ERRORS},
    description="201 with the new version; 200 with the latest version, unchanged, when the "
    "content says what it already says (no version is made and nobody is asked to sign).",
)
def propose_version(request: HttpRequest, mentorship_id: int, payload: AgreementContent):
    content = payload.dict()
    content["objectives"] = [dict(o) for o in content["objectives"]]
    version, created = services.agreement_propose(
        user=request.auth, mentorship_id=mentorship_id, content=content
    )
    if created:
        return 201, version
    return 200, {**VersionOut.from_orm(version).dict(), "in_effect": version.fully_signed}


@router.post(
    "/{mentorship_id}/agreement/versions/{number}/sign", response={200: VersionOut, **ERRORS}
)
def sign_version(request: HttpRequest, mentorship_id: int, number: int):
    version = services.agreement_sign(user=request.auth, mentorship_id=mentorship_id, number=number)
    return {**VersionOut.from_orm(version).dict(), "in_effect": version.fully_signed}


@router.post("/{mentorship_id}/midpoint/confirm", response={200: MentorshipOut, **ERRORS})
def confirm_midpoint(request: HttpRequest, mentorship_id: int):
    return services.mentorship_confirm_midpoint(user=request.auth, mentorship_id=mentorship_id)


@router.post("/{mentorship_id}/end", response={200: MentorshipOut, **ERRORS})
def end_early(request: HttpRequest, mentorship_id: int, payload: EndIn):
    return services.mentorship_end_early(
        user=request.auth, mentorship_id=mentorship_id, reason=payload.reason
    )


@router.post("/{mentorship_id}/complete", response={200: MentorshipOut, **ERRORS})
def complete(request: HttpRequest, mentorship_id: int, payload: CompleteIn):
    return services.mentorship_complete(
        user=request.auth, mentorship_id=mentorship_id, reflection=payload.reflection
    )


# Goals ----------------------------------------------------------------------------------


@router.get("/{mentorship_id}/goals", response={200: list[GoalOut], **ERRORS})
def list_goals(request: HttpRequest, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return list(selectors.goal_list_for_mentorship(mentorship=mentorship))


@router.post("/{mentorship_id}/goals", response={201: GoalOut, **ERRORS})
def create_goal(request: HttpRequest, mentorship_id: int, payload: GoalIn):
    return 201, services.goal_create(
        user=request.auth, mentorship_id=mentorship_id, **payload.dict()
    )


@router.post(
    "/goals/{goal_id}/progress",
    response={201: ProgressOut, 200: GoalOut, **ERRORS},
    description="201 with the recorded update; 200 with the goal, unchanged, when state and "
    "percent are what it already has and no note is given (nothing is recorded).",
)
def goal_progress(request: HttpRequest, goal_id: int, payload: ProgressIn):
    goal, update = services.goal_update_progress(
        user=request.auth, goal_id=goal_id, **payload.dict()
    )
    if update is None:
        return 200, goal
    return 201, update


@router.post("/goals/{goal_id}/milestones", response={201: MilestoneOut, **ERRORS})
def add_milestone(request: HttpRequest, goal_id: int, payload: MilestoneIn):
    return 201, services.milestone_add(user=request.auth, goal_id=goal_id, **payload.dict())


@router.post("/milestones/{milestone_id}/toggle", response={200: MilestoneOut, **ERRORS})
def toggle_milestone(request: HttpRequest, milestone_id: int):
    return services.milestone_toggle(user=request.auth, milestone_id=milestone_id)


# Meetings -------------------------------------------------------------------------------


@router.get("/{mentorship_id}/meetings", response={200: list[MeetingOut], **ERRORS})
def list_meetings(request: HttpRequest, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return [_meeting_out(m) for m in selectors.meeting_list_for_mentorship(mentorship=mentorship)]


@router.get("/{mentorship_id}/meetings/suggestions", response={200: list[SuggestionOut], **ERRORS})
def meeting_suggestions(
    request: HttpRequest, mentorship_id: int, duration_minutes: int = Query(45, ge=5, le=480)
):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return [
        {"starts_at": s}
        for s in selectors.meeting_suggestions_for(
            mentorship=mentorship, duration_minutes=duration_minutes
        )
    ]


@router.post("/{mentorship_id}/meetings", response={201: MeetingOut, **ERRORS})
def schedule_meeting(request: HttpRequest, mentorship_id: int, payload: MeetingIn):
    meeting = services.meeting_schedule(
        user=request.auth, mentorship_id=mentorship_id, **payload.dict()
    )
    return 201, _meeting_out(meeting)


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS})
def get_meeting(request: HttpRequest, meeting_id: int):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    return _meeting_out(meeting)


@router.get("/meetings/{meeting_id}/ics", response={200: None, **ERRORS})
def meeting_ics(request: HttpRequest, meeting_id: int):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    response = HttpResponse(ics.meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tandem-meeting-{meeting.pk}.ics"'
    return response


@router.post("/meetings/{meeting_id}/reschedule", response={200: MeetingOut, **ERRORS})
def reschedule_meeting(request: HttpRequest, meeting_id: int, payload: RescheduleIn):
    return _meeting_out(
        services.meeting_reschedule(user=request.auth, meeting_id=meeting_id, **payload.dict())
    )


@router.post("/meetings/{meeting_id}/cancel", response={200: MeetingOut, **ERRORS})
def cancel_meeting(request: HttpRequest, meeting_id: int):
    return _meeting_out(services.meeting_cancel(user=request.auth, meeting_id=meeting_id))


@router.post("/meetings/{meeting_id}/cancel-series", response={200: SeriesOut, **ERRORS})
def cancel_series(request: HttpRequest, meeting_id: int):
    return services.meeting_series_cancel(user=request.auth, meeting_id=meeting_id)


@router.get("/meetings/{meeting_id}/agenda", response={200: list[AgendaOut], **ERRORS})
def list_agenda(request: HttpRequest, meeting_id: int):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    return list(meeting.agenda_items.all())


@router.post("/meetings/{meeting_id}/agenda", response={201: AgendaOut, **ERRORS})
def add_agenda_item(request: HttpRequest, meeting_id: int, payload: TextIn):
    return 201, services.agenda_item_add(
        user=request.auth, meeting_id=meeting_id, text=payload.text
    )


@router.put("/meetings/{meeting_id}/notes", response={200: MeetingOut, **ERRORS})
def update_notes(request: HttpRequest, meeting_id: int, payload: NotesIn):
    return _meeting_out(
        services.meeting_notes_update(
            user=request.auth, meeting_id=meeting_id, shared_notes=payload.shared_notes
        )
    )


@router.get("/meetings/{meeting_id}/private-note", response={200: PrivateNoteOut, **ERRORS})
def get_private_note(request: HttpRequest, meeting_id: int):
    meeting = selectors.access_meeting(user=request.auth, meeting_id=meeting_id)
    note = selectors.private_note_for(user=request.auth, meeting=meeting)
    return {
        "meeting_id": meeting.pk,
        "body": note.body if note else "",
        "updated_at": note.updated_at if note else None,
    }


@router.put("/meetings/{meeting_id}/private-note", response={200: PrivateNoteOut, **ERRORS})
def put_private_note(request: HttpRequest, meeting_id: int, payload: PrivateNoteIn):
    note = services.private_note_save(user=request.auth, meeting_id=meeting_id, body=payload.body)
    return {"meeting_id": note.meeting_id, "body": note.body, "updated_at": note.updated_at}


# Action items ---------------------------------------------------------------------------


@router.get("/{mentorship_id}/action-items", response={200: list[ActionItemOut], **ERRORS})
def list_action_items(request: HttpRequest, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.auth, mentorship_id=mentorship_id)
    return list(selectors.action_item_list_for_mentorship(mentorship=mentorship))


@router.post("/{mentorship_id}/action-items", response={201: ActionItemOut, **ERRORS})
def create_action_item(request: HttpRequest, mentorship_id: int, payload: ActionItemIn):
    return 201, services.action_item_create(
        user=request.auth, mentorship_id=mentorship_id, **payload.dict()
    )


@router.post("/action-items/{action_item_id}/status", response={200: ActionItemOut, **ERRORS})
def set_action_item_status(request: HttpRequest, action_item_id: int, payload: StatusIn):
    return services.action_item_set_status(
        user=request.auth, action_item_id=action_item_id, status=payload.status
    )
