"""Reads about mentorships, scoped to what the caller may see, and the ``access_*`` helpers
every view, API handler and service uses to fetch-and-authorise.

Who reads what (DESIGN.md "Who may read what"), one rule here for every page and endpoint:

- the pair's shared content (agreement versions, goals and milestones, meetings with their
  agenda and shared notes, action items, the timeline, the closing reflection) is read only
  by the two people of the mentorship: ``access_mentorship``, ``access_meeting``,
  ``access_goal``, ``access_action_item``, ``access_milestone``;
- a private note is read only by its author (``private_note_for``, ``private_notes_for``);
- an admin of the program (``tandem.programs.selectors.is_program_admin``, the one rule)
  sees the overview only (``access_mentorship(need=MentorshipAccess.OVERVIEW)``:
  state, dates, counts; and the early-end reason), never content;
- nobody else sees anything, site staff included, and "missing" and "forbidden" look the same.

Locking is explicit: ``for_update=True`` locks the row and must be called inside
``transaction.atomic`` (checked on every database, so a path that would fail only on
PostgreSQL fails in every test run).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet

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
from tandem.people.selectors import is_signed_in
from tandem.programs.selectors import is_program_admin

MENTORSHIP_NOT_FOUND = "That mentorship does not exist, or you are not part of it."
REQUEST_NOT_FOUND = "That request does not exist, or it is not yours."
MEETING_NOT_FOUND = "That meeting does not exist, or you are not part of it."
GOAL_NOT_FOUND = "That goal does not exist, or you are not part of its mentorship."
ACTION_ITEM_NOT_FOUND = "That action item does not exist, or you are not part of it."
MILESTONE_NOT_FOUND = "That milestone does not exist, or you are not part of it."

ContentT = TypeVar("ContentT", bound=Model)


def mentorship_queryset() -> QuerySet[Mentorship]:
    """Mentorships with what every page shows of them joined (for the helpers of this package)."""
    return Mentorship.objects.select_related(
        "program", "mentor", "mentee", "mentor__profile", "mentee__profile", "ended_by"
    )


class MentorshipAccess(StrEnum):
    """How much of a mentorship the caller needs (``access_mentorship(need=...)``)."""

    CONTENT = "content"  # what the pair write: its two participants only
    OVERVIEW = "overview"  # state, dates, counts: also an admin of its program


@dataclass(frozen=True)
class Viewer:
    """How the caller relates to a mentorship ``access_mentorship`` returned: a participant
    reads its content, an admin of its program only its overview."""

    is_participant: bool
    is_admin: bool

    @property
    def can_read_content(self) -> bool:
        return self.is_participant

    @classmethod
    def of(cls, mentorship: Mentorship, user: User) -> Viewer:
        """For a mentorship ``user`` was let in to: whoever is not one of the pair came in as
        an admin of its program."""
        participant = mentorship.is_participant(user)
        return cls(is_participant=participant, is_admin=not participant)


def _of_participant(user: User, prefix: str = "") -> Q:
    return Q(**{f"{prefix}mentor": user}) | Q(**{f"{prefix}mentee": user})


def access_mentorship(
    *,
    user: User | AnonymousUser,
    mentorship_id: int,
    need: MentorshipAccess = MentorshipAccess.CONTENT,
    for_update: bool = False,
) -> Mentorship:
    """The mentorship if ``user`` has the access ``need`` names: its content for its two
    participants; with ``OVERVIEW``, also for an admin of its program, and callers then show
    content only when ``Viewer.of(mentorship, user).can_read_content``. ``for_update`` locks
    it (inside ``transaction.atomic`` only)."""
    if not is_signed_in(user):
        raise NotFound(MENTORSHIP_NOT_FOUND)
    qs = lockable(mentorship_queryset(), for_update=for_update)
    mentorship = qs.filter(pk=mentorship_id).first()
    if mentorship is None:
        raise NotFound(MENTORSHIP_NOT_FOUND)
    if mentorship.is_participant(user):
        return mentorship
    if need == MentorshipAccess.OVERVIEW and is_program_admin(
        user=user, program_id=mentorship.program_id
    ):
        return mentorship
    raise NotFound(MENTORSHIP_NOT_FOUND)


def access_request(
    *,
    user: User | AnonymousUser,
    request_id: int,
    need: MentorshipAccess = MentorshipAccess.CONTENT,
    for_update: bool = False,
) -> MentorshipRequest:
    """The request, if ``user`` sent or received it; with ``OVERVIEW``, also for an admin of
    its program, and callers then show its message to the two of them only (request messages
    are the pair's). ``for_update`` locks it (inside ``transaction.atomic`` only)."""
    if not is_signed_in(user):
        raise NotFound(REQUEST_NOT_FOUND)
    qs = lockable(
        MentorshipRequest.objects.select_related(
            "program", "sender", "recipient", "mentor", "mentee"
        ),
        for_update=for_update,
    )
    found = qs.filter(pk=request_id).first()
    if found is None:
        raise NotFound(REQUEST_NOT_FOUND)
    if user.pk in (found.sender_id, found.recipient_id):
        return found
    if need == MentorshipAccess.OVERVIEW and is_program_admin(
        user=user, program_id=found.program_id
    ):
        return found
    raise NotFound(REQUEST_NOT_FOUND)


def _access_content(
    qs: QuerySet[ContentT],
    *,
    user: User | AnonymousUser,
    pk: int,
    mentorship_path: str,
    not_found: str,
    for_update: bool,
) -> ContentT:
    """The object ``pk`` of ``qs`` if ``user`` is a participant of the mentorship it belongs
    to (reached through ``mentorship_path``): the one body of the content helpers below."""
    if not is_signed_in(user):
        raise NotFound(not_found)
    found = (
        lockable(qs, for_update=for_update)
        .filter(pk=pk)
        .filter(_of_participant(user, f"{mentorship_path}__"))
        .first()
    )
    if found is None:
        raise NotFound(not_found)
    return found


def access_meeting(
    *, user: User | AnonymousUser, meeting_id: int, for_update: bool = False
) -> Meeting:
    """The meeting (agenda, shared notes), if ``user`` is a participant of its mentorship."""
    qs = Meeting.objects.select_related(
        "mentorship",
        "mentorship__program",
        "mentorship__mentor",
        "mentorship__mentee",
        "series",
    )
    return _access_content(
        qs,
        user=user,
        pk=meeting_id,
        mentorship_path="mentorship",
        not_found=MEETING_NOT_FOUND,
        for_update=for_update,
    )


def access_goal(*, user: User | AnonymousUser, goal_id: int, for_update: bool = False) -> Goal:
    qs = Goal.objects.select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
    return _access_content(
        qs,
        user=user,
        pk=goal_id,
        mentorship_path="mentorship",
        not_found=GOAL_NOT_FOUND,
        for_update=for_update,
    )


def access_milestone(
    *, user: User | AnonymousUser, milestone_id: int, for_update: bool = False
) -> Milestone:
    qs = Milestone.objects.select_related("goal", "goal__mentorship")
    return _access_content(
        qs,
        user=user,
        pk=milestone_id,
        mentorship_path="goal__mentorship",
        not_found=MILESTONE_NOT_FOUND,
        for_update=for_update,
    )


def access_action_item(
    *, user: User | AnonymousUser, action_item_id: int, for_update: bool = False
) -> ActionItem:
    qs = ActionItem.objects.select_related("mentorship", "mentorship__mentor", "mentorship__mentee")
    return _access_content(
        qs,
        user=user,
        pk=action_item_id,
        mentorship_path="mentorship",
        not_found=ACTION_ITEM_NOT_FOUND,
        for_update=for_update,
    )


# Lists -----------------------------------------------------------------------------------
