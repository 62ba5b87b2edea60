"""Turning checked import rows into a plan (what would change) and writing it in bulk.

Who an import may touch: it may create people and update the people already in THIS program
(an active, paused or pending enrolment). Anyone else, whether or not Tandem has an account for
the address, is *invited*: a ``ParticipantInvitation`` and an email with a link to accept; the
enrolment is made when they accept, and an existing account is never edited. Identity is never
written by an import.

What an admin can learn: the plan and its report depend only on the file and on what the admin
may already read (this program's enrolments and its participants' profiles). An address with an
account outside the program and an address nobody has both appear as "invite", with the same
counts and details; references (manager, exclude) resolve only within the file and the program.

``import_plan`` compares the rows with what is stored (a bounded number of queries whatever the
row count) and reports every problem. ``import_apply`` writes a plan with bulk queries; callers
wrap it in one transaction, so an import is all or nothing. Empty cells never clear stored
values. People are matched by email.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from tandem.matching.records.availability import Window, to_utc_intervals
from tandem.people.models import AvailabilityWindow, Profile, User
from tandem.people.services import skill_get_or_create_bulk
from tandem.people.services import skill_slug as _skill_slug
from tandem.programs.imports.bulk import bulk_insert, bulk_insert_ids, bulk_update
from tandem.programs.imports.emails import invitation_emails_queue
from tandem.programs.imports.reading import (
    EXCLUDE_UNKNOWN,
    ID_TAKEN,
    MANAGER_UNKNOWN,
    ParsedRow,
    RowError,
)
from tandem.programs.models import (
    Enrolment,
    EnrolmentStatus,
    ParticipantInvitation,
    Program,
    Role,
)

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
# Who counts as "in the program" for an import: whoever the admin manages there now.
MEMBER_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED, EnrolmentStatus.PENDING)


@dataclass
class PersonPlan:
    email: str
    user: User | None  # loaded for members only (and for everyone when ``trusted``)
    member: bool
    values: dict = field(default_factory=dict)  # merged non-empty values from the rows
    changed: list[str] = field(default_factory=list)
    # (reference date, time zone) -> the file's availability in UTC (see import_prepare)
    availability_utc: dict = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        """A new account (the trusted demo loader only; an import invites instead)."""
        return self.member and self.user is None


@dataclass
class EnrolmentPlan:
    row: ParsedRow
    enrolment: Enrolment | None
    changed: list[str] = field(default_factory=list)
    exclude_emails: set[str] | None = None


@dataclass
class ImportPlan:
    people: dict[str, PersonPlan]
    enrolments: list[EnrolmentPlan]  # of members
    invitations: list[ParsedRow]  # rows of people not in the program
    errors: list[RowError]
    trusted: bool = False

    def summary(self, rows: int) -> dict:
        members = [p for p in self.people.values() if p.member]
        new = sum(1 for p in members if p.is_new)
        updated = sum(1 for p in members if not p.is_new and p.changed)
        new_enrolments = sum(1 for e in self.enrolments if e.enrolment is None)
        updated_enrolments = sum(1 for e in self.enrolments if e.enrolment and e.changed)
        invited = len(self.invitations)
        return {
            "rows": rows,
            "invited": invited,
            "updated_people": updated,
            "unchanged_people": len(members) - new - updated,
            "new_enrolments": new_enrolments,
            "updated_enrolments": updated_enrolments,
            "changes": invited + new + updated + new_enrolments + updated_enrolments,
        }

    def details(self) -> list[dict]:
        out = [
            {"email": row.email, "action": f"invite as {row.role}", "fields": []}
            for row in self.invitations
        ]
        for person in self.people.values():
            if person.member and (person.is_new or person.changed):
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
    """The comparable current values of a person (never their identity)."""
    profile = getattr(user, "profile", None)
    values: dict = {"name": _full_name(user)}
    if profile is not None:
        for name in PROFILE_FIELDS:
            values[name] = getattr(profile, name)
        values["skills_offered"] = {s.slug for s in profile.skills_offered.all()}
        values["skills_wanted"] = {s.slug for s in profile.skills_wanted.all()}
        values["availability"] = [
            Window(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()
        ]
        values["manager"] = profile.manager_contact or None
    return values


def _differs(name: str, new, old) -> bool:
    if name in ("skills_offered", "skills_wanted"):
        return {skill_slug(n) for n in new} != (old or set())
    return new != old


def _member_emails(program: Program, emails: list[str]) -> set[str]:
    members: set[str] = set()
    for chunk in _chunks(emails):
        members |= set(
            Enrolment.objects.filter(
                program=program, person__email__in=chunk, status__in=MEMBER_STATUSES
            ).values_list("person__email", flat=True)
        )
    return members


def import_plan(
    *,
    program: Program,
    rows: list[ParsedRow],
    create_only: bool = False,
    trusted: bool = False,
) -> ImportPlan:
    """What writing ``rows`` would change.

    ``create_only`` leaves existing people and enrolments exactly as they are. ``trusted`` is
    for the demo loader's made-up people only: everyone in the file is enrolled directly (new
    accounts created); no admin-facing path passes it. Identity is never written here.
    """
    emails = list(dict.fromkeys(row.email for row in rows))
    members = set(emails) if trusted else _member_emails(program, emails)
    users: dict[str, User] = {}
    for chunk in _chunks([email for email in emails if email in members]):
        for user in (
            User.objects.filter(email__in=chunk)
            .select_related("profile", "profile__manager")
            .prefetch_related(
                "profile__skills_offered", "profile__skills_wanted", "profile__windows"
            )
        ):
            users[user.email] = user
    fields = ("name", *PROFILE_FIELDS, "skills_offered", "skills_wanted", "availability", "manager")
    people: dict[str, PersonPlan] = {}
    for row in rows:
        person = people.setdefault(
            row.email,
            PersonPlan(email=row.email, user=users.get(row.email), member=row.email in members),
        )
        for name in fields:
            value = getattr(row, name)
            if value is not None:
                person.values[name] = value
    for person in people.values():
        if not person.member:
            continue  # invited: nothing of theirs is read, compared or shown
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
    for chunk in _chunks([email for email in emails if email in members]):
        for enrolment in (
            Enrolment.objects.filter(program=program, person__email__in=chunk)
            .select_related("person")
            .prefetch_related("exclude")
        ):
            existing[(enrolment.person.email, enrolment.role)] = enrolment
    enrolments, invitations = [], []
    for row in rows:
        if row.email not in members:
            invitations.append(row)
            continue
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
    return ImportPlan(
        people=people,
        enrolments=enrolments,
        invitations=invitations,
        errors=errors,
        trusted=trusted,
    )


def import_plan_is_stale(*, program: Program, plan: ImportPlan) -> bool:
    """Whether who is in the program, or which roles they hold, changed since ``plan`` was
    made (two bounded queries per 2,000 addresses); call inside the writing transaction."""
    emails = list(plan.people)
    members = {email for email, person in plan.people.items() if person.member}
    if not plan.trusted and _member_emails(program, emails) != members:
        return True
    planned = {(item.row.email, item.row.role) for item in plan.enrolments if item.enrolment}
    held = set()
    for chunk in _chunks(sorted(members)):
        held |= set(
            Enrolment.objects.filter(program=program, person__email__in=chunk).values_list(
                "person__email", "role"
            )
        )
    wanted = {(item.row.email, item.row.role) for item in plan.enrolments}
    return held & wanted != planned


def _resolve_references(
    *, program: Program, rows: list[ParsedRow], people: dict[str, PersonPlan]
) -> list[RowError]:
    """Manager emails and exclude tokens must name someone in the file or the program (never
    "some account somewhere": that would tell the admin which addresses have accounts); ids
    must not be taken in the program."""
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
        known_emails |= set(
            Enrolment.objects.filter(program=program, person__email__in=chunk).values_list(
                "person__email", flat=True
            )
        )
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


def import_prepare(*, plan: ImportPlan, reference_date=None) -> None:
    """Work out before the writing transaction what needs no database: the file's availability
    in UTC (on SQLite the transaction holds the one write lock, so the less it computes the
    better). ``import_apply`` computes whatever this did not."""
    reference_date = reference_date or timezone.now().date()
    for person in plan.people.values():
        if "availability" in person.values:
            _availability_utc(person, _timezone(person), reference_date)


def _timezone(person: PersonPlan) -> str:
    """The time zone the person's profile will have after the import."""
    if person.values.get("timezone"):
        return person.values["timezone"]
    if person.member and person.user is not None and _has_profile(person.user):
        return person.user.profile.timezone
    return _profile_defaults()["timezone"]


def _availability_utc(person: PersonPlan, tz: str, reference_date) -> list:
    key = (reference_date, tz)
    if key not in person.availability_utc:
        windows = person.values["availability"]
        person.availability_utc[key] = to_utc_intervals(windows, tz, reference_date)
    return person.availability_utc[key]


def import_apply(
    *,
    program: Program,
    plan: ImportPlan,
    password_hash: str | None = None,
    welcome: bool = True,
    reference_date=None,
    email_verified: bool = False,
    invited_by: User | None = None,
) -> dict[str, int]:
    """Write ``plan`` with bulk queries; return the ids of the accounts created, by email.
    Call inside a transaction.

    Members are updated and enrolled; everyone else gets a ``ParticipantInvitation`` (an
    address without an account also gets a new account holding the file's profile values) and,
    when ``welcome``, an email with the link to accept (and to set a password), queued after
    commit as a few background tasks. An existing account outside the program is never written.
    New accounts get ``password_hash`` (the demo) or an unusable password; addresses stay
    unverified unless ``email_verified``.

    New rows go in with ``bulk_insert`` (no model instances) and the queries are bounded per
    2,000 rows, so that the transaction (on SQLite: the database's write lock) is short.
    """
    reference_date = reference_date or timezone.now().date()
    invited = {row.email for row in plan.invitations}
    have_account: set[str] = set()
    for chunk in _chunks(invited):
        have_account |= set(User.objects.filter(email__in=chunk).values_list("email", flat=True))
    creating = [
        person
        for person in plan.people.values()
        if person.is_new or (not person.member and person.email not in have_account)
    ]
    for person in creating:
        person.changed = sorted(person.values)
    created = _create_accounts(creating, password_hash, email_verified)
    ids = {
        email: person.user.pk
        for email, person in plan.people.items()
        if person.member and person.user is not None
    }
    ids.update(created)
    _write_names(plan)
    changed = [p for p in plan.people.values() if p.changed and p.email in ids]
    reachable = _reachable_ids(program, ids)
    profile_ids, fresh = _write_profiles(changed, ids, reference_date, reachable)
    _write_skills(changed, profile_ids, fresh)
    _write_enrolments(program, plan, ids, reachable)
    to_send = _write_invitations(program, plan, invited_by)
    if welcome and to_send:
        new_accounts = set(created)
        transaction.on_commit(
            lambda: invitation_emails_queue(tokens=to_send, new_accounts=new_accounts)
        )
    return created


def _update(model, objects: list, fields: Iterable[str]) -> None:
    """Write ``fields`` of loaded ``objects`` (their current attribute values)."""
    attnames = [model._meta.get_field(name).attname for name in fields]
    bulk_update(
        model,
        fields=attnames,
        rows=[(obj.pk, *(getattr(obj, name) for name in attnames)) for obj in objects],
    )


def _reachable_ids(program: Program, ids: dict[str, int]):
    """``email -> user id`` lookup for manager and exclude references: only people of this
    import's own accounts (members and new) or enrolled in the program, never another
    account found by its address."""

    def lookup(emails: Iterable[str]) -> dict[str, int]:
        found = {email: ids[email] for email in emails if email in ids}
        for chunk in _chunks([email for email in emails if email not in found]):
            found.update(
                Enrolment.objects.filter(program=program, person__email__in=chunk).values_list(
                    "person__email", "person_id"
                )
            )
        return found

    return lookup


def _create_accounts(
    people: list[PersonPlan], password_hash: str | None, email_verified: bool
) -> dict[str, int]:
    rows = []
    for person in people:
        first, _, last = (person.values.get("name") or "").partition(" ")
        # what make_password(None) gives, at a fraction of its cost for thousands of rows
        password = password_hash or UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        rows.append((person.email, person.email, first[:150], last[:150], password))
    now = timezone.now()
    return bulk_insert_ids(
        User,
        fields=("email", "username", "first_name", "last_name", "password"),
        rows=rows,
        key="email",
        # verified: the demo's made-up addresses
        same={"date_joined": now, "email_verified_at": now if email_verified else None},
    )


def _write_names(plan: ImportPlan) -> None:
    renamed = []
    for person in plan.people.values():
        if person.member and not person.is_new and "name" in person.changed:
            user = person.user
            user.first_name, _, user.last_name = person.values["name"].partition(" ")
            renamed.append(user)
    _update(User, renamed, ["first_name", "last_name"])


def _has_profile(user: User) -> bool:
    try:
        return user.profile is not None
    except Profile.DoesNotExist:
        return False


@lru_cache(maxsize=1)
def _profile_defaults() -> dict:
    return {name: Profile._meta.get_field(name).get_default() for name in PROFILE_FIELDS}


def _write_profiles(
    changed: list[PersonPlan], ids: dict[str, int], reference_date, reachable
) -> tuple[dict[str, int], set[str]]:
    """Write the changed profile fields (one insert for people without a profile yet, an update
    for the others) and replace changed availability. Returns the changed people's profile ids
    by email, and the emails whose profile is new."""
    stored = {
        p.email: p.user.profile for p in changed if p.user is not None and _has_profile(p.user)
    }
    fresh = [p for p in changed if p.email not in stored]
    manager_ids = reachable({p.values["manager"] for p in changed if "manager" in p.changed})
    new_ids = bulk_insert_ids(
        Profile,
        fields=("user_id", *PROFILE_FIELDS, "manager_email", "manager_id", "availability_utc"),
        rows=[_new_profile_row(p, ids[p.email], manager_ids, reference_date) for p in fresh],
        key="user_id",
    )
    profile_ids = {email: profile.pk for email, profile in stored.items()}
    profile_ids.update((p.email, new_ids[ids[p.email]]) for p in fresh)
    _update_profiles([p for p in changed if p.email in stored], stored, manager_ids, reference_date)
    moved = [p for p in changed if "availability" in p.changed]
    for chunk in _chunks([profile_ids[p.email] for p in moved if p.email in stored]):
        AvailabilityWindow.objects.filter(profile_id__in=chunk).delete()
    bulk_insert(
        AvailabilityWindow,
        fields=("profile_id", "weekday", "start_minute", "end_minute"),
        rows=[
            (profile_ids[p.email], w.weekday, w.start, w.end)
            for p in moved
            for w in p.values["availability"]
        ],
    )
    return profile_ids, {p.email for p in fresh}


def _new_profile_row(person: PersonPlan, user_id: int, manager_ids, reference_date) -> tuple:
    defaults = _profile_defaults()
    values = {
        name: person.values[name] if name in person.changed else defaults[name]
        for name in PROFILE_FIELDS
    }
    manager = person.values["manager"] if "manager" in person.changed else ""
    # a manager who is only invited is kept by email: match runs find them once they join
    manager_id = manager_ids.get(manager) if manager else None
    availability_utc: list = []
    if "availability" in person.changed:
        availability_utc = _availability_utc(person, values["timezone"], reference_date)
    return (user_id, *values.values(), manager, manager_id, availability_utc)


def _update_profiles(
    people: list[PersonPlan], stored: dict[str, Profile], manager_ids, reference_date
) -> None:
    fields: set[str] = set()
    now = timezone.now()
    for person in people:
        profile = stored[person.email]
        for name in PROFILE_FIELDS:
            if name in person.changed:
                setattr(profile, name, person.values[name])
                fields.add(name)
        if "manager" in person.changed:
            profile.manager_email = person.values["manager"] or ""
            profile.manager_id = manager_ids.get(person.values["manager"])
            fields |= {"manager_email", "manager"}
        if "availability" in person.changed:
            profile.availability_utc = _availability_utc(person, profile.timezone, reference_date)
            fields.add("availability_utc")
        elif "timezone" in person.changed:
            windows = [
                Window(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()
            ]
            profile.availability_utc = to_utc_intervals(windows, profile.timezone, reference_date)
            fields.add("availability_utc")
        profile.updated_at = now
    if fields and people:
        _update(Profile, [stored[p.email] for p in people], [*fields, "updated_at"])


def _write_skills(changed: list[PersonPlan], profile_ids: dict[str, int], fresh: set[str]) -> None:
    names = dict.fromkeys(
        name
        for p in changed
        for side in ("skills_offered", "skills_wanted")
        if side in p.changed
        for name in p.values[side]
    )
    by_slug = (
        {skill.slug: skill.pk for skill in skill_get_or_create_bulk(names=names)} if names else {}
    )
    for side in ("skills_offered", "skills_wanted"):
        through = getattr(Profile, side).through
        people = [p for p in changed if side in p.changed]
        for chunk in _chunks([profile_ids[p.email] for p in people if p.email not in fresh]):
            through.objects.filter(profile_id__in=chunk).delete()
        links = {
            (profile_ids[p.email], by_slug[skill_slug(name)])
            for p in people
            for name in p.values[side]
        }
        bulk_insert(through, fields=("profile_id", "skill_id"), rows=links)


def _write_enrolments(program: Program, plan: ImportPlan, ids: dict[str, int], reachable) -> None:
    new, updated = [], []
    for item in plan.enrolments:
        row = item.row
        if item.enrolment is None:
            capacity = row.capacity if row.role == Role.MENTOR else None
            if row.role == Role.MENTOR and capacity is None:
                capacity = program.default_capacity
            item.enrolment = Enrolment(
                program=program,
                person_id=ids[row.email],
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
    _update(Enrolment, updated, ["capacity", "external_id", "updated_at"])
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
    user_ids = reachable({email for item in targets for email in item.exclude_emails})
    bulk_insert(
        through,
        fields=("enrolment_id", "user_id"),
        rows=[
            (item.enrolment.pk, user_ids[email])
            for item in targets
            for email in item.exclude_emails
            if email in user_ids
        ],
    )


def _write_invitations(program: Program, plan: ImportPlan, invited_by: User | None) -> list[str]:
    """Create or renew one invitation per invited row; return the tokens of those to email
    (new ones and ones renewed after a decline or an earlier acceptance; a pending one is not
    re-sent)."""
    if not plan.invitations:
        return []
    stored = {}
    for chunk in _chunks({row.email for row in plan.invitations}):
        for invitation in ParticipantInvitation.objects.filter(program=program, email__in=chunk):
            stored[(invitation.email, invitation.role)] = invitation
    create, update, send = [], [], []
    for row in plan.invitations:
        invitation = stored.get((row.email, row.role))
        capacity = row.capacity if row.role == Role.MENTOR else None
        if invitation is None:
            token = secrets.token_urlsafe(32)
            create.append((row.email, row.role, capacity, row.external_id or "", token))
            send.append(token)
            continue
        if invitation.state != "pending":
            invitation.token = secrets.token_urlsafe(32)
            invitation.accepted_at = invitation.declined_at = None
            invitation.invited_by = invited_by
            send.append(invitation.token)
        if capacity is not None:
            invitation.capacity = capacity
        if row.external_id is not None:
            invitation.external_id = row.external_id
        update.append(invitation)
    bulk_insert(
        ParticipantInvitation,
        fields=("email", "role", "capacity", "external_id", "token"),
        rows=create,
        same={"program_id": program.pk, "invited_by_id": invited_by.pk if invited_by else None},
    )
    _update(
        ParticipantInvitation,
        update,
        ["capacity", "external_id", "token", "accepted_at", "declined_at", "invited_by"],
    )
    return send
