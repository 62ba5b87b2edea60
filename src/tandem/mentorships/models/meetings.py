"""Meetings (single or a series), their agendas and private notes, and the calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.mentorships.models.mentorships import Mentorship

User = settings.AUTH_USER_MODEL


NOTES_MAX_LENGTH = 20000  # a meeting's shared notes, and each side's private note


class MeetingFormat(models.TextChoices):
    VIDEO = "video", "Video call"
    CALL = "call", "Phone call"
    IN_PERSON = "in_person", "In person"
    CHAT = "chat", "Chat"


class MeetingSeries(models.Model):
    """A recurring meeting: one RFC 5545 RRULE; each occurrence is also a ``Meeting`` row
    (so it can carry its own agenda and notes)."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="meeting_series"
    )
    rrule = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        help_text="Organiser's zone: the series repeats at this wall clock time.",
    )
    duration_minutes = models.PositiveSmallIntegerField()
    format = models.CharField(max_length=12, choices=MeetingFormat.choices)
    video_url = models.URLField(max_length=300, blank=True)
    location = models.CharField(max_length=200, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return f"Series #{self.pk} ({self.rrule})"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    # Past its start, one of the pair said it did not happen: a no-show, never counted as held.
    MISSED = "missed", "Did not take place"


class Meeting(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences"
    )
    # For a series occurrence: the start the rule gave it (its RECURRENCE-ID); a moved
    # occurrence keeps it so the series can exclude the original date.
    original_start = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    format = models.CharField(max_length=12, choices=MeetingFormat.choices)
    video_url = models.URLField(max_length=300, blank=True)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    sequence = models.PositiveIntegerField(default=0)
    shared_notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When it was booked for ``starts_at``: made, or last moved there. Health reads a meeting
    # booked shortly before a gap as a plan (a postponement), one of a standing series as not.
    booked_at = models.DateTimeField(default=timezone.now)
    # Who said it did not take place, and when (set only while ``status`` is MISSED).
    missed_marked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missed_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5), name="meeting_has_duration"
            ),
            models.UniqueConstraint(
                fields=["series", "original_start"],
                condition=Q(series__isnull=False),
                name="one_meeting_per_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(status="missed", missed_marked_at__isnull=False)
                | (~Q(status="missed") & Q(missed_marked_at__isnull=True)),
                name="missed_meeting_has_mark_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"Meeting #{self.pk} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_moved_occurrence(self) -> bool:
        return bool(
            self.series_id and self.original_start and self.original_start != self.starts_at
        )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Agenda item #{self.pk}"


class PrivateNote(models.Model):
    """A meeting note only its author can ever read (not the other side, not admins)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "author"], name="one_private_note_per_author"
            ),
        ]

    def __str__(self) -> str:
        return f"Private note #{self.pk}"


class CalendarFeed(models.Model):
    """A person's private calendar subscription: 32 random bytes in the URL, shown to its
    owner only; regenerating replaces the token, so the old URL stops working at once."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
