"""Requests, mentorships and everything a pair builds together: the versioned agreement,
goals, meetings (single or a series), agendas, notes, action items and a timeline; one module
per sub-domain, all registered here so Django finds every model under the app's label.

The relationship state machine lives in ``services``; the invariants that concurrency could
break (one open mentorship per pair, one pending request per pair, unique agreement version
numbers, one private note per author) are database constraints.
"""

from tandem.mentorships.models.action_items import ActionItem, ActionItemStatus
from tandem.mentorships.models.feedback import FEEDBACK_TEXT_LIMIT, EarlyEndFeedback
from tandem.mentorships.models.goals import Goal, GoalState, GoalUpdate, Milestone
from tandem.mentorships.models.meetings import (
    AgendaItem,
    CalendarFeed,
    Meeting,
    MeetingFormat,
    MeetingSeries,
    MeetingStatus,
    PrivateNote,
)
from tandem.mentorships.models.mentorships import (
    OPEN_STATES,
    AgreementVersion,
    Mentorship,
    MentorshipEvent,
    MentorshipState,
)
from tandem.mentorships.models.pauses import MentorshipPause
from tandem.mentorships.models.problems import PROBLEM_TEXT_LIMIT, ProblemReport
from tandem.mentorships.models.requests import MentorshipRequest, RequestState

__all__ = [
    "ActionItem",
    "ActionItemStatus",
    "AgendaItem",
    "AgreementVersion",
    "CalendarFeed",
    "EarlyEndFeedback",
    "FEEDBACK_TEXT_LIMIT",
    "Goal",
    "GoalState",
    "GoalUpdate",
    "Meeting",
    "MeetingFormat",
    "MeetingSeries",
    "MeetingStatus",
    "Mentorship",
    "MentorshipEvent",
    "MentorshipPause",
    "MentorshipRequest",
    "MentorshipState",
    "Milestone",
    "OPEN_STATES",
    "PROBLEM_TEXT_LIMIT",
    "PrivateNote",
    "ProblemReport",
    "RequestState",
]
