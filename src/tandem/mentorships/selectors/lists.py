"""Lists and pages' reads about mentorships, for a caller already given access (see
``access``): the person's own mentorships, requests, meetings and items; a program's
mentorships for its admins."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    F,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from tandem.core.exceptions import NotFound
from tandem.mentorships.models import (
    OPEN_STATES,
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    AgreementVersion,
    CalendarFeed,
    Goal,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Mentorship,
    MentorshipEvent,
    MentorshipRequest,
    MentorshipState,
    PrivateNote,
    RequestState,
)
from tandem.mentorships.scheduling import moved_by_clock_change
from tandem.mentorships.selectors.access import (
    mentorship_queryset,
)
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tandem.programs.selectors import PROGRAM_NOT_FOUND, is_program_admin


def mentorship_list_for(*, user: User, open_only: bool = False) -> QuerySet[Mentorship]:
    qs = mentorship_queryset().filter(Q(mentor=user) | Q(mentee=user))
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.order_by("-created_at", "-pk")


def request_list_received(*, user: User, pending_only: bool = False) -> QuerySet[MentorshipRequest]:
    qs = MentorshipRequest.objects.filter(recipient=user).select_related(
        "program", "sender", "recipient", "sender__profile"
    )
    if pending_only:
        qs = qs.filter(state=RequestState.PENDING)
    return qs.order_by("-created_at", "-pk")


def request_list_sent(*, user: User, pending_only: bool = False) -> QuerySet[MentorshipRequest]:
    qs = MentorshipRequest.objects.filter(sender=user).select_related(
        "program", "sender", "recipient", "recipient__profile"
    )
    if pending_only:
        qs = qs.filter(state=RequestState.PENDING)
    return qs.order_by("-created_at", "-pk")


# How many versions a page lists at once (the API pages them the same way).
AGREEMENT_VERSIONS_PAGE = 25


def agreement_version_list(*, mentorship: Mentorship) -> QuerySet[AgreementVersion]:
    """Every version, newest first, each marked ``in_effect`` (True for one at most): a
    QuerySet, so a page of it reads one page of rows, and the mark is a comparison with one
    row's key rather than a walk over every version to find it."""
    effective = _signed_by_both(mentorship).values("pk")[:1]
    return (
        mentorship.agreement_versions.select_related("proposed_by")
        .annotate(
            in_effect=Case(
                When(pk=Subquery(effective), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-number")
    )


def agreement_version_in_effect(*, mentorship: Mentorship) -> AgreementVersion | None:
    """The newest version both have signed (one row)."""
    return _signed_by_both(mentorship).select_related("proposed_by").first()


def agreement_version_latest(*, mentorship: Mentorship) -> AgreementVersion | None:
    """The newest version, signed or not (one row)."""
    return mentorship.agreement_versions.select_related("proposed_by").order_by("-number").first()


def _signed_by_both(mentorship: Mentorship) -> QuerySet[AgreementVersion]:
    # ``AgreementVersion.fully_signed`` in SQL: both signatures are there.
    return mentorship.agreement_versions.filter(
        signed_by_mentor_at__isnull=False, signed_by_mentee_at__isnull=False
    ).order_by("-number")


def meeting_list_for_mentorship(*, mentorship: Mentorship) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(mentorship=mentorship)
        .select_related("series")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("author"))
        )
        .order_by("starts_at", "pk")
    )


def meeting_moved_by_clock_change(*, meeting: Meeting) -> str | None:
    """Why this occurrence of a series is not at the series' time of day, when a clock change
    took that time away on its day; None otherwise (and for a meeting moved by hand)."""
    series = meeting.series
    if series is None or meeting.is_moved_occurrence:
        return None
    return moved_by_clock_change(
        meeting.starts_at, series_start=series.starts_at, zone=zoneinfo.ZoneInfo(series.timezone)
    )


def series_moved_by_clock_change(*, series_id: int) -> list[str]:
    """``meeting_moved_by_clock_change`` for each occurrence of a series that it concerns
    (a series has at most ``MAX_OCCURRENCES``)."""
    occurrences = Meeting.objects.filter(series_id=series_id).select_related("series")
    notes = (meeting_moved_by_clock_change(meeting=m) for m in occurrences.order_by("starts_at"))
    return [note for note in notes if note]


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
    *, user: User, now: datetime | None = None, days: int = 14
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


def private_note_for(*, user: User, meeting: Meeting) -> PrivateNote | None:
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


def action_items_overdue_for(*, user: User, today: date | None = None) -> QuerySet[ActionItem]:
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


def calendar_feed_user(*, token: str) -> User | None:
    """The owner of a calendar feed token, or None (revoked tokens simply no longer exist)."""
    if not token or len(token) < 32:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def calendar_meetings_for(*, user: User) -> tuple[list[MeetingSeries], list[Meeting]]:
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


def request_programs_for(*, user: User) -> QuerySet[Program]:
    """Programs where ``user`` may send requests (active, non-admin membership)."""
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


def request_recipients_for(*, user: User, program: Program) -> QuerySet[User]:
    """Who ``user`` may ask in ``program``: its active mentors (any member in peer programs;
    in reverse programs a mentor may also ask a mentee)."""
    roles = set(
        Enrolment.objects.filter(
            program=program, person=user, status=EnrolmentStatus.ACTIVE
        ).values_list("role", flat=True)
    )
    if not roles:
        return User.objects.none()
    if program.program_type == "peer":
        wanted = [Role.MENTEE, Role.MENTOR]
    else:
        wanted = []
        if Role.MENTEE in roles:
            wanted.append(Role.MENTOR)
        if program.program_type == "reverse" and Role.MENTOR in roles:
            wanted.append(Role.MENTEE)
    return (
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


def programs_to_find_a_mentor(*, user: User) -> list[Program]:
    """Programs where ``user`` is an active mentee and mentees choose their mentor themselves
    (self-serve, or admin-matched with direct requests allowed)."""
    mentee_of = Program.objects.filter(
        enrolments__person=user,
        enrolments__status=EnrolmentStatus.ACTIVE,
        enrolments__role=Role.MENTEE,
        archived_at__isnull=True,
    ).order_by("name")
    return [program for program in mentee_of.distinct() if program.takes_direct_requests]


def private_notes_for(*, user: User, mentorship: Mentorship) -> list[PrivateNote]:
    """The caller's own private notes in a mentorship (never anyone else's)."""
    return list(
        PrivateNote.objects.filter(author=user, meeting__mentorship=mentorship)
        .exclude(body="")
        .select_related("meeting")
        .order_by("-meeting__starts_at")
    )


def mentorship_list_for_program_admin(*, user: User, program_id: int) -> QuerySet[Mentorship]:
    """All mentorships of a program, for its active admins only. ``viewer_is_admin`` is False
    on the rows where the admin is one of the pair: there they read what a participant reads
    (never what another admin wrote about them, such as an end reason)."""
    if not is_program_admin(user=user, program_id=program_id):
        raise NotFound(PROGRAM_NOT_FOUND)  # about the program asked for, as its reports say
    return (
        mentorship_queryset()
        .filter(program_id=program_id)
        .annotate(
            viewer_is_admin=Case(
                When(Q(mentor=user) | Q(mentee=user), then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
        .order_by("state", "-created_at", "-pk")
    )


# The next steps a person's dashboard lists -------------------------------------------------


def requests_waiting_for(*, user: User, now: datetime | None = None) -> list[MentorshipRequest]:
    """Requests ``user`` still has to answer, the soonest to expire first."""
    return list(
        MentorshipRequest.objects.filter(
            recipient=user, state=RequestState.PENDING, expires_at__gt=now or timezone.now()
        )
        .select_related("program", "sender")
        .order_by("expires_at", "pk")[:10]
    )


ENDED_STATES = (MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY)


def requests_sent_recently(*, user: User, since: datetime) -> list[MentorshipRequest]:
    """The person's requests still waiting, and those answered or closed since ``since``;
    not an accepted one whose mentorship has since ended: "Your request to … Accepted" under
    "Where things stand" read as if it were still under way (journeys review, after an early
    end)."""
    return list(
        MentorshipRequest.objects.filter(sender=user)
        .filter(Q(state=RequestState.PENDING) | Q(decided_at__gte=since))
        .exclude(state=RequestState.ACCEPTED, mentorship__state__in=ENDED_STATES)
        .select_related("program", "recipient", "mentorship")
        .order_by("-created_at", "-pk")[:10]
    )


def agreements_awaiting_signature(*, user: User) -> list[AgreementVersion]:
    """In each of the person's open mentorships, the newest agreement version if they have
    not signed it yet (only the newest can be signed)."""
    # The person's open mentorships first, then their versions by the indexed key: an OR
    # across the join would scan every version of every pair.
    mine = Mentorship.objects.filter(Q(mentor=user) | Q(mentee=user), state__in=OPEN_STATES)
    versions = (
        AgreementVersion.objects.filter(mentorship__in=mine.values("pk"))
        .select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
        .order_by("mentorship_id", "-number")
    )
    newest: dict[int, AgreementVersion] = {}
    for version in versions:
        newest.setdefault(version.mentorship_id, version)
    return [
        version
        for version in newest.values()
        if not (
            version.signed_by_mentor_at
            if version.mentorship.mentor_id == user.pk
            else version.signed_by_mentee_at
        )
    ]


def action_items_open_for(*, user: User, limit: int = 10) -> list[ActionItem]:
    """The person's own open items in their open mentorships: overdue first, then by due
    date, undated last."""
    return list(
        ActionItem.objects.filter(
            owner=user, mentorship__state__in=OPEN_STATES, status=ActionItemStatus.OPEN
        )
        .select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:limit]
    )
