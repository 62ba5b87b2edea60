"""A conversation per mentorship (started on its request, if it came from one) and its messages.

A conversation names its two people once, copied from the request or mentorship that opened
it, so every read is one indexed filter. Messages are append-only rows: an edit keeps the row
and stamps ``edited_at``, a delete empties the body and stamps ``deleted_at`` (the other side
sees "deleted"), so a client resumes from the last id it has and misses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

MESSAGE_LIMIT = 4000  # characters in one message
CLIENT_ID_LIMIT = 64
REPORT_REASON_LIMIT = 1000  # characters in the reason a message is reported for


class Conversation(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="conversations"
    )
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request = models.OneToOneField(
        "mentorships.MentorshipRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversation",
    )
    mentorship = models.OneToOneField(
        "mentorships.Mentorship",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversation",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # The newest message's id (0: none yet), read under the send's row lock: each "message"
    # event carries it as ``previous``, so a page that missed an event sees the gap.
    last_message_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = [F("last_message_at").desc(nulls_last=True), "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="conversation_two_people"
            ),
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(mentorship__isnull=False),
                name="conversation_has_a_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "last_message_at"]),
            models.Index(fields=["mentee", "last_message_at"]),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} in {self.program_id}"

    def other_id(self, user_id: int) -> int:
        return self.mentee_id if user_id == self.mentor_id else self.mentor_id


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Made by the sending client; a retry with the same id returns the stored message.
    client_id = models.CharField(max_length=CLIENT_ID_LIMIT)
    body = models.TextField(max_length=MESSAGE_LIMIT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"], name="message_sent_once"
            )
        ]
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk}"


class ReadMarker(models.Model):
    """How far one person has read a conversation, and how far they were emailed about."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_markers"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)
    emailed_up_to_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "person"], name="one_marker_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.conversation_id} to {self.last_read_id}"


class MessageReport(models.Model):
    """A participant's report of a message to the program's admins (outside the pair)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(max_length=1000, blank=True)
    # What the admins read: the message and a few before it, as they were when reported (an
    # edit or delete afterwards does not hide what was reported).
    excerpt = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_a_message_once")
        ]

    def __str__(self) -> str:
        return f"Report of message {self.message_id}"
