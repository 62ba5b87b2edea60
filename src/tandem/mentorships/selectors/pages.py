"""What the mentorship page shows: the pair's content, or the admins' overview (counts and
dates, no content), and meeting times that suit both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from tandem.core.exceptions import NotFound
from tandem.mentorships.models import (
    ActionItem,
    ActionItemStatus,
    AgreementVersion,
    Goal,
    GoalState,
    Meeting,
    MeetingStatus,
    Mentorship,
)
from tandem.mentorships.scheduling import suggest_times, zone_of
from tandem.mentorships.selectors.access import MENTORSHIP_NOT_FOUND, Viewer
from tandem.mentorships.selectors.lists import (
    AGREEMENT_VERSIONS_PAGE,
    action_item_list_for_mentorship,
    agreement_version_in_effect,
    agreement_version_list,
    event_list_for_mentorship,
    goal_list_for_mentorship,
    meeting_list_for_mentorship,
    meeting_next,
)
from tandem.people.models import AvailabilityWindow, User


@dataclass
class MentorshipPage:
    versions: list  # the newest AGREEMENT_VERSIONS_PAGE; the version page pages the rest
    more_versions: bool
    in_effect: AgreementVersion | None
    latest: AgreementVersion | None
    goals: list
    meetings: list
    next_meeting: Meeting | None
    action_items: list
    overdue: list
    events: list

    @property
    def waiting(self) -> AgreementVersion | None:
        """The newest version while it still waits for a signature (a draft or an amendment)."""
        return self.latest if self.latest and not self.latest.fully_signed else None

    @property
    def open_items(self) -> list:
        return [i for i in self.action_items if i.status == ActionItemStatus.OPEN]

    @property
    def done_items(self) -> list:
        return [i for i in self.action_items if i.status != ActionItemStatus.OPEN]


def still_to_sign(*, mentorship: Mentorship, version: AgreementVersion) -> list[User]:
    """Who of the pair has not signed ``version`` yet, mentor first."""
    return [
        person
        for person, signed in (
            (mentorship.mentor, version.signed_by_mentor_at),
            (mentorship.mentee, version.signed_by_mentee_at),
        )
        if not signed
    ]


def mentorship_page(*, mentorship: Mentorship, viewer: Viewer) -> MentorshipPage:
    """Everything the pair sees on the mentorship page (content: participants only)."""
    if not viewer.can_read_content:
        raise NotFound(MENTORSHIP_NOT_FOUND)
    versions = list(agreement_version_list(mentorship=mentorship)[: AGREEMENT_VERSIONS_PAGE + 1])
    today = timezone.localdate()
    action_items = list(action_item_list_for_mentorship(mentorship=mentorship))
    return MentorshipPage(
        versions=versions[:AGREEMENT_VERSIONS_PAGE],
        more_versions=len(versions) > AGREEMENT_VERSIONS_PAGE,
        in_effect=agreement_version_in_effect(mentorship=mentorship),
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
    meetings_missed: int
    next_meeting_at: datetime | None
    action_items_open: int
    action_items_overdue: int
    action_items_done: int


def mentorship_overview(
    *, mentorship: Mentorship, now: datetime | None = None
) -> MentorshipOverview:
    now = now or timezone.now()
    today = timezone.localdate(now)
    effective = agreement_version_in_effect(mentorship=mentorship)
    meetings = Meeting.objects.filter(mentorship=mentorship).aggregate(
        held=Count("pk", filter=Q(status=MeetingStatus.SCHEDULED, starts_at__lt=now)),
        scheduled=Count("pk", filter=Q(status=MeetingStatus.SCHEDULED, starts_at__gte=now)),
        cancelled=Count("pk", filter=Q(status=MeetingStatus.CANCELLED)),
        missed=Count("pk", filter=Q(status=MeetingStatus.MISSED)),
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
        agreement_versions=mentorship.agreement_versions.count(),
        agreement_in_effect=effective.number if effective else None,
        agreement_signed_at=effective.signed_at if effective else None,
        goals=goals["total"],
        goals_achieved=goals["achieved"],
        meetings_held=meetings["held"],
        meetings_scheduled=meetings["scheduled"],
        meetings_cancelled=meetings["cancelled"],
        meetings_missed=meetings["missed"],
        next_meeting_at=upcoming.starts_at if upcoming else None,
        action_items_open=items["open"],
        action_items_overdue=items["overdue"],
        action_items_done=items["done"],
    )


def meeting_suggestions_for(
    *, mentorship: Mentorship, duration_minutes: int, now: datetime | None = None
) -> list[datetime]:
    """Start times in the coming weeks inside both people's weekly availability, from the
    mentorship's start date when that is still ahead (the mentee's midnight that day)."""
    rows = AvailabilityWindow.objects.filter(
        profile__user_id__in=[mentorship.mentor_id, mentorship.mentee_id]
    ).values_list("profile__user_id", "weekday", "start_minute", "end_minute")
    windows: dict[int, list[tuple[int, int, int]]] = {
        mentorship.mentor_id: [],
        mentorship.mentee_id: [],
    }
    for user_id, weekday, start, end in rows:
        windows[user_id].append((weekday, start, end))
    earliest = (now or timezone.now()) + timedelta(hours=12)
    if mentorship.starts_on is not None:
        first_day = datetime.combine(
            mentorship.starts_on, time.min, tzinfo=zone_of(mentorship.mentee)
        )
        earliest = max(earliest, first_day)
    return suggest_times(
        windows_a=windows[mentorship.mentor_id],
        zone_a=zone_of(mentorship.mentor),
        windows_b=windows[mentorship.mentee_id],
        zone_b=zone_of(mentorship.mentee),
        now=earliest,
        duration_minutes=duration_minutes,
    )
