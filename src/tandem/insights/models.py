"""Stored snapshots of the insight sections: what a page shows (aggregates after suppression,
never a row about one person), so a page at 100,000 people answers without recomputing."""

from __future__ import annotations

from django.db import models


class InsightSnapshot(models.Model):
    """One section's tables for one scope, as computed at ``computed_at``."""

    section = models.CharField(max_length=40)
    programs = models.CharField(max_length=80)  # the scope's program ids, canonical (snapshots)
    range = models.CharField(max_length=20, blank=True)  # "" or "2025Q1-2025Q3", "2025Q1-"
    version = models.CharField(max_length=64, blank=True)  # the data version it was made under
    tables = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["section", "programs", "range"], name="insight_snapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["computed_at"])]

    def __str__(self) -> str:
        return f"Insight snapshot {self.section} of {self.programs} {self.range}".strip()
