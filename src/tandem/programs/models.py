"""Programs, their participants (enrolments), invitations and enrolment questions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.people.choices import Cadence

DEFAULT_WEIGHTS = {
    "text": 3.0,
    "skills": 3.0,
    "availability": 2.0,
    "cadence": 1.0,
    "format": 1.0,
    "seniority": 1.5,
    "working_style": 1.0,
}
# Identity is no criterion a program may weigh: Tandem's runs never use it (docs/matching.md,
# "Identity and privacy"); migration 0009 took it out of the weights programs had stored.


def default_weights() -> dict:
    return dict(DEFAULT_WEIGHTS)


class ProgramType(models.TextChoices):
    CLASSIC = "classic", "Classic (senior mentors junior)"
    REVERSE = "reverse", "Reverse (junior mentors senior on a skill)"
    PEER = "peer", "Peer"


class MatchingMode(models.TextChoices):
    COHORT = "cohort", "Admin-run cohort matching"
    SELF_SERVE = "self_serve", "Self-serve (mentees choose)"


class Program(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True, max_length=4000)
    program_type = models.CharField(
        max_length=16, choices=ProgramType.choices, default=ProgramType.CLASSIC
    )
    matching_mode = models.CharField(
        max_length=16, choices=MatchingMode.choices, default=MatchingMode.COHORT
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    default_duration_weeks = models.PositiveSmallIntegerField(
        default=26, validators=[MinValueValidator(1)]
    )
    default_cadence = models.CharField(
        max_length=16, choices=Cadence.choices, default=Cadence.BIWEEKLY
    )
    default_capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)]
    )
    weights = models.JSONField(default=default_weights, blank=True)
    avoid_manager = models.BooleanField(
        default=True, help_text="Never pair a person with their own manager."
    )
    avoid_same_department = models.BooleanField(
        default=False, help_text="Never pair two people from the same department."
    )
    max_open_requests = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)]
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1)]
    )
    allow_direct_requests = models.BooleanField(
        default=False,
        help_text="Cohort programs only: mentees may also send requests to mentors directly "
        "(self-serve programs always allow them).",
    )
    # Most mentees / mentors holding a place (active or awaiting approval); None: no limit.
    # Who joins a full role waits on the waitlist (``services/waitlist.py``).
    mentee_limit = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    mentor_limit = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="program_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def takes_direct_requests(self) -> bool:
        """Whether mentees may send mentorship requests themselves (not only be matched)."""
        return self.matching_mode == MatchingMode.SELF_SERVE or self.allow_direct_requests

    @property
    def admins_match(self) -> bool:
        """Whether admins match people (cohort), so a mentee may ask them for a new mentor."""
        return self.matching_mode != MatchingMode.SELF_SERVE


class Role(models.TextChoices):
    MENTEE = "mentee", "Mentee"
    MENTOR = "mentor", "Mentor"
    ADMIN = "admin", "Program admin"


# The roles a person may take up by themself, through a link or an e-mail invitation; an admin
# is always named by another admin (services/admins.py).
PARTICIPANT_ROLES = (Role.MENTEE, Role.MENTOR)
PARTICIPANT_ROLE_CHOICES = [(role.value, role.label) for role in PARTICIPANT_ROLES]


class EnrolmentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    REMOVED = "removed", "Removed"
    WAITLISTED = "waitlisted", "On the waitlist"
    LEFT = "left", "Left the program"


LEFT_WORDS = "no longer a participant (they left the program)"

# Enrolments that no longer count: an admin closed it (removed, or a request to join declined)
# or the person left by themself (``programs/services/leaving.py``).
CLOSED_STATUSES = (EnrolmentStatus.REMOVED, EnrolmentStatus.LEFT)
# The rest: the person takes part, or waits to (approval, the waitlist). What one may leave
# (``programs/services/leaving.py``) and what makes matching need one's profile (the home
# page's next steps) are these, one rule.
OPEN_STATUSES = tuple(status for status in EnrolmentStatus if status not in CLOSED_STATUSES)

ADMIN_ACTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    EnrolmentStatus.PENDING: (("approve", "Approve", ""), ("remove", "Remove", "button-danger")),
    EnrolmentStatus.ACTIVE: (
        ("pause", "Pause", "button-secondary"),
        ("remove", "Remove", "button-danger"),
    ),
    EnrolmentStatus.PAUSED: (
        ("reactivate", "Reactivate", ""),
        ("remove", "Remove", "button-danger"),
    ),
    EnrolmentStatus.REMOVED: (("reactivate", "Reactivate", ""),),
    EnrolmentStatus.WAITLISTED: (
        ("admit", "Admit now", ""),
        ("remove", "Remove from waitlist", "button-danger"),
    ),
}


class Enrolment(models.Model):
    """A person's role in a program; one person may hold several roles in one program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    role = models.CharField(max_length=8, choices=Role.choices)
    status = models.CharField(
        max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.PENDING
    )
    # The waitlist's order is (waitlisted_at, pk): join order.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    waitlist_approved = models.BooleanField(
        default=False,
        help_text="Leaves the waitlist as active, not awaiting approval.",
    )
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Mentors only: most mentees at once."
    )
    answers = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(
        max_length=120, blank=True, help_text="The id this person has in an imported file."
    )
    exclude = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="People never to be paired with.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "role", "person__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person", "role"], name="one_enrolment_per_role"
            ),
        ]
        indexes = [models.Index(fields=["program", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.person} as {self.role} in {self.program}"

    @property
    def status_words(self) -> str:
        """The status as it reads after "is" in a sentence ("is on the waitlist"); the
        label "Left the program" does not (it read "is left the program")."""
        if self.status == EnrolmentStatus.LEFT:
            return LEFT_WORDS
        return self.get_status_display().lower()

    @property
    def admin_actions(self) -> tuple[tuple[str, str, str], ...]:
        """(action, label, button style) an admin may take now; services enforce the rules."""
        return ADMIN_ACTIONS.get(self.status, ())


class Invitation(models.Model):
    """A shareable link that lets anyone holding it join a program in one role."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=8, choices=PARTICIPANT_ROLE_CHOICES)
    token = models.CharField(max_length=43, unique=True)
    auto_approve = models.BooleanField(default=False)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} invitation to {self.program}"

    @property
    def state(self) -> str:
        """``usable``, ``revoked``, ``expired`` or ``used up`` (for display)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "used up"
        return "usable"


class EnrolmentQuestion(models.Model):
    """A role-specific question asked when someone joins the program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    role = models.CharField(max_length=8, choices=Role.choices)
    prompt = models.CharField(max_length=300)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "role", "position", "pk"]

    def __str__(self) -> str:
        return self.prompt


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "Being checked"
    PREVIEWED = "previewed", "Checked, waiting for confirmation"
    INVALID = "invalid", "Has problems to fix"
    APPLYING = "applying", "Being imported"
    APPLIED = "applied", "Imported"


ADMIN_INVITATION_DAYS = 14  # an invitation to become a program admin works this long
IMPORT_RETENTION_HOURS = 24  # an unconfirmed upload (and its report) is deleted after this


class ImportBatch(models.Model):
    """An uploaded participant file kept between the dry run and the confirmation.

    The bytes live in the database (not on a local disk) so the preview, the confirm and the
    background task may run in different processes. They are emptied as soon as the file is
    imported or found invalid; a batch never confirmed is deleted after
    ``IMPORT_RETENTION_HOURS`` by the periodic job ``programs.import_purge``.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="import_batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    report = models.JSONField(default=dict, blank=True)
    progress = models.CharField(max_length=200, blank=True)
    # The rows with problems, as a file to fix (the upload's header and format, plus a
    # "Problems" column); deleted with the batch's retention like the upload itself.
    problem_rows = models.BinaryField(default=b"", blank=True)
    # Bumped by each rewrite of the bytes once stored (a deleted account's rows erased,
    # ``imports.erasure``): a check or a write that read an older one runs again.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.filename} for {self.program}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.APPLYING)


class ParticipantInvitation(models.Model):
    """A personal offer, sent by an import, to join a program in one role.

    An import never enrols or edits someone who is not already in the program: it invites them
    by email, and the enrolment exists only once they accept. Nothing from the file but the
    role, capacity and id is kept here. An invitation to become an admin (made on the people
    page) lasts ``ADMIN_INVITATION_DAYS`` (``expires_at``) and can be withdrawn; ``created_at``
    is when it was last renewed.

    Its email goes once: ``sent_at`` is set by the one conditional update that claims it
    (``emails``). Until then it is *held* (``send_after`` empty: an admin sends it with "Send
    now") or *scheduled* (the periodic job sends it once ``send_after`` has passed); either
    may be cancelled (``withdrawn_at``) before it goes.
    """

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="participant_invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=8, choices=Role.choices)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=120, blank=True)
    token = models.CharField(max_length=43, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "email", "role"], name="one_participant_invitation_per_role"
            ),
        ]
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=Q(sent_at__isnull=True, withdrawn_at__isnull=True),
                name="invitation_due_to_send",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited as {self.role} to {self.program}"

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.declined_at is not None:
            return "declined"
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def delivery(self) -> str:
        """``sent``, ``scheduled`` (the periodic job sends it) or ``held`` (an admin must)."""
        if self.sent_at is not None:
            return "sent"
        return "held" if self.send_after is None else "scheduled"
