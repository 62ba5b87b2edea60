"""The mentorship itself, its versioned agreement and its timeline."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tandem.mentorships.models.requests import MentorshipRequest

User = settings.AUTH_USER_MODEL


class MentorshipState(models.TextChoices):
    PROPOSED = "proposed", "Agreeing the terms"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"


OPEN_STATES = (MentorshipState.PROPOSED, MentorshipState.ACTIVE)


class EndCategory(models.TextChoices):
    """Why a mentorship ended early, in a few words everyone can count (the insights' early
    endings by reason); the free-text reason stays private to the program's admins."""

    SCHEDULE = "schedule", "Not enough time, or our schedules clash"
    FIT = "fit", "Not the right fit"
    GOALS_MET = "goals_met", "The goals were reached early"
    CHANGE = "change", "A change of role, work or life"
    LEFT = "left", "Left the organisation"
    PROGRAM = "program", "The program's decision"
    OTHER = "other", "Something else"


# What one of the pair may give: the program's decision is the program's to record.
PAIR_END_CATEGORIES = [value for value in EndCategory.values if value != EndCategory.PROGRAM]


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
    # Visible as ``end_reason`` is; empty for a mentorship that did not end early.
    end_category = models.CharField(max_length=12, choices=EndCategory.choices, blank=True)
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

    @property
    def midpoint_on(self) -> date | None:
        """The middle of the agreed dates (None for an undated mentorship): from this day the
        pair is asked to confirm or amend the agreement, once."""
        if self.starts_on is None or self.ends_on is None:
            return None
        return self.starts_on + (self.ends_on - self.starts_on) / 2

    def midpoint_reached(self, today: date) -> bool:
        return self.midpoint_on is not None and today >= self.midpoint_on

    @property
    def ended_before_start(self) -> bool:
        """Ended (on the reader's calendar) before its agreed first day: the pages say so
        rather than list an end date before the start (journeys review: "7 Dec 2026 –
        30 Jun 2027 · Ended 6 Dec 2026")."""
        return (
            self.ended_at is not None
            and self.starts_on is not None
            and timezone.localdate(self.ended_at) < self.starts_on
        )

    @property
    def end_reason_text(self) -> str:
        """Why it ended early, as every page shows it: the category, then the note after a
        colon ("Something else: Moving teams"; it read "Something else. Moving teams")."""
        category = self.get_end_category_display() if self.end_category else ""
        return ": ".join(part for part in (category, self.end_reason) if part)

    @property
    def ended_by_admin(self) -> bool:
        """Ended by someone outside the pair: an admin of its program."""
        return self.ended_by_id is not None and self.ended_by_id not in (
            self.mentor_id,
            self.mentee_id,
        )


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
        return self.signed_at is not None

    @property
    def signed_at(self) -> datetime | None:
        """When the second of the two signatures came; None until both have signed."""
        if self.signed_by_mentor_at and self.signed_by_mentee_at:
            return max(self.signed_by_mentor_at, self.signed_by_mentee_at)
        return None


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
    # A meeting called off or moved: when it was due (its start before the change, or for a
    # move the earlier of its two starts; a series' first occurrence called off). Health counts
    # cancellations in a row by it.
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary
