"""Check-ins, relationship health, interventions and the program's guidance articles.

Who reads what (DESIGN.md): a check-in's answers are its author's; the author may share some
answers with the other person of the pair. Admins of the program see that a check-in was
answered, aggregates, a divergence's existence (never its answers) and the health with its
reasons.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

User = settings.AUTH_USER_MODEL

CHECKIN_COMMENT_LIMIT = 2000
# An answer may be changed this long after it was first given; then it is final.
EDIT_WINDOW = timedelta(hours=24)
# The same in the words figures explain themselves with ("answers that can no longer be
# changed": past their hours to edit), never "settled".
EDIT_WINDOW_HOURS = int(EDIT_WINDOW.total_seconds() // 3600)
GUIDANCE_BODY_LIMIT = 20000
INTERVENTION_NOTE_LIMIT = 2000


class CheckInKind(models.TextChoices):
    FIRST_MEETING = "first_meeting", "First-meeting fit check"
    PULSE = "pulse", "Pulse check-in"
    MIDPOINT = "midpoint", "Mid-point review"
    CLOSING = "closing", "Closing survey"


class CheckInTemplate(models.Model):
    """A program's questions and timing for one kind of check-in. A program without a row uses
    the built-in questions; the row exists once an admin has edited them.

    ``questions`` is a list of ``{"key", "text", "type", ...}`` (see ``feedback.questions``);
    each check-in copies the questions it was asked, so editing a template never changes the
    meaning of answers already given."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="checkin_templates"
    )
    kind = models.CharField(max_length=16, choices=CheckInKind.choices)
    questions = models.JSONField()
    # Pulse: one every this many agreed cadence periods. Others: days after their trigger
    # (first meeting held; half the agreed duration; the end date).
    every_periods = models.PositiveSmallIntegerField(default=1)
    delay_days = models.PositiveSmallIntegerField(default=0)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="one_template_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} questions of program #{self.program_id}"


class CheckIn(models.Model):
    """One person's check-in at one point of one mentorship (pulses are numbered)."""

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="checkins"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(max_length=16, choices=CheckInKind.choices)
    sequence = models.PositiveIntegerField(default=0)
    questions = models.JSONField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)  # first answered
    # Last time the answers (or their sharing) were saved, edits included: the health sweep
    # recomputes a mentorship soon after this, as it does after a first answer.
    answers_changed_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # Keys of the answers the author shows the other person of the pair.
    shared_keys = models.JSONField(default=list, blank=True)
    # The author's choice to let the program's admins read this check-in's answers, comments
    # included (off unless they tick it); otherwise admins see aggregates only.
    shared_with_admins = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "author", "kind", "sequence"], name="one_checkin_per_point"
            ),
        ]
        indexes = [
            models.Index(fields=["author", "answered_at", "due_at"]),
            models.Index(fields=["mentorship", "kind", "sequence"]),
            models.Index(fields=["answered_at", "reminded_at", "due_at"]),
            models.Index(fields=["answers_changed_at"]),
        ]

    # Never the answers: ``str()`` shows up in logs and the site admin.
    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.sequence} of mentorship #{self.mentorship_id}"


class Divergence(models.Model):
    """The two sides answered the same check-in differently on these topics (question keys).
    Both are prompted to talk about expectations; admins see only that it exists."""

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="divergences"
    )
    kind = models.CharField(max_length=16, choices=CheckInKind.choices)
    sequence = models.PositiveIntegerField(default=0)
    topics = models.JSONField(default=list)
    detected_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "kind", "sequence"], name="one_divergence_per_point"
            ),
        ]

    def __str__(self) -> str:
        return f"Divergence in mentorship #{self.mentorship_id} ({self.kind} #{self.sequence})"


class HealthState(models.TextChoices):
    THRIVING = "thriving", "Thriving"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    STALLED = "stalled", "Stalled"


FLAGGED_STATES = (HealthState.AT_RISK, HealthState.STALLED)


class MentorshipHealth(models.Model):
    """A mentorship's current health, updated in place when something happens and daily. The
    program is copied here so the admin's list by health is one indexed query."""

    mentorship = models.OneToOneField(
        "mentorships.Mentorship", on_delete=models.CASCADE, primary_key=True, related_name="health"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=HealthState.choices)
    score = models.PositiveSmallIntegerField()
    # [{"code", "text", "weight"}], most important first; plain words, never the pair's text.
    reasons = models.JSONField(default=list)
    signals = models.JSONField(default=dict)
    # Health as each side may know it, without the other's answers (``services.health_sides``):
    # {"mentor"|"mentee": {"state", "state_since", "flagged_since", "reasons"}}; the pair reads
    # only its own. Empty until the first refresh since it was added.
    views = models.JSONField(default=dict)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    state_since = models.DateTimeField()
    computed_at = models.DateTimeField()

    class Meta:
        # In a state, longest there first: the score would rank pairs by their private answers.
        indexes = [models.Index(fields=["program", "state", "state_since"])]

    def __str__(self) -> str:
        return f"Health of mentorship #{self.mentorship_id}: {self.state}"


class HealthSnapshot(models.Model):
    """A change of a mentorship's health (state or reasons), kept for trends over time."""

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="health_snapshots"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=HealthState.choices)
    score = models.PositiveSmallIntegerField()
    reason_codes = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [
            models.Index(fields=["program", "computed_at"]),
            models.Index(fields=["mentorship", "computed_at"]),
        ]

    def __str__(self) -> str:
        return f"Mentorship #{self.mentorship_id} {self.state} at {self.computed_at:%Y-%m-%d}"


class InterventionKind(models.TextChoices):
    NUDGE = "nudge", "Suggestion sent to the pair"
    ALERT = "alert", "Alert sent to the program's admins"
    DIVERGENCE_PROMPT = "divergence_prompt", "Prompt to talk about expectations"
    CHECKIN_SENT = "checkin_sent", "Check-in sent by an admin"
    MESSAGE_TO_PAIR = "message_to_pair", "Note from an admin to the pair"
    REMATCH_PROPOSED = "rematch_proposed", "Re-match proposed by an admin"


class Intervention(models.Model):
    """Every nudge, alert and admin action on a mentorship's health, recorded once: the unique
    ``episode`` key (for example the start of the at-risk spell) makes a second send of the
    same thing impossible, even with two workers."""

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="interventions"
    )
    kind = models.CharField(max_length=20, choices=InterventionKind.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    episode = models.CharField(max_length=64)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An admin's note to the pair (read by the pair and the program's admins).
    note = models.TextField(blank=True, max_length=INTERVENTION_NOTE_LIMIT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "kind", "reason_code", "episode"],
                name="intervention_once_per_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on mentorship #{self.mentorship_id}"


class GuidanceArticle(models.Model):
    """An article of the guidance library written or changed in the product. The shipped
    articles are Markdown files in the repository (``feedback/guidance/``); a row with the same
    slug replaces one for a program (or for the whole site when ``program`` is empty), and a
    row with a new slug adds an article."""

    program = models.ForeignKey(
        "programs.Program",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="guidance_articles",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(max_length=GUIDANCE_BODY_LIMIT)
    # Where it is shown in context: mentorship stages and health reason codes.
    stages = models.JSONField(default=list, blank=True)
    reason_codes = models.JSONField(default=list, blank=True)
    hidden = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "slug"],
                condition=Q(program__isnull=False),
                name="guidance_slug_per_program",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(program__isnull=True), name="guidance_slug_site_wide"
            ),
        ]

    def __str__(self) -> str:
        return self.title
