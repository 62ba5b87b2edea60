"""Goals (with milestones and progress history) and action items."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from tandem.core.dates import DATE_OUT_OF_RANGE, date_in_range
from tandem.core.exceptions import ApplicationError
from tandem.core.locking import refuse_repeat
from tandem.core.text import one_line
from tandem.mentorships.models import (
    ActionItem,
    ActionItemStatus,
    Goal,
    GoalState,
    GoalUpdate,
    Meeting,
    Milestone,
)
from tandem.mentorships.selectors import (
    access_action_item,
    access_goal,
    access_mentorship,
    access_milestone,
)
from tandem.mentorships.services.common import event_add, mentorship_url, notify_send_owner
from tandem.mentorships.services.lifecycle import check_open
from tandem.mentorships.services.pauses import today_for
from tandem.people.models import User

TITLE_REQUIRED = "Give the goal a short title."
TEXT_TOO_LONG = "Keep this under {limit} characters."
# Each a one-line input; the API's schema states them (``up_to``).
TITLE_LIMIT = 200  # a goal's or a milestone's
MEASURE_LIMIT = 300
PROGRESS_NOTE_LIMIT = 500
ACTION_ITEM_LIMIT = 300
BAD_STATE = "Choose not started, in progress, achieved or dropped."
BAD_PERCENT = "Progress is a whole number from 0 to 100."
DESCRIPTION_REQUIRED = "Describe what needs doing."
OWNER_NOT_PARTICIPANT = "The owner must be one of you two."
MEETING_NOT_IN_MENTORSHIP = "That meeting is not part of this mentorship."
BAD_STATUS = "Choose open or done."
DATE_PASSED = "That date has passed; choose today or a later date."
# A double submit (or an identical add while the first is still open) adds nothing: the
# first one's row is shown (``core.locking.refuse_repeat``).
GOAL_REPEATED = "This goal is already there, still open: it was added once."
MILESTONE_REPEATED = "This milestone is already on the goal, not yet done: it was added once."
ACTION_ITEM_REPEATED = (
    "This action item is already there, still open for the same person: it was added once."
)
OPEN_GOAL_STATES = (GoalState.NOT_STARTED, GoalState.IN_PROGRESS)

# Timeline summaries say who did what, never the goal's or the action item's text: the timeline
# is the pair's, but events are also listed in the site admin (DESIGN.md "Who may read what").
EVENT_GOAL_ADDED = "{actor} added a goal."
EVENT_GOAL_PROGRESS = "{actor} updated a goal: {state}, {percent}%."
EVENT_ACTION_ITEM_ADDED = "{actor} added an action item for {owner}."
EVENT_ACTION_ITEM_DONE = "{actor} completed an action item."


def _limit(value: str, limit: int, field: str) -> str:
    """A single-line text (titles, measures, notes, descriptions: each a one-line input)."""
    value = one_line(value)
    if len(value) > limit:
        message = TEXT_TOO_LONG.format(limit=limit)
        raise ApplicationError(message, fields={field: message})
    return value


def _goals_url(mentorship_id: int) -> str:
    return mentorship_url(mentorship_id) + "#goals"


def _check_new_date(value: date | None, field: str, *, user: User) -> None:
    """A date being set now (a target or due date) is today or later where ``user`` is: a
    date already gone would be overdue at once and count against the pair's health. Only new
    dates are checked; saving progress or a status keeps a date that has since passed."""
    if not date_in_range(value):
        raise ApplicationError(DATE_OUT_OF_RANGE, fields={field: DATE_OUT_OF_RANGE})
    if value is not None and value < today_for(user)[0]:
        raise ApplicationError(DATE_PASSED, fields={field: DATE_PASSED})


def goal_create(
    *,
    user: User,
    mentorship_id: int,
    title: str,
    measure: str = "",
    target_date: date | None = None,
) -> Goal:
    title = _limit(title, TITLE_LIMIT, "title")
    if not title:
        raise ApplicationError(TITLE_REQUIRED, fields={"title": TITLE_REQUIRED})
    measure = _limit(measure, MEASURE_LIMIT, "measure")
    _check_new_date(target_date, "target_date", user=user)
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        check_open(mentorship)
        refuse_repeat(
            Goal.objects.filter(mentorship=mentorship, title=title, state__in=OPEN_GOAL_STATES),
            message=GOAL_REPEATED,
            url=_goals_url(mentorship.pk),
        )
        goal = Goal.objects.create(
            mentorship=mentorship,
            title=title,
            measure=measure,
            target_date=target_date,
            created_by=user,
        )
        event_add(
            mentorship=mentorship,
            actor=user,
            kind="goal_added",
            summary=EVENT_GOAL_ADDED.format(actor=user.display_name),
        )
    return goal


def goal_update_progress(
    *, user: User, goal_id: int, state: str, percent: int, note: str = ""
) -> tuple[Goal, GoalUpdate | None]:
    """Record progress as ``(goal, update)``; ``(goal, None)`` when state and percent are
    what the goal already has and no note is given: an update that says nothing is not one."""
    if state not in GoalState.values:
        raise ApplicationError(BAD_STATE, fields={"state": BAD_STATE})
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ApplicationError(BAD_PERCENT, fields={"percent": BAD_PERCENT})
    note = _limit(note, PROGRESS_NOTE_LIMIT, "note")
    if state == GoalState.ACHIEVED:
        percent = 100
    with transaction.atomic():
        goal = access_goal(user=user, goal_id=goal_id, for_update=True)
        check_open(goal.mentorship)
        if (goal.state, goal.percent, note) == (state, percent, ""):
            return goal, None
        goal.state, goal.percent = state, percent
        goal.save(update_fields=["state", "percent"])
        update = GoalUpdate.objects.create(
            goal=goal, author=user, state=state, percent=percent, note=note
        )
        event_add(
            mentorship=goal.mentorship,
            actor=user,
            kind="goal_progress",
            summary=EVENT_GOAL_PROGRESS.format(
                actor=user.display_name, state=GoalState(state).label.lower(), percent=percent
            ),
        )
    return goal, update


def milestone_add(*, user: User, goal_id: int, title: str, due_on: date | None = None) -> Milestone:
    title = _limit(title, TITLE_LIMIT, "title")
    if not title:
        raise ApplicationError(TITLE_REQUIRED, fields={"title": TITLE_REQUIRED})
    _check_new_date(due_on, "due_on", user=user)
    with transaction.atomic():
        goal = access_goal(user=user, goal_id=goal_id, for_update=True)
        check_open(goal.mentorship)
        refuse_repeat(
            goal.milestones.filter(title=title, done_at__isnull=True),
            message=MILESTONE_REPEATED,
            url=_goals_url(goal.mentorship_id),
        )
        milestone = Milestone.objects.create(goal=goal, title=title, due_on=due_on)
    return milestone


def milestone_toggle(*, user: User, milestone_id: int, done: bool | None = None) -> Milestone:
    """Mark a milestone done (``done=True``) or not done; the same sent again changes nothing.
    Without ``done`` it turns to the other state, so the same request sent twice (a retry, a
    double click) undid itself: an API review sent it three times at once and got "done",
    "not done" and "done" back."""
    with transaction.atomic():
        milestone = access_milestone(user=user, milestone_id=milestone_id, for_update=True)
        check_open(milestone.goal.mentorship)
        if done is None:
            done = milestone.done_at is None
        if done != (milestone.done_at is not None):
            milestone.done_at = timezone.now() if done else None
            milestone.save(update_fields=["done_at"])
    return milestone


def action_item_create(
    *,
    user: User,
    mentorship_id: int,
    description: str,
    owner_id: int,
    due_on: date | None = None,
    meeting_id: int | None = None,
) -> ActionItem:
    description = _limit(description, ACTION_ITEM_LIMIT, "description")
    if not description:
        raise ApplicationError(DESCRIPTION_REQUIRED, fields={"description": DESCRIPTION_REQUIRED})
    _check_new_date(due_on, "due_on", user=user)
    with transaction.atomic():
        mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=True)
        check_open(mentorship)
        if owner_id not in (mentorship.mentor_id, mentorship.mentee_id):
            raise ApplicationError(OWNER_NOT_PARTICIPANT, fields={"owner": OWNER_NOT_PARTICIPANT})
        meeting = None
        if meeting_id is not None:
            meeting = Meeting.objects.filter(pk=meeting_id, mentorship=mentorship).first()
            if meeting is None:
                raise ApplicationError(
                    MEETING_NOT_IN_MENTORSHIP, fields={"meeting": MEETING_NOT_IN_MENTORSHIP}
                )
        owner = mentorship.mentor if owner_id == mentorship.mentor_id else mentorship.mentee
        refuse_repeat(
            mentorship.action_items.filter(
                description=description, owner=owner, status=ActionItemStatus.OPEN
            ),
            message=ACTION_ITEM_REPEATED,
            url=mentorship_url(mentorship) + "#action-items",
        )
        item = ActionItem.objects.create(
            mentorship=mentorship,
            meeting=meeting,
            description=description,
            owner=owner,
            due_on=due_on,
            created_by=user,
        )
        event_add(
            mentorship=mentorship,
            actor=user,
            kind="action_item_added",
            summary=EVENT_ACTION_ITEM_ADDED.format(
                actor=user.display_name, owner=owner.display_name
            ),
        )
        if owner.pk != user.pk:
            notify_send_owner(item=item, actor=user)
    return item


def action_item_set_status(*, user: User, action_item_id: int, status: str) -> ActionItem:
    if status not in ActionItemStatus.values:
        raise ApplicationError(BAD_STATUS, fields={"status": BAD_STATUS})
    with transaction.atomic():
        item = access_action_item(user=user, action_item_id=action_item_id, for_update=True)
        check_open(item.mentorship)
        if item.status != status:
            item.status = status
            item.done_at = timezone.now() if status == ActionItemStatus.DONE else None
            item.save(update_fields=["status", "done_at"])
            if status == ActionItemStatus.DONE:
                event_add(
                    mentorship=item.mentorship,
                    actor=user,
                    kind="action_item_done",
                    summary=EVENT_ACTION_ITEM_DONE.format(actor=user.display_name),
                )
    return item


def action_item_toggle(*, user: User, action_item_id: int, done: bool | None = None) -> ActionItem:
    """Mark an item done (``done=True``) or open; the same sent again changes nothing (a double
    click on the page). Without ``done``, done becomes open and open done, under the row lock."""
    with transaction.atomic():
        item = access_action_item(user=user, action_item_id=action_item_id, for_update=True)
        if done is None:
            done = item.status != ActionItemStatus.DONE
        status = ActionItemStatus.DONE if done else ActionItemStatus.OPEN
        return action_item_set_status(user=user, action_item_id=action_item_id, status=status)
