"""A break the pair declares ("we are pausing until 20 January"): holidays, leave, a busy
quarter. Its days count neither as missed meetings nor as silence in the relationship's
health. Read by the pair and the program's admins (dates only; there is no text)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.mentorships.models.mentorships import Mentorship

User = settings.AUTH_USER_MODEL


class MentorshipPause(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="pauses")
    declared_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()  # the first day back
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["mentorship", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="mentorship_pause_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Pause of mentorship #{self.mentorship_id}, {self.starts_on} to {self.ends_on}"
