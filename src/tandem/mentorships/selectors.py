"""Reads about mentorships, scoped to what the caller may see, and the ``access_*`` helpers
every view, API handler and service uses to fetch-and-authorise.

Who reads what (DESIGN.md "Who may read what"), one rule here for every page and endpoint:

- the pair's shared content (agreement versions, goals and milestones, meetings with their
  agenda and shared notes, action items, the timeline, the closing reflection) is read only
  by the two people of the mentorship: ``access_mentorship``, ``access_meeting``,
  ``access_goal``, ``access_action_item``, ``access_milestone``;
- a private note is read only by its author (``private_note_for``, ``private_notes_for``);
- an active admin of the program sees the overview only (``access_mentorship_overview``:
  state, dates, counts; and the early-end reason), never content;
- nobody else sees anything, site staff included, and "missing" and "forbidden" look the same.

Locking is explicit: ``for_update=True`` locks the row and must be called inside
``transaction.atomic`` (checked on every database, so a path that would fail only on
PostgreSQL fails in every test run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.mentorships.models import (
    OPEN_STATES,
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    AgreementVersion,
    CalendarFeed,
    Goal,
    GoalState,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Mentorship,
    MentorshipEvent,
    MentorshipRequest,
    Milestone,
    PrivateNote,
    RequestState,
)
from tandem.programs.models import Enrolment, EnrolmentStatus, Role

MENTORSHIP_NOT_FOUND = "That mentorship does not exist, or you are not part of it."
REQUEST_NOT_FOUND = "That request does not exist, or it is not yours."
MEETING_NOT_FOUND = "That meeting does not exist, or you are not part of it."
GOAL_NOT_FOUND = "That goal does not exist, or you are not part of its mentorship."
ACTION_ITEM_NOT_FOUND = "That action item does not exist, or you are not part of it."
MILESTONE_NOT_FOUND = "That milestone does not exist, or you are not part of it."

MEMBER_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED)


def is_program_admin(*, user, program_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    # ``program__pk`` (not ``program_id``): an id past 64 bits then matches nothing instead of
    # overflowing the database parameter (a 500).
    return Enrolment.objects.filter(
        program__pk=program_id,
        person=user,
        role=Role.ADMIN,
        status=EnrolmentStatus.ACTIVE,
    ).exists()


def _mentorship_qs() -> QuerySet[Mentorship]:
    return Mentorship.objects.select_related(
        "program", "mentor", "mentee", "mentor__profile", "mentee__profile", "ended_by"
    )


@dataclass(frozen=True)
class Viewer:
    """How the caller relates to a mentorship: a participant reads its content, an admin of
    its program only its overview."""

    is_participant: bool
    is_admin: bool

    @property
    def can_write(self) -> bool:
        return self.is_participant

    @property
    def can_read_content(self) -> bool:
        return self.is_participant


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


def _of_participant(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}mentor": user}) | Q(**{f"{prefix}mentee": user})


def access_mentorship(*, user, mentorship_id: int, for_update: bool = False) -> Mentorship:
    """The mentorship and its content, if ``user`` is one of its two participants."""
    if not _authenticated(user):
        raise NotFound(MENTORSHIP_NOT_FOUND)
    qs = lockable(_mentorship_qs(), for_update=for_update)
    mentorship = qs.filter(pk=mentorship_id).filter(_of_participant(user)).first()
    if mentorship is None:
        raise NotFound(MENTORSHIP_NOT_FOUND)
    return mentorship


def access_mentorship_overview(*, user, mentorship_id: int) -> tuple[Mentorship, Viewer]:
    """The mentorship for its participants, or its overview (state, dates, counts) for an
    active admin of its program. Callers show content only when ``viewer.can_read_content``."""
    if not _authenticated(user):
        raise NotFound(MENTORSHIP_NOT_FOUND)
    mentorship = _mentorship_qs().filter(pk=mentorship_id).first()
    if mentorship is None:
        raise NotFound(MENTORSHIP_NOT_FOUND)
    if mentorship.is_participant(user):
        return mentorship, Viewer(is_participant=True, is_admin=False)
    if is_program_admin(user=user, program_id=mentorship.program_id):
        return mentorship, Viewer(is_participant=False, is_admin=True)
    raise NotFound(MENTORSHIP_NOT_FOUND)


def access_request(*, user, request_id: int, for_update: bool = False) -> MentorshipRequest:
    """The request, if ``user`` sent or received it."""
    if not _authenticated(user):
        raise NotFound(REQUEST_NOT_FOUND)
    qs = lockable(
        MentorshipRequest.objects.select_related("program", "sender", "recipient"),
        for_update=for_update,
    )
    found = qs.filter(pk=request_id).filter(Q(sender=user) | Q(recipient=user)).first()
    if found is None:
        raise NotFound(REQUEST_NOT_FOUND)
    return found


def access_meeting(*, user, meeting_id: int, for_update: bool = False) -> Meeting:
    """The meeting (agenda, shared notes), if ``user`` is a participant of its mentorship."""
    if not _authenticated(user):
        raise NotFound(MEETING_NOT_FOUND)
    qs = Meeting.objects.select_related(
        "mentorship",
        "mentorship__program",
        "mentorship__mentor",
        "mentorship__mentee",
        "series",
    )
    meeting = (
        lockable(qs, for_update=for_update)
        .filter(pk=meeting_id)
        .filter(_of_participant(user, "mentorship__"))
        .first()
    )
    if meeting is None:
        raise NotFound(MEETING_NOT_FOUND)
    return meeting


def access_goal(*, user, goal_id: int, for_update: bool = False) -> Goal:
    if not _authenticated(user):
        raise NotFound(GOAL_NOT_FOUND)
    qs = Goal.objects.select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
    goal = (
        lockable(qs, for_update=for_update)
        .filter(pk=goal_id)
        .filter(_of_participant(user, "mentorship__"))
        .first()
    )
    if goal is None:
        raise NotFound(GOAL_NOT_FOUND)
    return goal


def access_milestone(*, user, milestone_id: int, for_update: bool = False) -> Milestone:
    if not _authenticated(user):
        raise NotFound(MILESTONE_NOT_FOUND)
    qs = Milestone.objects.select_related("goal", "goal__mentorship")
    milestone = (
        lockable(qs, for_update=for_update)
        .filter(pk=milestone_id)
        .filter(_of_participant(user, "goal__mentorship__"))
        .first()
    )
    if milestone is None:
        raise NotFound(MILESTONE_NOT_FOUND)
    return milestone


def access_action_item(*, user, action_item_id: int, for_update: bool = False) -> ActionItem:
    if not _authenticated(user):
        raise NotFound(ACTION_ITEM_NOT_FOUND)
    qs = ActionItem.objects.select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
    item = (
        lockable(qs, for_update=for_update)
        .filter(pk=action_item_id)
        .filter(_of_participant(user, "mentorship__"))
        .first()
    )
    if item is None:
        raise NotFound(ACTION_ITEM_NOT_FOUND)
    return item


# Lists -----------------------------------------------------------------------------------


def mentorship_list_for(*, user, open_only: bool = False) -> QuerySet[Mentorship]:
    qs = _mentorship_qs().filter(Q(mentor=user) | Q(mentee=user))
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.order_by("-created_at", "-pk")


def request_list_received(*, user, pending_only: bool = False) -> QuerySet[MentorshipRequest]:
    qs = MentorshipRequest.objects.filter(recipient=user).select_related(
        "program", "sender", "recipient", "sender__profile"
    )
    if pending_only:
        qs = qs.filter(state=RequestState.PENDING)
    return qs.order_by("-created_at", "-pk")


def request_list_sent(*, user, pending_only: bool = False) -> QuerySet[MentorshipRequest]:
    qs = MentorshipRequest.objects.filter(sender=user).select_related(
        "program", "sender", "recipient", "recipient__profile"
    )
    if pending_only:
        qs = qs.filter(state=RequestState.PENDING)
    return qs.order_by("-created_at", "-pk")


def agreement_versions(*, mentorship: Mentorship) -> list[AgreementVersion]:
    return list(mentorship.agreement_versions.select_related("proposed_by").order_by("-number"))


def agreement_in_effect(versions: list[AgreementVersion]) -> AgreementVersion | None:
    """The newest version both have signed (versions sorted newest first)."""
    return next((version for version in versions if version.fully_signed), None)


def meeting_list_for_mentorship(*, mentorship: Mentorship) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(mentorship=mentorship)
        .select_related("series")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("author"))
        )
        .order_by("starts_at", "pk")
    )


def meeting_next(*, mentorship: Mentorship, now: datetime | None = None) -> Meeting | None:
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            mentorship=mentorship,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=now - timedelta(hours=1),
        )
        .order_by("starts_at")
        .first()
    )


def meetings_upcoming_for(
    *, user, now: datetime | None = None, days: int = 14
) -> QuerySet[Meeting]:
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            Q(mentorship__mentor=user) | Q(mentorship__mentee=user),
            mentorship__state__in=OPEN_STATES,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=now - timedelta(hours=1),
            starts_at__lte=now + timedelta(days=days),
        )
        .select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
        .order_by("starts_at")
    )


def private_note_for(*, user, meeting: Meeting) -> PrivateNote | None:
    return PrivateNote.objects.filter(meeting=meeting, author=user).first()


def goal_list_for_mentorship(*, mentorship: Mentorship) -> QuerySet[Goal]:
    return Goal.objects.filter(mentorship=mentorship).prefetch_related(
        "milestones", "updates", "updates__author"
    )


def action_item_list_for_mentorship(*, mentorship: Mentorship) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(mentorship=mentorship)
        .select_related("owner", "meeting")
        .order_by("status", "due_on", "pk")
    )


def action_items_overdue_for(*, user, today: date | None = None) -> QuerySet[ActionItem]:
    """Open, past-due items in the person's open mentorships (theirs or their partner's)."""
    today = today or timezone.localdate()
    return (
        ActionItem.objects.filter(
            Q(mentorship__mentor=user) | Q(mentorship__mentee=user),
            mentorship__state__in=OPEN_STATES,
            status=ActionItemStatus.OPEN,
            due_on__lt=today,
        )
        .select_related("owner", "mentorship", "mentorship__mentor", "mentorship__mentee")
        .order_by("due_on", "pk")
    )


def event_list_for_mentorship(*, mentorship: Mentorship, limit: int = 50) -> list[MentorshipEvent]:
    return list(
        MentorshipEvent.objects.filter(mentorship=mentorship)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )


def calendar_feed_user(*, token: str):
    """The owner of a calendar feed token, or None (revoked tokens simply no longer exist)."""
    if not token or len(token) < 32:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def calendar_meetings_for(*, user) -> tuple[list[MeetingSeries], list[Meeting]]:
    """Everything a person's calendar shows: their series and all their meetings."""
    participant = Q(mentorship__mentor=user) | Q(mentorship__mentee=user)
    series = list(
        MeetingSeries.objects.filter(participant)
        .select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
        .prefetch_related("occurrences")
        .order_by("pk")
    )
    meetings = list(
        Meeting.objects.filter(participant)
        .select_related("mentorship", "mentorship__mentor", "mentorship__mentee", "series")
        .order_by("starts_at", "pk")
    )
    return series, meetings


def request_programs_for(*, user):
    """Programs where ``user`` may send requests (active, non-admin membership)."""
    from tandem.programs.models import Program

    # One filter() call, so all three conditions hold for the same enrolment row.
    return (
        Program.objects.filter(
            enrolments__person=user,
            enrolments__status=EnrolmentStatus.ACTIVE,
            enrolments__role__in=[Role.MENTEE, Role.MENTOR],
            archived_at__isnull=True,
        )
        .distinct()
        .order_by("name")
    )


def request_recipients_for(*, user, program) -> list:
    """Who ``user`` may ask in ``program``: its active mentors (any member in peer programs;
    in reverse programs a mentor may also ask a mentee)."""
    from tandem.people.models import User

    roles = set(
        Enrolment.objects.filter(
            program=program, person=user, status=EnrolmentStatus.ACTIVE
        ).values_list("role", flat=True)
    )
    if not roles:
        return []
    if program.program_type == "peer":
        wanted = [Role.MENTEE, Role.MENTOR]
    else:
        wanted = []
        if Role.MENTEE in roles:
            wanted.append(Role.MENTOR)
        if program.program_type == "reverse" and Role.MENTOR in roles:
            wanted.append(Role.MENTEE)
    return list(
        User.objects.filter(
            enrolments__program=program,
            enrolments__role__in=wanted,
            enrolments__status=EnrolmentStatus.ACTIVE,
            is_active=True,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


@dataclass
class MentorshipPage:
    versions: list
    in_effect: AgreementVersion | None
    latest: AgreementVersion | None
    goals: list
    meetings: list
    next_meeting: Meeting | None
    action_items: list
    overdue: list
    events: list


def mentorship_page(*, mentorship: Mentorship, viewer: Viewer) -> MentorshipPage:
    """Everything the pair sees on the mentorship page (content: participants only)."""
    if not viewer.can_read_content:
        raise NotFound(MENTORSHIP_NOT_FOUND)
    versions = agreement_versions(mentorship=mentorship)
    today = timezone.localdate()
    action_items = list(action_item_list_for_mentorship(mentorship=mentorship))
    return MentorshipPage(
        versions=versions,
        in_effect=agreement_in_effect(versions),
        latest=versions[0] if versions else None,
        goals=list(goal_list_for_mentorship(mentorship=mentorship)),
        meetings=list(meeting_list_for_mentorship(mentorship=mentorship)),
        next_meeting=meeting_next(mentorship=mentorship),
        action_items=action_items,
        overdue=[
            i
            for i in action_items
            if i.status == ActionItemStatus.OPEN and i.due_on and i.due_on < today
        ],
        events=event_list_for_mentorship(mentorship=mentorship),
    )


@dataclass(frozen=True)
class MentorshipOverview:
    """What a program admin sees of a mentorship: status, dates and counts, no content."""

    agreement_versions: int
    agreement_in_effect: int | None
    agreement_signed_at: datetime | None
    goals: int
    goals_achieved: int
    meetings_held: int
    meetings_scheduled: int
    meetings_cancelled: int
    next_meeting_at: datetime | None
    action_items_open: int
    action_items_overdue: int
    action_items_done: int


def mentorship_overview(
    *, mentorship: Mentorship, now: datetime | None = None
) -> MentorshipOverview:
    now = now or timezone.now()
    today = timezone.localdate(now)
    versions = agreement_versions(mentorship=mentorship)
    effective = agreement_in_effect(versions)
    meetings = Meeting.objects.filter(mentorship=mentorship).aggregate(
        held=Count("pk", filter=Q(status=MeetingStatus.SCHEDULED, starts_at__lt=now)),
        scheduled=Count("pk", filter=Q(status=MeetingStatus.SCHEDULED, starts_at__gte=now)),
        cancelled=Count("pk", filter=Q(status=MeetingStatus.CANCELLED)),
    )
    goals = Goal.objects.filter(mentorship=mentorship).aggregate(
        total=Count("pk"), achieved=Count("pk", filter=Q(state=GoalState.ACHIEVED))
    )
    open_items = Q(status=ActionItemStatus.OPEN)
    items = ActionItem.objects.filter(mentorship=mentorship).aggregate(
        open=Count("pk", filter=open_items),
        overdue=Count("pk", filter=open_items & Q(due_on__lt=today)),
        done=Count("pk", filter=Q(status=ActionItemStatus.DONE)),
    )
    upcoming = meeting_next(mentorship=mentorship, now=now)
    return MentorshipOverview(
        agreement_versions=len(versions),
        agreement_in_effect=effective.number if effective else None,
        agreement_signed_at=(
            max(effective.signed_by_mentor_at, effective.signed_by_mentee_at) if effective else None
        ),
        goals=goals["total"],
        goals_achieved=goals["achieved"],
        meetings_held=meetings["held"],
        meetings_scheduled=meetings["scheduled"],
        meetings_cancelled=meetings["cancelled"],
        next_meeting_at=upcoming.starts_at if upcoming else None,
        action_items_open=items["open"],
        action_items_overdue=items["overdue"],
        action_items_done=items["done"],
    )


def meeting_suggestions_for(
    *, mentorship: Mentorship, duration_minutes: int, now: datetime | None = None
) -> list[datetime]:
    """Start times in the coming weeks inside both people's weekly availability."""
    from tandem.mentorships.scheduling import suggest_times, zone_of
    from tandem.people.models import AvailabilityWindow

    rows = AvailabilityWindow.objects.filter(
        profile__user_id__in=[mentorship.mentor_id, mentorship.mentee_id]
    ).values_list("profile__user_id", "weekday", "start_minute", "end_minute")
    windows: dict[int, list[tuple[int, int, int]]] = {
        mentorship.mentor_id: [],
        mentorship.mentee_id: [],
    }
    for user_id, weekday, start, end in rows:
        windows[user_id].append((weekday, start, end))
    return suggest_times(
        windows_a=windows[mentorship.mentor_id],
        zone_a=zone_of(mentorship.mentor),
        windows_b=windows[mentorship.mentee_id],
        zone_b=zone_of(mentorship.mentee),
        now=(now or timezone.now()) + timedelta(hours=12),
        duration_minutes=duration_minutes,
    )


def private_notes_for(*, user, mentorship: Mentorship) -> list[PrivateNote]:
    """The caller's own private notes in a mentorship (never anyone else's)."""
    return list(
        PrivateNote.objects.filter(author=user, meeting__mentorship=mentorship)
        .exclude(body="")
        .select_related("meeting")
        .order_by("-meeting__starts_at")
    )


def mentorship_list_for_program_admin(*, user, program_id: int) -> QuerySet[Mentorship]:
    """All mentorships of a program, for its active admins only."""
    if not is_program_admin(user=user, program_id=program_id):
        raise NotFound(MENTORSHIP_NOT_FOUND)
    return _mentorship_qs().filter(program_id=program_id).order_by("state", "-created_at", "-pk")
