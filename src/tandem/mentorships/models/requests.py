"""A request from one participant to another to start a mentorship."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

User = settings.AUTH_USER_MODEL


class RequestState(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


class MentorshipRequest(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="mentorship_requests"
    )
    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="requests_sent")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="requests_received")
    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(max_length=2000)
    state = models.CharField(
        max_length=10, choices=RequestState.choices, default=RequestState.PENDING
    )
    decline_reason = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(sender=F("recipient")), name="request_not_to_self"),
            models.UniqueConstraint(
                fields=["program", "sender", "recipient"],
                condition=Q(state="pending"),
                name="one_pending_request_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"])]

    def __str__(self) -> str:
        return f"Request #{self.pk} {self.sender} → {self.recipient} ({self.state})"
