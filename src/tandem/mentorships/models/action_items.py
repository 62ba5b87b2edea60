"""Action items: what one side of the pair will do, by when, maybe from a meeting."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.mentorships.models.meetings import Meeting
from tandem.mentorships.models.mentorships import Mentorship

User = settings.AUTH_USER_MODEL


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ActionItem(models.Model):
    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="action_items"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="action_items")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=6, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"Action item #{self.pk}"
