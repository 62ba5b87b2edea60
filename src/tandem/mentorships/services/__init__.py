"""Every write about mentorships, split by sub-domain: take the writes from here. What a
sub-module keeps for its own callers (the agreement's examples and defaults, ``event_add``,
message constants that no other module raises) is imported from that sub-module."""

from tandem.mentorships.services.agreement import (
    AgreementChangedMeanwhile,
    agreement_propose,
    agreement_sign,
)
from tandem.mentorships.services.attendance import meeting_mark_held, meeting_mark_missed
from tandem.mentorships.services.early_end import early_end_feedback_save
from tandem.mentorships.services.ending import (
    mentorship_end_early,
    mentorship_end_early_as_admin,
)
from tandem.mentorships.services.from_match import mentorship_create_from_match
from tandem.mentorships.services.lifecycle import (
    TRANSITIONS,
    AlreadyEnded,
    check_completable,
    check_not_ended,
    mentorship_complete,
    mentorship_confirm_midpoint,
    mentorships_midpoint_review,
)
from tandem.mentorships.services.meeting_notes import (
    NotesChangedMeanwhile,
    agenda_item_add,
    meeting_notes_update,
    private_note_save,
)
from tandem.mentorships.services.meetings import (
    MovedMeanwhile,
    calendar_feed_ensure,
    calendar_feed_regenerate,
    meeting_cancel,
    meeting_reschedule,
    meeting_schedule,
    meeting_series_cancel,
)
from tandem.mentorships.services.pauses import mentorship_pause_declare, mentorship_pause_end
from tandem.mentorships.services.problems import problem_report_create, problem_report_resolve
from tandem.mentorships.services.reminders import action_items_remind_overdue, meetings_remind
from tandem.mentorships.services.request_expiry import requests_expire, requests_remind_expiring
from tandem.mentorships.services.requests import (
    request_accept,
    request_create,
    request_decline,
    request_pair_check,
    request_withdraw,
)
from tandem.mentorships.services.work import (
    action_item_create,
    action_item_set_status,
    action_item_toggle,
    goal_create,
    goal_update_progress,
    milestone_add,
    milestone_toggle,
)

__all__ = [
    "AgreementChangedMeanwhile",
    "AlreadyEnded",
    "MovedMeanwhile",
    "NotesChangedMeanwhile",
    "TRANSITIONS",
    "action_item_create",
    "action_item_set_status",
    "action_item_toggle",
    "action_items_remind_overdue",
    "agenda_item_add",
    "agreement_propose",
    "agreement_sign",
    "calendar_feed_ensure",
    "calendar_feed_regenerate",
    "check_completable",
    "check_not_ended",
    "early_end_feedback_save",
    "goal_create",
    "goal_update_progress",
    "meeting_cancel",
    "meeting_mark_held",
    "meeting_mark_missed",
    "meeting_notes_update",
    "meeting_reschedule",
    "meeting_schedule",
    "meeting_series_cancel",
    "meetings_remind",
    "mentorship_complete",
    "mentorship_confirm_midpoint",
    "mentorship_create_from_match",
    "mentorship_end_early",
    "mentorship_end_early_as_admin",
    "mentorship_pause_declare",
    "mentorship_pause_end",
    "mentorships_midpoint_review",
    "milestone_add",
    "milestone_toggle",
    "private_note_save",
    "problem_report_create",
    "problem_report_resolve",
    "request_accept",
    "request_create",
    "request_decline",
    "request_pair_check",
    "request_withdraw",
    "requests_expire",
    "requests_remind_expiring",
]
