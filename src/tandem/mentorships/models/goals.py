"""Goals, their milestones and the recorded progress updates."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from tandem.mentorships.models.mentorships import Mentorship

User = settings.AUTH_USER_MODEL


class GoalState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class Goal(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    measure = models.CharField(
        max_length=300, blank=True, help_text="How you will know it is achieved."
    )
    target_date = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=GoalState.choices, default=GoalState.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["mentorship", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="goal_percent_max_100"),
        ]

    # Never the title: a goal's text is the pair's, and ``str()`` shows up in the site admin
    # (breadcrumbs, history, delete pages) and in logs.
    def __str__(self) -> str:
        return f"Goal #{self.pk}"


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["goal", "due_on", "pk"]

    def __str__(self) -> str:
        return f"Milestone #{self.pk}"


class GoalUpdate(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=12, choices=GoalState.choices)
    percent = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["goal", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.goal}: {self.percent}%"
