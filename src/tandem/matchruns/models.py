"""Cohort match runs: inputs snapshot, constraints (pins, forbids), result pairs, unmatched.

A run's ``inputs`` holds the participant records as the matching core received them; they hold
no identity, which Tandem's runs never use (docs/matching.md, "Identity and privacy"). The inputs
are never shown to anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class Objective(models.TextChoices):
    OPTIMAL = "optimal", "Optimal (most matched, then best total score)"
    FAIR = "fair", "Fair (most matched, then lift the worst-off mentee)"
    STABLE = "stable", "Stable (no pair would both rather swap)"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready for review"
    FAILED = "failed", "Failed"
    PUBLISHED = "published", "Published"
    DISCARDED = "discarded", "Discarded"


IN_PROGRESS = (RunStatus.QUEUED, RunStatus.RUNNING)


class MatchRun(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="match_runs"
    )
    objective = models.CharField(max_length=8, choices=Objective.choices, default=Objective.OPTIMAL)
    seed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    error = models.TextField(blank=True)
    # Participant records (without identity) + weights + conflict rules, as handed to the core.
    inputs = models.JSONField(default=dict, blank=True)
    # The core's quality report: no figure computed with identity, none per opt-in group.
    report = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
        help_text="The run this one re-ran.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        # Several runs of a program may be published, one after another (a later round for
        # the people still waiting); a run made before another was published is out of date,
        # and publishing checks that under the program's row lock (services.match_run_publish).
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"Match run #{self.pk} of {self.program}"

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def is_draft(self) -> bool:
        return self.status == RunStatus.DONE


class MatchPair(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="pairs")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # [{"criterion": ..., "text": ...}] as the core explained the pair (no identity details).
    reasons = models.JSONField(default=list, blank=True)
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee", "mentor"], name="one_pair_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} ↔ {self.mentor} ({self.score:.2f})"


class Side(models.TextChoices):
    MENTEE = "mentee", "Mentee"
    MENTOR = "mentor", "Mentor"


class MatchUnmatched(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=6, choices=Side.choices)
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["side", "pk"]

    def __str__(self) -> str:
        return f"{self.person} unmatched in run #{self.run_id}"


class ConstraintKind(models.TextChoices):
    PIN = "pin", "Pinned"
    FORBID = "forbid", "Forbidden"


class MatchConstraint(models.Model):
    """An admin's decision about one pair, applied when the run (or its re-run) is solved."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="constraints")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=ConstraintKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "mentee", "mentor"], name="one_constraint_per_pair"
            ),
            models.UniqueConstraint(
                fields=["run", "mentee"], condition=Q(kind="pin"), name="one_pin_per_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mentee} ↔ {self.mentor}"
