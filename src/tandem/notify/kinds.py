"""The kinds of notification, with the words shown on the preferences page."""

from django.db import models


class Kind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", "Someone asks you to be their mentor"
    REQUEST_ANSWERED = "request_answered", "Your request is accepted or declined"
    REQUEST_CLOSED = "request_closed", "A request is withdrawn or expires"
    REQUEST_EXPIRING = "request_expiring", "A request to you is about to expire"
    AGREEMENT = "agreement", "Agreement proposals and signatures"
    MENTORSHIP = "mentorship", "A mentorship starts, ends or needs a mid-point review"
    MEETING = "meeting", "Meetings scheduled, moved or cancelled"
    MEETING_REMINDER = "meeting_reminder", "Reminders a day and an hour before a meeting"
    ACTION_ITEM = "action_item", "Action items given to you"
    ACTION_ITEM_OVERDUE = "action_item_overdue", "Overdue action items"


ALL_KINDS = [value for value, _ in Kind.choices]
