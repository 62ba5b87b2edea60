"""Reads about mentorships, scoped to what the caller may see, and the ``access_*`` helpers
every view, API handler and service uses to fetch-and-authorise.

Who reads what (DESIGN.md "Who may read what"), one rule here for every page and endpoint:

- the pair's shared content (agreement versions, goals and milestones, meetings with their
  agenda and shared notes, action items, the timeline, the closing reflection) is read only
  by the two people of the mentorship: ``access_mentorship``, ``access_meeting``,
  ``access_goal``, ``access_action_item``, ``access_milestone``;
- a private note is read only by its author (``private_note_for``, ``private_notes_for``);
- an admin of the program (``tandem.programs.selectors.is_program_admin``, the one rule)
  sees the overview only (``access_mentorship_overview``:
  state, dates, counts; and the early-end reason), never content;
- nobody else sees anything, site staff included, and "missing" and "forbidden" look the same.

Locking is explicit: ``for_update=True`` locks the row and must be called inside
``transaction.atomic`` (checked on every database, so a path that would fail only on
PostgreSQL fails in every test run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.mentorships.models import (
    ActionItem,
    Goal,
    Meeting,
    Mentorship,
    MentorshipRequest,
    Milestone,
)
from tandem.people.models import User
from tandem.programs.selectors import is_program_admin

MENTORSHIP_NOT_FOUND = "That mentorship does not exist, or you are not part of it."
REQUEST_NOT_FOUND = "That request does not exist, or it is not yours."
MEETING_NOT_FOUND = "That meeting does not exist, or you are not part of it."
GOAL_NOT_FOUND = "That goal does not exist, or you are not part of its mentorship."
ACTION_ITEM_NOT_FOUND = "That action item does not exist, or you are not part of it."
MILESTONE_NOT_FOUND = "That milestone does not exist, or you are not part of it."


def mentorship_queryset() -> QuerySet[Mentorship]:
    """Mentorships with what every page shows of them joined (for the helpers of this package)."""
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


def _authenticated(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return user is not None and user.is_authenticated


def _of_participant(user: User, prefix: str = "") -> Q:
    return Q(**{f"{prefix}mentor": user}) | Q(**{f"{prefix}mentee": user})


def access_mentorship(
    *, user: User | AnonymousUser, mentorship_id: int, for_update: bool = False
) -> Mentorship:
    """The mentorship and its content, if ``user`` is one of its two participants."""
    if not _authenticated(user):
        raise NotFound(MENTORSHIP_NOT_FOUND)
    qs = lockable(mentorship_queryset(), for_update=for_update)
    mentorship = qs.filter(pk=mentorship_id).filter(_of_participant(user)).first()
    if mentorship is None:
        raise NotFound(MENTORSHIP_NOT_FOUND)
    return mentorship


def access_mentorship_overview(
    *, user: User | AnonymousUser, mentorship_id: int
) -> tuple[Mentorship, Viewer]:
    """The mentorship for its participants, or its overview (state, dates, counts) for an
    active admin of its program. Callers show content only when ``viewer.can_read_content``."""
    if not _authenticated(user):
        raise NotFound(MENTORSHIP_NOT_FOUND)
    mentorship = mentorship_queryset().filter(pk=mentorship_id).first()
    if mentorship is None:
        raise NotFound(MENTORSHIP_NOT_FOUND)
    if mentorship.is_participant(user):
        return mentorship, Viewer(is_participant=True, is_admin=False)
    if is_program_admin(user=user, program_id=mentorship.program_id):
        return mentorship, Viewer(is_participant=False, is_admin=True)
    raise NotFound(MENTORSHIP_NOT_FOUND)


def access_request(
    *, user: User | AnonymousUser, request_id: int, for_update: bool = False
) -> MentorshipRequest:
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


def access_meeting(
    *, user: User | AnonymousUser, meeting_id: int, for_update: bool = False
) -> Meeting:
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


def access_goal(*, user: User | AnonymousUser, goal_id: int, for_update: bool = False) -> Goal:
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


def access_milestone(
    *, user: User | AnonymousUser, milestone_id: int, for_update: bool = False
) -> Milestone:
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


def access_action_item(
    *, user: User | AnonymousUser, action_item_id: int, for_update: bool = False
) -> ActionItem:
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
