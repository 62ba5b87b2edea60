"""A problem one of the pair reports to the program's admins: read by its reporter and the
program's admins only, never by the other person of the mentorship."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.mentorships.models.mentorships import Mentorship

User = settings.AUTH_USER_MODEL

PROBLEM_TEXT_LIMIT = 2000


class ProblemReport(models.Model):
    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="problem_reports"
    )
    reporter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=PROBLEM_TEXT_LIMIT)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["mentorship", "resolved_at"])]

    # Never the text: ``str()`` shows up in logs and the site admin.
    def __str__(self) -> str:
        return f"Problem report #{self.pk} on mentorship #{self.mentorship_id}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
