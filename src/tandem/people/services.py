"""Writes about people: every change to accounts, profiles, identity and tokens goes through here.

Services take keyword-only arguments, validate everything before writing, run inside
``transaction.atomic`` and send email only on commit. Errors a person can cause are raised as
``ApplicationError`` with a ``fields`` map; the messages are the constants below.
"""

from __future__ import annotations

import re
import secrets
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone as dj_timezone

from tandem.core.exceptions import ApplicationError, NotFound, validation_error_fields
from tandem.matching.records import cells
from tandem.matching.records.availability import Window, check_availability, to_utc_intervals
from tandem.matching.records.cells import CellError, check_skill, skill_slug
from tandem.matching.records.columns import PLACE_MAX_LENGTH, TEXT_MAX_LENGTH
from tandem.matching.records.timezones import check_timezone, timezone_names
from tandem.people.auth import TOKEN_PREFIX_LENGTH, hash_token
from tandem.people.models import ApiToken, AvailabilityWindow, Identity, Profile, Skill, User
from tandem.people.selectors import access_api_token

# --- messages ------------------------------------------------------------------------------
EMAIL_INVALID = "Enter a valid email address, like name@example.org."
EMAIL_TOO_LONG = "Use an email address of at most {limit} characters."
VERIFY_TOKEN_INVALID = (
    "This verification link is not valid. Request a new one from your account page."
)
VERIFY_TOKEN_EXPIRED = (
    "This verification link has expired. Request a new one from your account page."
)
PROFILE_INVALID = "Some profile fields need changing."
PROFILE_FORBIDDEN = "You can only change your own profile."
MANAGER_SELF = "You cannot be your own manager."
TOO_LONG = "Use at most {limit} characters."
IDENTITY_CONSENT_REQUIRED = "Tick the consent box to save this information."
TOKEN_NAME_REQUIRED = "Give the token a name so you can recognise it later."
TOKEN_LIMIT = "You have {limit} active tokens; revoke one before creating another."

VERIFY_SALT = "tandem.people.verify-email"
VERIFY_MAX_AGE = getattr(settings, "EMAIL_VERIFY_MAX_AGE_SECONDS", 3 * 24 * 3600)
MAX_ACTIVE_TOKENS = 20
# An account's email is also its username (Django's column: 150 characters, not the 254 an
# email may have); its first and last names are 150 each. Longer values are a field error,
# never a database error.
ACCOUNT_EMAIL_MAX_LENGTH = cast(int, User._meta.get_field("username").max_length)
NAME_MAX_LENGTH = cast(int, User._meta.get_field("first_name").max_length)
TOKEN_SECRET_PREFIX = "tdm_"

UNSET: object = object()  # "not given": profile_update leaves such fields alone (PATCH)

_WHITESPACE = re.compile(r"\s+")


def profile_ensure(*, user: User) -> Profile:
    """Every account has a profile; create the empty one on first need."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


# --- accounts ------------------------------------------------------------------------------
def user_sign_up(
    *, email: str, password: str, first_name: str = "", last_name: str = "", timezone: str = ""
) -> User | None:
    """Create an account (and its profile) and email a verification link on commit.

    When the email already has an account nothing changes: its owner is emailed a note instead
    and ``None`` is returned. Callers answer the same either way (with the same hashing work),
    so sign-up reveals no accounts. ``timezone`` is a hint (the browser's zone); an unknown
    value is ignored, not an error.
    """
    email = (email or "").strip().lower()
    first_name, last_name = _clean_text(first_name), _clean_text(last_name)
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = EMAIL_INVALID
    if len(email) > ACCOUNT_EMAIL_MAX_LENGTH:
        errors["email"] = EMAIL_TOO_LONG.format(limit=ACCOUNT_EMAIL_MAX_LENGTH)
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > NAME_MAX_LENGTH:
            errors[field] = TOO_LONG.format(limit=NAME_MAX_LENGTH)
    candidate = User(email=email, username=email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password or "", user=candidate)
    except ValidationError as error:
        errors["password"] = " ".join(error.messages)
    if errors:
        raise ApplicationError("Please correct the errors below.", fields=errors)
    if not User.objects.filter(email__iexact=email).exists():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=password, first_name=first_name, last_name=last_name
                )
                Profile.objects.create(user=user, timezone=_timezone_or_utc(timezone))
        except IntegrityError:  # a concurrent sign-up won the unique email
            pass
        else:
            transaction.on_commit(lambda: _send_verification_email(user))
            return user
    make_password(password)  # the work creating an account would have cost
    existing = User.objects.filter(email__iexact=email, is_active=True).first()
    if existing is not None:
        transaction.on_commit(lambda: _send_account_exists_email(existing))
    return None


def _send_account_exists_email(user: User) -> None:
    context = {
        "user": user,
        "login_url": settings.SITE_URL + reverse("login"),
        "reset_url": settings.SITE_URL + reverse("password_reset"),
    }
    send_mail(
        subject="You already have a Tandem account",
        message=render_to_string("people/email/account_exists.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def _timezone_or_utc(value: str) -> str:
    value = (value or "").strip()
    return value if value in timezone_names() else "UTC"


def user_verification_token(*, user: User) -> str:
    """A signed, timestamped token naming the account and the email it verifies."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT, compress=True)


def user_verification_url(*, user: User) -> str:
    return settings.SITE_URL + reverse("verify_email", args=[user_verification_token(user=user)])


def _send_verification_email(user: User) -> None:
    context = {
        "user": user,
        "verify_url": user_verification_url(user=user),
        "max_age_days": VERIFY_MAX_AGE // 86400,
    }
    send_mail(
        subject="Confirm your email address for Tandem",
        message=render_to_string("people/email/verify_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def user_mark_email_verified(*, user: User) -> User:
    """For flows that prove control of the address another way (a used password-reset link)."""
    if user.email_verified_at is None:
        user.email_verified_at = dj_timezone.now()
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
            email_verified_at=user.email_verified_at
        )
    return user


def user_send_verification(*, user: User) -> None:
    """Send (again) the verification link, unless the address is already verified."""
    if user.email_verified_at is None:
        transaction.on_commit(lambda: _send_verification_email(user))


@transaction.atomic
def user_verify_email(*, token: str, max_age: int | None = None) -> User:
    """Mark the address in ``token`` verified. Idempotent; tampered, expired or stale (email
    changed since) tokens raise ``ApplicationError``."""
    try:
        data = signing.loads(
            token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE if max_age is None else max_age
        )
    except signing.SignatureExpired:
        raise ApplicationError(VERIFY_TOKEN_EXPIRED) from None
    except signing.BadSignature:
        raise ApplicationError(VERIFY_TOKEN_INVALID) from None
    user = (
        User.objects.select_for_update()
        .filter(pk=data.get("u"), email=data.get("e"), is_active=True)
        .first()
    )
    if user is None:
        raise ApplicationError(VERIFY_TOKEN_INVALID)
    if user.email_verified_at is None:
        user.email_verified_at = dj_timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


# --- skills ------------------------------------------------------------------------------
def skill_split(text: str) -> list[str]:
    """``"Python, data  science;SQL"`` → ``["Python", "data  science", "SQL"]`` (unnormalised):
    the form's one text box takes commas too."""
    return [part for part in re.split(r"[,;\n]", text or "") if part.strip()]


def skill_get_or_create_bulk(*, names: Iterable[str]) -> list[Skill]:
    """Skills for ``names`` in the given order, deduplicated by slug, creating missing ones.

    Existing vocabulary keeps its canonical capitalisation ("python" → "Python"). Safe under
    concurrency: the unique slug decides, and losers re-read. At most 2 queries when all exist,
    3 otherwise.
    """
    wanted: dict[str, str] = {}
    for name in names:
        try:
            cleaned = check_skill(name)
        except CellError as error:
            raise ApplicationError(error.message, fields={"skills": error.message}) from None
        wanted.setdefault(skill_slug(cleaned), cleaned)
    if not wanted:
        return []
    existing = {skill.slug: skill for skill in Skill.objects.filter(slug__in=wanted)}
    missing = [Skill(name=name, slug=slug) for slug, name in wanted.items() if slug not in existing]
    if missing:
        Skill.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {skill.slug: skill for skill in Skill.objects.filter(slug__in=wanted)}
    return [existing[slug] for slug in wanted]


# --- profile -------------------------------------------------------------------------------
def _clean_text(value: object) -> str:
    return str(value or "").strip()


def _check_length(errors: dict, field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[field] = TOO_LONG.format(limit=limit)


def _skills(names: str | Iterable[object] | None) -> list[str]:
    return cells.check_skills(skill_split(names) if isinstance(names, str) else names or [])


def _cadence(value: object) -> str:
    return cells.parse_cadence(str(value)) if value else ""


def _meeting_format(value: object) -> str:
    return cells.parse_format(str(value or ""))


def _languages(codes: Iterable[object] | None) -> list[str]:
    return cells.check_languages(codes or [])


def _working_style(answers: Mapping[str, object] | None) -> dict[str, int]:
    return cells.check_working_style(answers or {})


# The participant record's rule for each profile field that has one (field → rule, and whether
# the value is written as a relation rather than a column).
RECORD_RULES: dict[str, tuple[Callable[[Any], object], bool]] = {
    "seniority": (cells.check_seniority, False),
    "timezone": (check_timezone, False),
    "languages": (_languages, False),
    "meeting_format": (_meeting_format, False),
    "cadence": (_cadence, False),
    "working_style": (_working_style, False),
    "skills_offered": (_skills, True),
    "skills_wanted": (_skills, True),
    "availability": (check_availability, True),
}


def _check_record_fields(changes: _ProfileChanges, given: dict) -> None:
    """Each given field through its record rule; a broken rule is that field's error (or its
    part's: ``working_style.pace``)."""
    for field, (check, relation) in RECORD_RULES.items():
        if field not in given:
            continue
        target = changes.relations if relation else changes.profile_fields
        try:
            target[field] = check(given[field])
        except CellError as error:
            changes.errors[f"{field}.{error.part}" if error.part else field] = error.message


def _check_manager(changes: _ProfileChanges, profile: Profile, email: object) -> None:
    """Keep the email as given, with no account lookup: whether an address has an account here
    is never shown, and match runs find the manager among their participants by email."""
    email = _clean_text(email).lower()
    if email == profile.manager_contact.lower():
        return  # unchanged (an untouched save keeps an import's link as it is)
    if email and email == profile.user.email.lower():
        changes.errors["manager_email"] = MANAGER_SELF
        return
    changes.profile_fields["manager_email"] = email
    changes.relations["manager"] = None


TEXT_LIMITS = {
    "first_name": 150,
    "last_name": 150,
    "headline": 140,
    "bio": 4000,
    "goals": TEXT_MAX_LENGTH,
    "expertise": TEXT_MAX_LENGTH,
    "department": PLACE_MAX_LENGTH,
    "city": PLACE_MAX_LENGTH,
}
ONE_LINE_FIELDS = {"first_name", "last_name", "headline", "department", "city"}


@dataclass
class _ProfileChanges:
    """Validated values, ready to write; ``errors`` maps field → message."""

    profile_fields: dict = dc_field(default_factory=dict)
    user_fields: dict = dc_field(default_factory=dict)
    relations: dict = dc_field(default_factory=dict)  # manager, skills, availability
    errors: dict = dc_field(default_factory=dict)


def _profile_changes(profile: Profile, given: dict) -> _ProfileChanges:
    changes = _ProfileChanges()
    for field, limit in TEXT_LIMITS.items():
        if field in given:
            value = _clean_text(given[field])
            if field in ONE_LINE_FIELDS:
                value = _WHITESPACE.sub(" ", value)
            target = changes.user_fields if field.endswith("_name") else changes.profile_fields
            target[field] = value
            _check_length(changes.errors, field, value, limit)
    _check_record_fields(changes, given)
    # Languages are a set: the form lists them in its own order, so the same set in another
    # order is no change (an untouched save must not rewrite the person's list).
    languages = changes.profile_fields.get("languages")
    if languages is not None and set(languages) == set(profile.languages or []):
        changes.profile_fields["languages"] = list(profile.languages)
    if "manager_email" in given:
        _check_manager(changes, profile, given["manager_email"])
    return changes


def profile_update(
    *,
    profile: Profile,
    actor: User | None,
    first_name: object = UNSET,
    last_name: object = UNSET,
    headline: object = UNSET,
    bio: object = UNSET,
    goals: object = UNSET,
    expertise: object = UNSET,
    skills_offered: object = UNSET,
    skills_wanted: object = UNSET,
    seniority: object = UNSET,
    department: object = UNSET,
    manager_email: object = UNSET,
    city: object = UNSET,
    timezone: object = UNSET,
    availability: object = UNSET,
    languages: object = UNSET,
    meeting_format: object = UNSET,
    cadence: object = UNSET,
    working_style: object = UNSET,
    reference_date: date | None = None,
) -> Profile:
    """Validate every given field, then write them all in one transaction (or nothing).

    Arguments left ``UNSET`` are not changed. ``actor`` must be the profile's owner or staff;
    ``None`` means trusted system code (CSV import, demo, CLI) that checked permission itself.
    Skills are lists of names (or one comma-separated string), availability a list of
    "Mon 09:00-12:00" strings or ``(weekday, start, end)`` tuples in the profile's time zone,
    ``manager_email`` an account's email ("" clears), ``working_style`` ``{question: 1..5}``.
    Raises ``ApplicationError`` (status 400) whose ``fields`` name every invalid field.
    """
    if actor is not None and actor.pk != profile.user_id and not actor.is_staff:
        raise NotFound(PROFILE_FORBIDDEN)
    given = {
        name: value
        for name, value in {
            "first_name": first_name,
            "last_name": last_name,
            "headline": headline,
            "bio": bio,
            "goals": goals,
            "expertise": expertise,
            "skills_offered": skills_offered,
            "skills_wanted": skills_wanted,
            "seniority": seniority,
            "department": department,
            "manager_email": manager_email,
            "city": city,
            "timezone": timezone,
            "availability": availability,
            "languages": languages,
            "meeting_format": meeting_format,
            "cadence": cadence,
            "working_style": working_style,
        }.items()
        if value is not UNSET
    }
    changes = _profile_changes(profile, given)
    if changes.errors:
        raise ApplicationError(PROFILE_INVALID, fields=changes.errors)
    with transaction.atomic():
        profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        _profile_write(profile, changes, reference_date)
    return profile


def _profile_write(profile: Profile, changes: _ProfileChanges, reference_date: date | None) -> None:
    for field, value in changes.profile_fields.items():
        setattr(profile, field, value)
    relations = changes.relations
    if "manager" in relations:
        profile.manager = relations["manager"]
    try:
        profile.full_clean(exclude=["user", "manager"])
    except ValidationError as error:
        raise ApplicationError(PROFILE_INVALID, fields=validation_error_fields(error)) from None
    if changes.user_fields:
        for field, value in changes.user_fields.items():
            setattr(profile.user, field, value)
        profile.user.save(update_fields=[*changes.user_fields])
    if "skills_offered" in relations:
        profile.skills_offered.set(skill_get_or_create_bulk(names=relations["skills_offered"]))
    if "skills_wanted" in relations:
        profile.skills_wanted.set(skill_get_or_create_bulk(names=relations["skills_wanted"]))
    if "availability" in relations:
        _replace_windows(profile, relations["availability"])
    if "availability" in relations or "timezone" in changes.profile_fields:
        _refresh_availability_utc(profile, reference_date)
    profile.save()


def _replace_windows(profile: Profile, windows: list[Window]) -> None:
    AvailabilityWindow.objects.filter(profile=profile).delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            profile=profile, weekday=w.weekday, start_minute=w.start, end_minute=w.end
        )
        for w in windows
    )


def _refresh_availability_utc(profile: Profile, reference_date: date | None) -> None:
    windows = profile.windows.values_list("weekday", "start_minute", "end_minute")
    profile.availability_utc = to_utc_intervals(
        list(windows), profile.timezone, reference_date or timezone_today()
    )


def timezone_today() -> date:
    return dj_timezone.now().date()


def profile_set_availability(
    *,
    profile: Profile,
    actor: User | None,
    windows: Iterable[str] | Iterable[tuple[int, int, int]],
    reference_date: date | None = None,
) -> Profile:
    """Replace the weekly windows (merged) and recompute ``availability_utc``."""
    return profile_update(
        profile=profile, actor=actor, availability=list(windows), reference_date=reference_date
    )


@transaction.atomic
def profile_refresh_availability(
    *, profile: Profile, reference_date: date | None = None
) -> Profile:
    """Recompute ``availability_utc`` from the stored windows (after admin edits, or weekly so
    the UTC offsets follow DST)."""
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    _refresh_availability_utc(profile, reference_date)
    profile.save(update_fields=["availability_utc", "updated_at"])
    return profile


def profiles_refresh_availability_bulk(
    *, reference_date: date | None = None, batch_size: int = 500
) -> int:
    """Recompute ``availability_utc`` of every profile for the week of ``reference_date`` and
    save those that changed (a DST change moved their offset). Run weekly and around DST
    changes; returns how many profiles changed. Queries: 2 per batch plus the updates."""
    reference_date = reference_date or timezone_today()
    changed: list[Profile] = []
    queryset = (
        Profile.objects.only("pk", "timezone", "availability_utc")
        .prefetch_related("windows")
        .order_by("pk")
    )
    for profile in queryset.iterator(chunk_size=batch_size):
        windows = [(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()]
        try:
            fresh = to_utc_intervals(windows, profile.timezone, reference_date)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if fresh != profile.availability_utc:
            profile.availability_utc = fresh
            changed.append(profile)
    with transaction.atomic():
        Profile.objects.bulk_update(changed, ["availability_utc"], batch_size=batch_size)
    return len(changed)


# --- identity (opt-in, owner only) ---------------------------------------------------------
def identity_set(
    *, user: User, attributes: Iterable[str], prefer_shared: bool, consent: bool
) -> Identity:
    """Save the person's self-described background; requires explicit consent each time."""
    errors: dict[str, str] = {}
    if not consent:
        errors["consent"] = IDENTITY_CONSENT_REQUIRED
    cleaned: list[str] = []
    try:
        cleaned = cells.check_identity(attributes or [])
    except CellError as error:
        errors["attributes"] = error.message
    if errors:
        raise ApplicationError("Please correct the errors below.", fields=errors)
    with transaction.atomic():
        identity, _ = Identity.objects.update_or_create(
            user=user,
            defaults={
                "attributes": cleaned,
                "prefer_shared": bool(prefer_shared),
                "consented_at": dj_timezone.now(),
            },
        )
    return identity


@transaction.atomic
def identity_withdraw(*, user: User) -> bool:
    """Delete the record entirely (withdrawing consent). Returns whether one existed.

    Match runs hold no copy to clean up: they read this row live when they are solved and store
    none of it (tests/matchruns/test_identity.py holds them to that)."""
    deleted, _ = Identity.objects.filter(user=user).delete()
    return deleted > 0


# --- personal API tokens -------------------------------------------------------------------
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it with the secret, which is never stored or shown again."""
    name = _WHITESPACE.sub(" ", name or "").strip()
    if not name:
        raise ApplicationError(TOKEN_NAME_REQUIRED, fields={"name": TOKEN_NAME_REQUIRED})
    if len(name) > 80:
        message = TOO_LONG.format(limit=80)
        raise ApplicationError(message, fields={"name": message})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # serialise per person
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            message = TOKEN_LIMIT.format(limit=MAX_ACTIVE_TOKENS)
            raise ApplicationError(message, fields={"name": message}, status=409)
        secret = TOKEN_SECRET_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: TOKEN_PREFIX_LENGTH + 4],
            key_hash=hash_token(secret),
        )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens (idempotent); others' tokens are 404."""
    token = access_api_token(user=user, token_id=token_id, for_update=True)
    if token.revoked_at is None:
        token.revoked_at = dj_timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
