"""People: accounts, profiles, skills, weekly availability, opt-in identity, API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from tandem.matching.records.availability import WEEKDAYS, format_window
from tandem.people.choices import SENIORITY_LEVELS, Cadence, MeetingFormat

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# A deleted account keeps its row under ``deleted-<id>@deleted.invalid`` (``.invalid`` is
# reserved: no mailbox has it) and shows everywhere as "a former member".
DELETED_EMAIL_DOMAIN = "@deleted.invalid"
FORMER_MEMBER = "A former member"
# How someone who gave no name reads (names are optional): never their email, which the other
# people of their programs may not read (live privacy review: a nameless mentor's address was
# on their profile, the mentee's dashboard, the meeting, its .ics file and the API).
NAMELESS_MEMBER = "Member #{id}"

if TYPE_CHECKING:  # the stubs' manager is generic in its model; Django's is not at run time
    _UserManager = UserManager["User"]
else:
    _UserManager = UserManager


class EmailUserManager(_UserManager):
    """Accounts are keyed by email; ``username`` is kept equal to it for Django's admin."""

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        email = self.normalize_email(email).lower()
        user = self.model(email=email, username=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """Log-in is case-insensitive on the email (sign-up stores it lower-cased)."""
        return self.get(email__iexact=(username or "").strip())

    # Both take the email where Django's take a username first: the custom-user manager
    # Django documents, which the stubs' signatures cannot express.
    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_deleted(self) -> bool:
        """Closed by its owner (``people.services.closing.account_delete``): the row stays, as
        the mentorships, messages and records shared with others point at it, without
        anything that names the person."""
        return self.email.endswith(DELETED_EMAIL_DOMAIN) and not self.is_active

    @property
    def display_name(self) -> str:
        # A deleted account has no name, so a named one reads nothing more (pages load people
        # with ``only()`` their name and email: another field would be a query per row).
        name = self.get_full_name()
        if name:
            return name
        return FORMER_MEMBER if self.is_deleted else NAMELESS_MEMBER.format(id=self.pk)


class Skill(models.Model):
    """A skill tag; ``slug`` is the normalised key that deduplicates.

    Curated tags (a site admin's, or seeded) are the shared vocabulary everyone is offered. A
    tag typed on a profile may say something private (a health need, a personal goal), so it is
    offered to others only once a site admin curates it (``selectors.skill_search``).
    """

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    curated = models.BooleanField(
        default=False,
        help_text="Suggested to everyone (shared vocabulary), however few hold it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    headline = models.CharField(max_length=140, blank=True)
    bio = models.TextField(blank=True, max_length=4000)
    goals = models.TextField(
        blank=True, max_length=4000, help_text="What you want to learn or achieve."
    )
    expertise = models.TextField(
        blank=True, max_length=4000, help_text="What you can help others with."
    )
    # Matching reads these by slug; pages read each tag as its holder spelled it (the links'
    # ``label``: ``offered_tags`` / ``wanted_tags``), never the shared row's ``name``.
    skills_offered = models.ManyToManyField(
        Skill, blank=True, related_name="offered_by", through="OfferedSkill"
    )
    skills_wanted = models.ManyToManyField(
        Skill, blank=True, related_name="wanted_by", through="WantedSkill"
    )
    seniority = models.PositiveSmallIntegerField(
        choices=SENIORITY_LEVELS,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    department = models.CharField(max_length=120, blank=True)
    # The email the person gave for their manager, kept as typed: whether it belongs to an
    # account is never shown to them (that would tell anyone who has an account here).
    manager_email = models.EmailField(blank=True)
    # The manager's name as typed, for someone who is not (or not findable) in Tandem.
    manager_name = models.CharField(max_length=150, blank=True)
    # The manager's account, linked silently when one exists (conflict rules in matching).
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    city = models.CharField(max_length=120, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 codes, most fluent first."
    )
    meeting_format = models.CharField(
        max_length=16, choices=MeetingFormat.choices, default=MeetingFormat.ANY
    )
    cadence = models.CharField(max_length=16, choices=Cadence.choices, blank=True)
    working_style = models.JSONField(default=dict, blank=True)
    # Weekly availability as [start, end) minute-of-week intervals in UTC, derived from the
    # local windows for the current week's offset, so overlap between two people is a merge.
    availability_utc = models.JSONField(default=list, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["department"])]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def manager_contact(self) -> str:
        """The manager's email as the person gave it (an import links the account only)."""
        return self.manager_email or (self.manager.email if self.manager else "")


class SkillHolding(models.Model):
    """A person holding a tag, with the spelling they typed (``label``). The shared ``Skill``
    row keeps its first spelling, which told a later adder that someone had typed the tag; so
    everyone reads a holder's tags in that holder's spelling."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=80)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label


class OfferedSkill(SkillHolding):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="offered_tags")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="offered_skill_once"),
            models.CheckConstraint(condition=~Q(label=""), name="offered_skill_spelled"),
        ]


class WantedSkill(SkillHolding):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="wanted_tags")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="wanted_skill_once"),
            models.CheckConstraint(condition=~Q(label=""), name="wanted_skill_spelled"),
        ]


class AvailabilityWindow(models.Model):
    """A weekly window in the person's own time zone (Monday = 0)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)])
    start_minute = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MINUTES_PER_DAY)])
    end_minute = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MINUTES_PER_DAY)])

    class Meta:
        ordering = ["weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_minute__gt=models.F("start_minute")), name="window_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        if self.weekday in range(len(WEEKDAYS)):
            return format_window(self.weekday, self.start_minute, self.end_minute)
        # An admin form's row holds what was typed until the model's own check refuses it, and
        # its page names the row: weekday 7 made that a 500 instead of the error (live crawl).
        return f"Weekday {self.weekday}"


class Identity(models.Model):
    """Opt-in, self-described background. Readable by its owner only; used only in suppressed
    aggregates (equity figures), never in matching and never shown per person to anyone else
    (admins included): docs/matching.md, "Identity and privacy"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity"
    )
    attributes = models.JSONField(default=list, blank=True)
    consented_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Identity #{self.pk}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ProfileVector(models.Model):
    """A profile's goals or expertise as an embedder's vector, kept so that recommendations and
    runs read it instead of waiting for the model. Derived data: whoever reads it checks the
    embedder and the text's hash, and recomputes a vector that no longer matches."""

    class Field(models.TextChoices):
        GOALS = "goals"
        EXPERTISE = "expertise"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="vectors")
    field = models.CharField(max_length=16, choices=Field.choices)
    embedder = models.CharField(max_length=200)  # its name and the fingerprint of its output
    text_hash = models.CharField(max_length=64)  # sha256 of the text
    vector = models.BinaryField()  # float32, little-endian
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "field"], name="one_vector_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.field} vector of profile #{self.profile_id}"
