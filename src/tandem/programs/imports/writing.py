"""Writing an import plan (``planning``) in bulk.

``import_apply`` writes a plan with bulk queries; callers wrap it in one transaction, so an
import is all or nothing. ``import_prepare`` does the per-person work that needs no lock (time
zones, availability in UTC) before that transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import lru_cache

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from tandem.matching.records.availability import Window, to_utc_intervals
from tandem.matching.records.cells import skill_slug
from tandem.people.models import AvailabilityWindow, Profile, User
from tandem.people.selectors import SKILL_TAGS
from tandem.people.services import skill_get_or_create_bulk
from tandem.people.services.vectors import TEXT_FIELDS, profile_vectors_fill_later
from tandem.programs.imports.bulk import (
    bulk_insert,
    bulk_insert_ids,
    bulk_update_loaded,
    chunked,
    column_fields,
)
from tandem.programs.imports.emails import invitation_emails_queue
from tandem.programs.imports.invitations import invitations_write_for_import
from tandem.programs.imports.planning import PROFILE_FIELDS, ImportPlan, PersonPlan
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tandem.programs.selectors.waitlist import places_taken, role_limit
from tandem.programs.services.waitlist import program_lock


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
    Call inside a transaction: it takes the program's lock (``program_lock``) first, as every
    other change of who is in the program does, so an invitation by email or a join cannot
    write the same rows meanwhile.

    Members are updated and enrolled; everyone else gets a ``ParticipantInvitation`` (an
    address without an account also gets a new account holding the file's profile values) and,
    when ``welcome``, an email with the link to accept (and to set a password), queued after
    commit as a few background tasks. An existing account outside the program is never written.
    New accounts get ``password_hash`` (the demo) or an unusable password; addresses stay
    unverified unless ``email_verified``. Without ``welcome`` the invitations are *held*: an
    admin sends them later ("Send now" on the email invitations page).

    A new role of a member takes a free place of that role, or, when the role is full, waits on
    the waitlist (the admin's import approved it), in file order; ``plan.waitlisted()`` names
    them afterwards.

    New rows go in with ``bulk_insert`` (no model instances) and the queries are bounded per
    2,000 rows, so that the transaction (on SQLite: the database's write lock) is short.
    """
    program = program_lock(program_id=program.pk)
    reference_date = reference_date or timezone.now().date()
    invited = {row.email for row in plan.invitations}
    have_account: set[str] = set()
    for chunk in chunked(invited):
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
    profile_vectors_fill_later(
        user_ids=(ids[p.email] for p in changed if TEXT_FIELDS.intersection(p.changed))
    )
    _write_enrolments(program, plan, ids, reachable)
    to_send = invitations_write_for_import(
        program=program, rows=plan.invitations, invited_by=invited_by, send=welcome
    )
    if welcome and to_send:
        new_accounts = set(created)
        transaction.on_commit(
            lambda: invitation_emails_queue(tokens=to_send, new_accounts=new_accounts)
        )
    return created


def _reachable_ids(program: Program, ids: dict[str, int]):
    """``email -> user id`` lookup for manager and exclude references: only people of this
    import's own accounts (members and new) or enrolled in the program, never another
    account found by its address."""

    def lookup(emails: Iterable[str]) -> dict[str, int]:
        found = {email: ids[email] for email in emails if email in ids}
        for chunk in chunked([email for email in emails if email not in found]):
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
        user = person.user  # None for a new member (the trusted loader creates the account)
        if person.member and user is not None and "name" in person.changed:
            user.first_name, _, user.last_name = person.values["name"].partition(" ")
            renamed.append(user)
    bulk_update_loaded(User, renamed, ["first_name", "last_name"])


def _has_profile(user: User) -> bool:
    try:
        return user.profile is not None
    except Profile.DoesNotExist:
        return False


@lru_cache(maxsize=1)
def _profile_defaults() -> dict:
    return {field.name: field.get_default() for field in column_fields(Profile, PROFILE_FIELDS)}


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
    for chunk in chunked([profile_ids[p.email] for p in moved if p.email in stored]):
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
            profile.manager_name = ""  # the name typed for the previous manager is not theirs
            fields |= {"manager_email", "manager", "manager_name"}
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
        bulk_update_loaded(Profile, [stored[p.email] for p in people], [*fields, "updated_at"])


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
        holding = SKILL_TAGS[side][1]
        people = [p for p in changed if side in p.changed]
        for chunk in chunked([profile_ids[p.email] for p in people if p.email not in fresh]):
            holding.objects.filter(profile_id__in=chunk).delete()
        # Each person's cell is their own entry: it is the spelling their profile shows.
        links = {
            (profile_ids[p.email], by_slug[skill_slug(name)], name)
            for p in people
            for name in p.values[side]
        }
        bulk_insert(holding, fields=("profile_id", "skill_id", "label"), rows=links)


def _places_left(program: Program, roles: set[str]) -> dict[str, int | None]:
    """The free places of each of ``roles`` (``None``: no limit); exact under ``program_lock``."""
    left: dict[str, int | None] = {}
    for role in roles:
        limit = role_limit(program=program, role=role)
        left[role] = None if limit is None else limit - places_taken(program=program, role=role)
    return left


def _entry_fields(left: dict[str, int | None], role: str, now) -> dict:
    """Active while ``role`` has a free place (taking it), else on the waitlist, approved."""
    free = left[role]
    if free is not None and free <= 0:
        return {
            "status": EnrolmentStatus.WAITLISTED,
            "waitlisted_at": now,
            "waitlist_approved": True,
        }
    if free is not None:
        left[role] = free - 1
    return {"status": EnrolmentStatus.ACTIVE}


def _write_enrolments(program: Program, plan: ImportPlan, ids: dict[str, int], reachable) -> None:
    new, updated = [], []
    now = timezone.now()
    left = _places_left(program, {i.row.role for i in plan.enrolments if i.enrolment is None})
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
                capacity=capacity,
                external_id=row.external_id or "",
                **_entry_fields(left, row.role, now),
            )
            item.waitlisted = item.enrolment.status == EnrolmentStatus.WAITLISTED
            new.append(item.enrolment)
        elif item.changed:
            if "capacity" in item.changed:
                item.enrolment.capacity = row.capacity
            if "id" in item.changed:
                item.enrolment.external_id = row.external_id or ""
            updated.append(item.enrolment)
    Enrolment.objects.bulk_create(new, batch_size=500)
    bulk_update_loaded(Enrolment, updated, ["capacity", "external_id", "updated_at"])
    targets = [
        (item.enrolment, item.exclude_emails)
        for item in plan.enrolments
        if item.enrolment is not None  # every one is, once the new ones are made
        and item.exclude_emails is not None
        and (item.enrolment in new or "exclude" in item.changed)
    ]
    if not targets:
        return
    through = Enrolment.exclude.through
    for chunk in chunked([enrolment.pk for enrolment, _ in targets]):
        through.objects.filter(enrolment_id__in=chunk).delete()
    user_ids = reachable({email for _, emails in targets for email in emails})
    bulk_insert(
        through,
        fields=("enrolment_id", "user_id"),
        rows=[
            (enrolment.pk, user_ids[email])
            for enrolment, emails in targets
            for email in emails
            if email in user_ids
        ],
    )
