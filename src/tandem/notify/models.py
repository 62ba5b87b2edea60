"""Notifications (in-app and email), per-person preferences, and once-only reminder claims."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=4000)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # What the notice is about when news on it is kept in one notice while unread (one
    # mentorship's agreement awaiting a signature); empty for the rest. See notify_refresh.
    topic = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "emailed_at"]),
        ]

    # Never the title: it may quote the pair's content (an overdue action item, a request's
    # message), and ``str()`` shows up in the site admin.
    def __str__(self) -> str:
        return f"Notification #{self.pk} ({self.kind})"


class NotificationPreference(models.Model):
    """Which kinds a person wants by email, whether to bundle them in a daily digest, and quiet
    hours (in their own time zone) when no message email is sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_kinds = models.JSONField(default=list, blank=True)
    daily_digest = models.BooleanField(default=False)
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # ``notify.services.quiet_hours_errors``: 00:00 to 00:00 is no quiet hours, kept
            # as none (null), never as an empty span.
            models.CheckConstraint(
                condition=~models.Q(quiet_from=models.F("quiet_until")),
                name="notify_quiet_hours_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"


class SentReminder(models.Model):
    """A claim that one reminder went out: the unique row makes a second send impossible,
    even when two workers run the same job at once."""

    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    slot = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "recipient", "slot"], name="reminder_sent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} → {self.recipient_id} ({self.slot})"
