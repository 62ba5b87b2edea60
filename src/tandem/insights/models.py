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
    # The mentorships left out (the reader's own pairs): "" or their ids' digest (snapshots).
    left_out = models.CharField(max_length=64, blank=True, default="")
    tables = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["section", "programs", "range", "left_out"],
                name="insight_snapshot_unique",
            )
        ]
        indexes = [models.Index(fields=["computed_at"])]

    def __str__(self) -> str:
        return f"Insight snapshot {self.section} of {self.programs} {self.range}".strip()


class EquityQuarter(models.Model):
    """A quarter whose final cohorts are frozen: its ``EquityCohort`` rows were written in the
    same transaction and are never changed, so a figure once published never moves."""

    quarter = models.IntegerField(unique=True)  # year * 4 + quarter - 1
    frozen_at = models.DateTimeField()
    # The groups releases from this quarter on may name: shared by at least MIN_GROUP_SIZE
    # distinct people with a mentee enrolment before the quarter's end, when it was frozen.
    named = models.JSONField()

    def __str__(self) -> str:
        return f"Equity quarter {self.quarter} frozen"


class EquityCohort(models.Model):
    """One program's final cohort of one quarter, as sums only (``equity.frozen.CohortSums``):
    no user id. A group's sum is one person's when they alone in the cohort shared it; it is
    never shown, never leaves the database and stays after they withdraw or are deleted."""

    quarter = models.IntegerField()
    # The program's id, not a foreign key: deleting a program does not change what was shown.
    program = models.BigIntegerField()
    totals = models.JSONField()  # quantity -> sum over the cohort
    groups = models.JSONField()  # shared attribute -> quantity -> sum over those who shared it
    combos = models.JSONField()  # the sets of shared attributes that occur (no counts)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quarter", "program"], name="equity_cohort_unique")
        ]

    def __str__(self) -> str:
        return f"Equity cohort of program {self.program} in quarter {self.quarter}"


class EquityRelease(models.Model):
    """The audit's complete decisions for the release covering ``first_quarter``..
    ``last_quarter``: kept so no cache flush, rules change or time budget makes an earlier
    release show anything else."""

    first_quarter = models.IntegerField()
    last_quarter = models.IntegerField()
    withheld = models.JSONField()  # metric key -> [scope, range, group] bits, base64
    exposed = models.JSONField()  # [quantity, scope, range, group] of figures exposed anyway
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["first_quarter", "last_quarter"], name="equity_release_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Equity release {self.first_quarter}-{self.last_quarter}"
