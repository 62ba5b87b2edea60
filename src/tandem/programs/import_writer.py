"""Turning checked import rows into a plan (what would change) and writing it in bulk.

``import_plan`` compares the rows with what is stored (a bounded number of queries whatever the
row count), resolves ``manager`` and ``exclude`` references, and reports every problem.
``import_apply`` writes a plan with bulk queries; callers wrap it in one transaction, so an
import is all or nothing. Empty cells never clear stored values. People are matched by email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tandem.people.availability import Window, to_utc_intervals
from tandem.people.models import AvailabilityWindow, Identity, Profile, User
from tandem.people.services import skill_get_or_create_bulk
from tandem.people.services import skill_slug as _skill_slug
from tandem.programs.importing import (
    EXCLUDE_UNKNOWN,
    ID_TAKEN,
    MANAGER_UNKNOWN,
    ParsedRow,
    RowError,
)
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role

CHUNK = 2000
skill_slug = lru_cache(maxsize=8192)(_skill_slug)
PROFILE_FIELDS = (
    "goals",
    "expertise",
    "seniority",
    "languages",
    "timezone",
    "meeting_format",
    "city",
    "cadence",
    "department",
    "working_style",
)
DETAIL_LIMIT = 500


@dataclass
class PersonPlan:
    email: str
    user: User | None
    values: dict = field(default_factory=dict)  # merged non-empty values from the rows
    changed: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.user is None


@dataclass
class EnrolmentPlan:
    row: ParsedRow
    enrolment: Enrolment | None
    changed: list[str] = field(default_factory=list)
    exclude_emails: set[str] | None = None


@dataclass
class ImportPlan:
    people: dict[str, PersonPlan]
    enrolments: list[EnrolmentPlan]
    errors: list[RowError]

    def summary(self, rows: int) -> dict:
        new = sum(1 for p in self.people.values() if p.is_new)
        updated = sum(1 for p in self.people.values() if not p.is_new and p.changed)
        new_enrolments = sum(1 for e in self.enrolments if e.enrolment is None)
        updated_enrolments = sum(1 for e in self.enrolments if e.enrolment and e.changed)
        return {
            "rows": rows,
            "new_people": new,
            "updated_people": updated,
            "unchanged_people": len(self.people) - new - updated,
            "new_enrolments": new_enrolments,
            "updated_enrolments": updated_enrolments,
            "changes": new + updated + new_enrolments + updated_enrolments,
        }

    def details(self) -> list[dict]:
        out = []
        for person in self.people.values():
            if person.is_new or person.changed:
                out.append(
                    {
                        "email": person.email,
                        "action": "new" if person.is_new else "update",
                        "fields": person.changed,
                    }
                )
        for item in self.enrolments:
            if item.enrolment is None or item.changed:
                out.append(
                    {
                        "email": item.row.email,
                        "action": f"{item.row.role} enrolment",
                        "fields": item.changed if item.enrolment else ["new"],
                    }
                )
        return out[:DETAIL_LIMIT]


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _full_name(user: User) -> str:
    return " ".join(f"{user.first_name} {user.last_name}".split())


def _stored(user: User) -> dict:
    """The comparable current values of a person."""
    profile = getattr(user, "profile", None)
    identity = getattr(user, "identity", None) if hasattr(user, "identity") else None
    values: dict = {"name": _full_name(user)}
    if profile is not None:
        for name in PROFILE_FIELDS:
            values[name] = getattr(profile, name)
        values["skills_offered"] = {s.slug for s in profile.skills_offered.all()}
        values["skills_wanted"] = {s.slug for s in profile.skills_wanted.all()}
        values["availability"] = [
            Window(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()
        ]
        values["manager"] = profile.manager.email if profile.manager_id else None
    if identity is not None:
        values["identity"] = list(identity.attributes)
        values["prefer_shared_identity"] = identity.prefer_shared
    return values


def _differs(name: str, new, old) -> bool:
    if name in ("skills_offered", "skills_wanted"):
        return {skill_slug(n) for n in new} != (old or set())
    if name == "identity":
        return sorted(new) != sorted(old or [])
    return new != old


def import_plan(
    *, program: Program, rows: list[ParsedRow], create_only: bool = False
) -> ImportPlan:
    """What writing ``rows`` would change. ``create_only`` leaves existing people and
    enrolments exactly as they are (the demo loader's "keep what users changed")."""
    emails = list(dict.fromkeys(row.email for row in rows))
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        for user in (
            User.objects.filter(email__in=chunk)
            .select_related("profile", "profile__manager", "identity")
            .prefetch_related(
                "profile__skills_offered", "profile__skills_wanted", "profile__windows"
            )
        ):
            users[user.email] = user
    people: dict[str, PersonPlan] = {}
    for row in rows:
        person = people.setdefault(
            row.email, PersonPlan(email=row.email, user=users.get(row.email))
        )
        for name in (
            "name",
            *PROFILE_FIELDS,
            "skills_offered",
            "skills_wanted",
            "availability",
            "identity",
            "prefer_shared_identity",
            "manager",
        ):
            value = getattr(row, name)
            if value is not None:
                person.values[name] = value
    for person in people.values():
        if person.is_new:
            person.changed = sorted(person.values)
        elif not create_only:
            stored = _stored(person.user)
            person.changed = [
                name
                for name, value in person.values.items()
                if _differs(name, value, stored.get(name))
            ]

    errors = _resolve_references(program=program, rows=rows, people=people)
    existing = {}
    for chunk in _chunks(emails):
        for enrolment in (
            Enrolment.objects.filter(program=program, person__email__in=chunk)
            .select_related("person")
            .prefetch_related("exclude")
        ):
            existing[(enrolment.person.email, enrolment.role)] = enrolment
    enrolments = []
    for row in rows:
        enrolment = existing.get((row.email, row.role))
        item = EnrolmentPlan(row=row, enrolment=enrolment, exclude_emails=row.exclude_emails)
        if enrolment is not None and not create_only:
            if row.capacity is not None and row.capacity != enrolment.capacity:
                item.changed.append("capacity")
            if row.external_id is not None and row.external_id != enrolment.external_id:
                item.changed.append("id")
            if item.exclude_emails is not None and item.exclude_emails != {
                user.email for user in enrolment.exclude.all()
            }:
                item.changed.append("exclude")
        enrolments.append(item)
    return ImportPlan(people=people, enrolments=enrolments, errors=errors)


def _resolve_references(
    *, program: Program, rows: list[ParsedRow], people: dict[str, PersonPlan]
) -> list[RowError]:
    """Manager emails and exclude tokens must name someone; ids must not be taken."""
    errors: list[RowError] = []
    file_ids = {row.external_id: row.email for row in rows if row.external_id}
    outside_emails = {row.manager for row in rows if row.manager and row.manager not in people}
    outside_tokens = {
        token
        for row in rows
        for token in (row.exclude or [])
        if token not in people and token not in file_ids
    }
    outside_emails |= {token for token in outside_tokens if "@" in token}
    known_emails = set()
    for chunk in _chunks(outside_emails):
        known_emails |= set(User.objects.filter(email__in=chunk).values_list("email", flat=True))
    ids_in_program: dict[str, str] = {}
    for chunk in _chunks(set(file_ids) | {t for t in outside_tokens if "@" not in t}):
        for external_id, email in Enrolment.objects.filter(
            program=program, external_id__in=chunk
        ).values_list("external_id", "person__email"):
            ids_in_program.setdefault(external_id, email)
    for row in rows:
        if row.manager and row.manager not in people and row.manager not in known_emails:
            errors.append(RowError(row.row, "manager", MANAGER_UNKNOWN.format(value=row.manager)))
        if row.external_id and ids_in_program.get(row.external_id, row.email) != row.email:
            errors.append(
                RowError(
                    row.row,
                    "id",
                    ID_TAKEN.format(value=row.external_id, other=ids_in_program[row.external_id]),
                )
            )
        if row.exclude is None:
            row.exclude_emails = None
            continue
        resolved = set()
        for token in row.exclude:
            email = (
                token
                if token in people or token in known_emails
                else file_ids.get(token) or ids_in_program.get(token)
            )
            if email is None:
                errors.append(RowError(row.row, "exclude", EXCLUDE_UNKNOWN.format(value=token)))
            else:
                resolved.add(email)
        row.exclude_emails = resolved
    return errors


# --- writing ----------------------------------------------------------------------------------


def import_apply(
    *,
    program: Program,
    plan: ImportPlan,
    password_hash: str | None = None,
    welcome: bool = True,
    reference_date=None,
    email_verified: bool = False,
) -> list[User]:
    """Write ``plan`` with bulk queries; return the accounts created. Call inside a transaction.

    New accounts get ``password_hash`` (the demo) or an unusable password and, when
    ``welcome``, an email with a link to set a password (sent after commit). Imported
    addresses stay unverified unless ``email_verified``.
    """
    reference_date = reference_date or timezone.now().date()
    new_users = [
        _new_user(person, password_hash) for person in plan.people.values() if person.is_new
    ]
    if email_verified:  # the demo's made-up addresses
        for user in new_users:
            user.email_verified_at = timezone.now()
    User.objects.bulk_create(new_users, batch_size=500)
    users = {person.email: person.user for person in plan.people.values() if person.user}
    users.update({user.email: user for user in new_users})
    _write_names(plan, users)
    profiles, unsaved = _ensure_profiles(users, new={user.email for user in new_users})
    changed = [p for p in plan.people.values() if p.changed]
    _write_profiles(changed, profiles, unsaved, reference_date)
    _write_skills(changed, profiles)
    _write_identity(changed, users)
    _write_enrolments(program, plan, users)
    if welcome and new_users:
        transaction.on_commit(lambda: _send_welcome(program, new_users))
    return new_users


def _new_user(person: PersonPlan, password_hash: str | None) -> User:
    first, _, last = (person.values.get("name") or "").partition(" ")
    return User(
        email=person.email,
        username=person.email,
        first_name=first[:150],
        last_name=last[:150],
        password=password_hash or make_password(None),
    )


def _write_names(plan: ImportPlan, users: dict[str, User]) -> None:
    renamed = []
    for person in plan.people.values():
        if not person.is_new and "name" in person.changed:
            user = users[person.email]
            user.first_name, _, user.last_name = person.values["name"].partition(" ")
            renamed.append(user)
    User.objects.bulk_update(renamed, ["first_name", "last_name"], batch_size=500)


def _ensure_profiles(
    users: dict[str, User], *, new: set[str]
) -> tuple[dict[str, Profile], set[str]]:
    """Every person's profile object; those not in the database yet are unsaved (their
    fields are filled before one bulk insert, which is far cheaper than insert + update)."""
    profiles: dict[str, Profile] = {}
    unsaved: set[str] = set()
    for email, user in users.items():
        if email not in new and _has_profile(user):
            profiles[email] = user.profile
        else:
            profiles[email] = Profile(user=user)
            unsaved.add(email)
    return profiles, unsaved


def _has_profile(user: User) -> bool:
    try:
        return user.profile is not None
    except Profile.DoesNotExist:
        return False


def _write_profiles(
    changed: list[PersonPlan], profiles: dict[str, Profile], unsaved: set[str], reference_date
) -> None:
    fields: set[str] = set()
    to_update, window_rows, replaced = [], [], []
    managers = {p.values["manager"] for p in changed if "manager" in p.changed}
    manager_ids = {}
    for chunk in _chunks(managers):
        manager_ids.update(User.objects.filter(email__in=chunk).values_list("email", "pk"))
    now = timezone.now()
    for person in changed:
        profile = profiles[person.email]
        for name in PROFILE_FIELDS:
            if name in person.changed:
                setattr(profile, name, person.values[name])
                fields.add(name)
        if "manager" in person.changed:
            profile.manager_id = manager_ids.get(person.values["manager"])
            fields.add("manager")
        if "availability" in person.changed:
            if person.email not in unsaved:
                replaced.append(profile.pk)
            window_rows += [
                AvailabilityWindow(
                    profile=profile, weekday=w.weekday, start_minute=w.start, end_minute=w.end
                )
                for w in person.values["availability"]
            ]
        if "availability" in person.changed or "timezone" in person.changed:
            if "availability" in person.changed:
                windows = person.values["availability"]
            elif person.email in unsaved:
                windows = []
            else:
                windows = [
                    Window(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()
                ]
            profile.availability_utc = to_utc_intervals(windows, profile.timezone, reference_date)
            fields.add("availability_utc")
        if person.email not in unsaved:
            profile.updated_at = now
            to_update.append(profile)
    Profile.objects.bulk_create([profiles[email] for email in unsaved], batch_size=500)
    if fields and to_update:
        Profile.objects.bulk_update(to_update, [*fields, "updated_at"], batch_size=500)
    for chunk in _chunks(replaced):
        AvailabilityWindow.objects.filter(profile_id__in=chunk).delete()
    AvailabilityWindow.objects.bulk_create(window_rows, batch_size=1000)


def _write_skills(changed: list[PersonPlan], profiles: dict[str, Profile]) -> None:
    names = [
        name
        for p in changed
        for side in ("skills_offered", "skills_wanted")
        if side in p.changed
        for name in p.values[side]
    ]
    by_slug = (
        {skill.slug: skill for skill in skill_get_or_create_bulk(names=names)} if names else {}
    )
    for side in ("skills_offered", "skills_wanted"):
        through = getattr(Profile, side).through
        people = [p for p in changed if side in p.changed]
        ids = [profiles[p.email].pk for p in people]
        for chunk in _chunks(ids):
            through.objects.filter(profile_id__in=chunk).delete()
        links = {
            (profiles[p.email].pk, by_slug[skill_slug(name)].pk)
            for p in people
            for name in p.values[side]
        }
        through.objects.bulk_create(
            [through(profile_id=profile_id, skill_id=skill_id) for profile_id, skill_id in links],
            batch_size=1000,
        )


def _write_identity(changed: list[PersonPlan], users: dict[str, User]) -> None:
    """Importing identity asserts the admin collected consent: consented_at = now."""
    now = timezone.now()
    people = [p for p in changed if {"identity", "prefer_shared_identity"} & set(p.changed)]
    user_ids = [users[p.email].pk for p in people]
    stored = {
        i.user_id: i
        for chunk in _chunks(user_ids)
        for i in Identity.objects.filter(user_id__in=chunk)
    }
    create, update = [], []
    for person in people:
        user = users[person.email]
        identity = stored.get(user.pk)
        if identity is None:
            identity = Identity(user=user, attributes=[], consented_at=now)
            create.append(identity)
        else:
            update.append(identity)
        if "identity" in person.values:
            identity.attributes = person.values["identity"]
        if "prefer_shared_identity" in person.values:
            identity.prefer_shared = person.values["prefer_shared_identity"]
        identity.consented_at = now
    Identity.objects.bulk_create(create, batch_size=500)
    Identity.objects.bulk_update(
        update, ["attributes", "prefer_shared", "consented_at"], batch_size=500
    )


def _write_enrolments(program: Program, plan: ImportPlan, users: dict[str, User]) -> None:
    new, updated = [], []
    for item in plan.enrolments:
        row = item.row
        if item.enrolment is None:
            capacity = row.capacity if row.role == Role.MENTOR else None
            if row.role == Role.MENTOR and capacity is None:
                capacity = program.default_capacity
            item.enrolment = Enrolment(
                program=program,
                person=users[row.email],
                role=row.role,
                status=EnrolmentStatus.ACTIVE,
                capacity=capacity,
                external_id=row.external_id or "",
            )
            new.append(item.enrolment)
        elif item.changed:
            if "capacity" in item.changed:
                item.enrolment.capacity = row.capacity
            if "id" in item.changed:
                item.enrolment.external_id = row.external_id
            updated.append(item.enrolment)
    Enrolment.objects.bulk_create(new, batch_size=500)
    Enrolment.objects.bulk_update(
        updated, ["capacity", "external_id", "updated_at"], batch_size=500
    )
    targets = [
        item
        for item in plan.enrolments
        if item.exclude_emails is not None and (item.enrolment in new or "exclude" in item.changed)
    ]
    if not targets:
        return
    through = Enrolment.exclude.through
    for chunk in _chunks([item.enrolment.pk for item in targets]):
        through.objects.filter(enrolment_id__in=chunk).delete()
    emails = {email for item in targets for email in item.exclude_emails}
    ids = {}
    for chunk in _chunks(emails):
        ids.update(User.objects.filter(email__in=chunk).values_list("email", "pk"))
    through.objects.bulk_create(
        [
            through(enrolment_id=item.enrolment.pk, user_id=ids[email])
            for item in targets
            for email in item.exclude_emails
            if email in ids
        ],
        batch_size=1000,
    )


WELCOME_SUBJECT = "You have been added to {program} on Tandem"
WELCOME_BODY = """Hello{name},

{program} uses Tandem to run its mentoring program, and you have been added as a participant.

Set a password to log in:
{link}

If you did not expect this email you can ignore it.
"""


def _password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    try:
        path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    except NoReverseMatch:
        path = reverse("login")
    return f"{settings.SITE_URL}{path}"


def _send_welcome(program: Program, users: list[User]) -> None:
    messages = [
        EmailMessage(
            subject=WELCOME_SUBJECT.format(program=program.name),
            body=WELCOME_BODY.format(
                name=f" {user.first_name}" if user.first_name else "",
                program=program.name,
                link=_password_link(user),
            ),
            to=[user.email],
        )
        for user in users
    ]
    with get_connection() as connection:
        connection.send_messages(messages)
