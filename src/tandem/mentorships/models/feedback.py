"""The mentee's answer after a mentorship ended early: whether they would like a new mentor,
read by the mentee and the program's admins outside the pair, never by the mentor (even one who
runs the program). One answer per mentorship, which the mentee may change. ``what_worked`` and
``what_did_not`` hold what mentees wrote before the closing survey became the one place that
asks how it went; nothing asks them any more."""

from __future__ import annotations

from django.db import models

from tandem.mentorships.models.mentorships import Mentorship

FEEDBACK_TEXT_LIMIT = 2000


class EarlyEndFeedback(models.Model):
    # The author is always the mentorship's mentee: nobody else may answer for them.
    mentorship = models.OneToOneField(
        Mentorship, on_delete=models.CASCADE, related_name="early_end_feedback"
    )
    what_worked = models.TextField(blank=True, max_length=FEEDBACK_TEXT_LIMIT)
    what_did_not = models.TextField(blank=True, max_length=FEEDBACK_TEXT_LIMIT)
    wants_new_mentor = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["wants_new_mentor", "updated_at"])]

    # Never the answers: ``str()`` shows up in logs and the site admin.
    def __str__(self) -> str:
        return f"Early-end feedback on mentorship #{self.mentorship_id}"
