"""The kinds of notification, with the words shown on the preferences page and the groups it
lists them in."""

from django.db import models


class Kind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", "Someone asks you to be their mentor"
    REQUEST_ANSWERED = "request_answered", "Your request is accepted or declined"
    REQUEST_CLOSED = "request_closed", "A request is withdrawn or expires"
    REQUEST_EXPIRING = "request_expiring", "A request to you is about to expire"
    AGREEMENT = "agreement", "Agreement proposals and signatures"
    MENTORSHIP = "mentorship", "A mentorship starts, ends or needs a mid-point review"
    MEETING = "meeting", "Meetings scheduled, moved, cancelled or marked as not taken place"
    MEETING_REMINDER = "meeting_reminder", "Reminders a day and an hour before a meeting"
    ACTION_ITEM = "action_item", "Action items given to you"
    ACTION_ITEM_OVERDUE = "action_item_overdue", "Overdue action items"
    WAITLIST_ADMITTED = "waitlist_admitted", "You get a place in a program from its waitlist"
    MESSAGE_UNREAD = "message_unread", "Messages you have not read for a while"
    CHECKIN_DUE = "checkin_due", "A check-in is waiting for your answers"
    CHECKIN_DIVERGENCE = (
        "checkin_divergence",
        "You and your partner answered a check-in differently",
    )
    HEALTH_NUDGE = "health_nudge", "A suggestion when your mentorship needs attention"
    # For a program's admins (a participant never receives these).
    JOIN_PENDING = "join_pending", "Someone asks to join a program you run"
    MATCH_RUN = "match_run", "A match run finishes or fails"
    ENDED_EARLY = "ended_early", "A mentorship in your program ends early"
    PROBLEM_REPORTED = "problem_reported", "A participant reports a problem"
    ADMIN_ADDED = "admin_added", "Someone becomes an admin of a program you run"
    PARTICIPANT_LEFT = "participant_left", "A participant leaves a program you run"
    MESSAGE_REPORTED = "message_reported", "A participant reports a message"
    HEALTH_ALERT = "health_alert", "A mentorship in your program is at risk or stalled"


ALL_KINDS = [value for value, _ in Kind.choices]
ADMIN_KINDS: list[str] = [
    Kind.JOIN_PENDING,
    Kind.MATCH_RUN,
    Kind.ENDED_EARLY,
    Kind.PROBLEM_REPORTED,
    Kind.ADMIN_ADDED,
    Kind.PARTICIPANT_LEFT,
    Kind.MESSAGE_REPORTED,
    Kind.HEALTH_ALERT,
]
PARTICIPANT_KINDS = [kind for kind in ALL_KINDS if kind not in ADMIN_KINDS]

# The settings page's groups, in its order; every kind is in exactly one.
KIND_GROUPS: list[tuple[str, list[str]]] = [
    (
        "Requests",
        [Kind.REQUEST_RECEIVED, Kind.REQUEST_EXPIRING, Kind.REQUEST_ANSWERED, Kind.REQUEST_CLOSED],
    ),
    ("Your mentorship", [Kind.MENTORSHIP, Kind.AGREEMENT, Kind.WAITLIST_ADMITTED]),
    (
        "Meetings and action items",
        [Kind.MEETING, Kind.MEETING_REMINDER, Kind.ACTION_ITEM, Kind.ACTION_ITEM_OVERDUE],
    ),
    ("Messages", [Kind.MESSAGE_UNREAD]),
    ("Check-ins", [Kind.CHECKIN_DUE, Kind.CHECKIN_DIVERGENCE, Kind.HEALTH_NUDGE]),
    ("Programs you run (program admins only)", ADMIN_KINDS),
]
