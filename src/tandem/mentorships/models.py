"""Requests, mentorships and everything a pair builds together: the versioned agreement,
goals, meetings (single or a series), agendas, notes, action items and a timeline.

The relationship state machine lives in ``services``; the invariants that concurrency could
break (one open mentorship per pair, one pending request per pair, unique agreement version
numbers, one private note per author) are database constraints.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


class MentorshipState(models.TextChoices):
    PROPOSED = "proposed", "Agreeing the terms"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"


OPEN_STATES = (MentorshipState.PROPOSED, MentorshipState.ACTIVE)


class Mentorship(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="mentorships"
    )
    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentorships_as_mentor")
    mentee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentorships_as_mentee")
    state = models.CharField(
        max_length=12, choices=MentorshipState.choices, default=MentorshipState.PROPOSED
    )
    origin_request = models.OneToOneField(
        MentorshipRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentorship",
    )
    # The match run model lives in programs and arrives later; keep a plain reference.
    match_run_ref = models.CharField(max_length=64, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Private to program admins (and the person who wrote it).
    end_reason = models.TextField(blank=True, max_length=2000)
    closing_reflection = models.TextField(blank=True, max_length=4000)
    midpoint_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="mentorship_two_people"),
            models.UniqueConstraint(
                fields=["program", "mentor", "mentee"],
                condition=Q(state__in=["proposed", "active"]),
                name="one_open_mentorship_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="mentorship_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["program", "mentor", "state"])]

    def __str__(self) -> str:
        return f"{self.mentor} & {self.mentee} ({self.program})"

    def other(self, user):
        return self.mentee if user.pk == self.mentor_id else self.mentor

    def is_participant(self, user) -> bool:
        return user.pk in (self.mentor_id, self.mentee_id)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AgreementVersion(models.Model):
    """One version of the pair's agreement; it takes effect when both have signed it.
    Versions are never edited: an amendment is a new version."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="agreement_versions"
    )
    number = models.PositiveIntegerField()
    content = models.JSONField()
    proposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_by_mentor_at = models.DateTimeField(null=True, blank=True)
    signed_by_mentee_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["mentorship", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "number"], name="agreement_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement v{self.number} of mentorship #{self.mentorship_id}"

    @property
    def fully_signed(self) -> bool:
        return bool(self.signed_by_mentor_at and self.signed_by_mentee_at)


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
    shared_notes = models.TextField(blank=True, max_length=20000)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
    body = models.TextField(max_length=20000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "author"], name="one_private_note_per_author"
            ),
        ]

    def __str__(self) -> str:
        return f"Private note #{self.pk}"


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


class MentorshipEvent(models.Model):
    """The history timeline. A summary says who did what, never any text the pair wrote (goal
    titles, action items, notes, end reasons): events are listed in the site admin too."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class CalendarFeed(models.Model):
    """A person's private calendar subscription: 32 random bytes in the URL, shown to its
    owner only; regenerating replaces the token, so the old URL stops working at once."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
