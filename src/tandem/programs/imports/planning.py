"""Turning checked import rows into a plan: what the import would change, and every problem.

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
row count) and reports every problem; ``writing.import_apply`` writes the plan. Empty cells
never clear stored values. People are matched by email.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tandem.matching.records.availability import Window
from tandem.matching.records.cells import skill_slug
from tandem.matching.records.reading import RowError
from tandem.people.models import User
from tandem.people.selectors import skill_labels, skill_tags_prefetch
from tandem.programs.imports.bulk import chunked
from tandem.programs.imports.reading import ParsedRow
from tandem.programs.imports.references import resolve_references
from tandem.programs.models import (
    Enrolment,
    EnrolmentStatus,
    ParticipantInvitation,
    Program,
    Role,
)

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
    waitlisted: bool = False  # set by the writer: a new role that waits for a place


@dataclass
class ImportPlan:
    people: dict[str, PersonPlan]
    enrolments: list[EnrolmentPlan]  # of members
    invitations: list[ParsedRow]  # rows of people not in the program
    errors: list[RowError]
    trusted: bool = False
    # (email, role) of invited rows whose invitation is pending and already emailed
    already_invited: set[tuple[str, str]] = field(default_factory=set)

    def waitlisted(self) -> list[dict[str, str]]:
        """The new roles the write put on the waitlist (their role was full), in file order."""
        return [
            {"email": item.row.email, "role": item.row.role}
            for item in self.enrolments
            if item.waitlisted
        ]

    def row_outcomes(self) -> dict[str, int]:
        """What each row does, every row counted once: ``invited`` (not in the program),
        ``new`` (a new role, or a new person for the trusted loader), ``updated`` (the
        person's profile or this role changes) or ``unchanged`` (including people invited
        before and not answering yet)."""
        counts = dict.fromkeys(("invited", "new", "updated", "unchanged"), 0)
        for row in self.invitations:
            key = (row.email, row.role)
            counts["unchanged" if key in self.already_invited else "invited"] += 1
        for item in self.enrolments:
            person = self.people[item.row.email]
            if item.enrolment is None or person.is_new:
                counts["new"] += 1
            elif item.changed or person.changed:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        return counts

    def summary(self, rows: int, *, with_problems: int = 0, skipped_blank: int = 0) -> dict:
        """Counts that add up: ``read`` = ``good`` + ``with_problems`` + ``skipped_blank``,
        ``good`` = ``invited`` + ``new`` + ``updated`` + ``unchanged`` (``rows``: the
        non-blank data rows); the per-person and per-role counts say the same by person."""
        members = [p for p in self.people.values() if p.member]
        new = sum(1 for p in members if p.is_new)
        updated = sum(1 for p in members if not p.is_new and p.changed)
        new_enrolments = sum(1 for e in self.enrolments if e.enrolment is None)
        updated_enrolments = sum(1 for e in self.enrolments if e.enrolment and e.changed)
        outcomes = self.row_outcomes()
        return {
            "read": rows + skipped_blank,
            "rows": rows,
            "good": rows - with_problems,
            "with_problems": with_problems,
            "skipped_blank": skipped_blank,
            **outcomes,
            "updated_people": updated,
            "unchanged_people": len(members) - new - updated,
            "new_enrolments": new_enrolments,
            "updated_enrolments": updated_enrolments,
            "changes": outcomes["invited"] + new + updated + new_enrolments + updated_enrolments,
        }

    def details(self, label: Callable[[str], str] = str) -> list[dict]:
        """Up to ``DETAIL_LIMIT`` changes, each field named by ``label`` (the file's header)."""
        out = [
            {
                "email": row.email,
                "action": f"invite as {row.role}",
                "fields": [label(name) for name in invitation_columns(row)],
                "note": self._invitation_note(row, label),
            }
            for row in self.invitations
            if (row.email, row.role) not in self.already_invited
        ]
        for person in self.people.values():
            if person.member and (person.is_new or person.changed):
                out.append(
                    {
                        "email": person.email,
                        "action": "new" if person.is_new else "update",
                        "fields": [label(_COLUMN_OF.get(name, name)) for name in person.changed],
                    }
                )
        for item in self.enrolments:
            if item.enrolment is None or item.changed:
                out.append(
                    {
                        "email": item.row.email,
                        "action": f"new {item.row.role} role"
                        if item.enrolment is None
                        else f"{item.row.role} role",
                        "fields": [label(name) for name in item.changed],
                    }
                )
        return out[:DETAIL_LIMIT]

    def _invitation_note(self, row: ParsedRow, label: Callable[[str], str]) -> str:
        """What else an invite row may write, said the same whether or not the address has an
        account: the preview never tells the admin that (``_plan_people``)."""
        person = self.people.get(row.email)
        given = list(
            dict.fromkeys(
                label(_COLUMN_OF.get(name, name)) for name in (person.values if person else ())
            )
        )
        if not given:
            return INVITATION_KEEPS
        return INVITATION_AND_NEW_ACCOUNT.format(columns=", ".join(given))


# An invite row writes no person and no enrolment, only the invitation, which keeps these of
# its columns for the enrolment that accepting makes (journeys review: the preview's "Columns"
# cell was empty for every invite row, as if it wrote nothing).
INVITATION_KEEPS = "kept with the invitation for when they accept"
INVITATION_AND_NEW_ACCOUNT = (
    INVITATION_KEEPS + "; {columns} only go into an account Tandem makes for an address new to "
    "it (an existing account is never changed)"
)


def invitation_columns(row: ParsedRow) -> list[str]:
    """The record columns of ``row`` an invitation keeps (``invitations_write_for_import``)."""
    columns = ["role"]
    if row.role == Role.MENTOR and row.capacity is not None:
        columns.append("capacity")
    if row.external_id is not None:
        columns.append("id")
    return columns


# The record column of each planned field whose name differs.
_COLUMN_OF = {"meeting_format": "format", "external_id": "id"}


def _full_name(user: User) -> str:
    return " ".join(f"{user.first_name} {user.last_name}".split())


def _stored(user: User) -> dict:
    """The comparable current values of a person (never their identity)."""
    profile = getattr(user, "profile", None)
    values: dict = {"name": _full_name(user)}
    if profile is not None:
        for name in PROFILE_FIELDS:
            values[name] = getattr(profile, name)
        for side in ("skills_offered", "skills_wanted"):
            values[side] = {skill_slug(label): label for label in skill_labels(profile, side)}
        values["availability"] = [
            Window(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()
        ]
        values["manager"] = profile.manager_contact or None
    return values


def _differs(name: str, new, old) -> bool:
    if name in ("skills_offered", "skills_wanted"):
        # A tag spelled anew is a change: the person reads it as the file spells it.
        return {skill_slug(n): n for n in new} != (old or {})
    return new != old


def _member_emails(program: Program, emails: list[str]) -> set[str]:
    members: set[str] = set()
    for chunk in chunked(emails):
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
    member_emails = [email for email in emails if email in members]
    people = _plan_people(rows, _accounts(member_emails), members, create_only=create_only)
    # Resolves each row's exclusions (``row.exclude_emails``), which the enrolments compare.
    errors = resolve_references(program=program, rows=rows, emails=people.keys())
    existing = _enrolments_of(program, member_emails)
    enrolments, invitations = [], []
    for row in rows:
        if row.email not in members:
            invitations.append(row)
            continue
        enrolment = existing.get((row.email, row.role))
        item = EnrolmentPlan(row=row, enrolment=enrolment, exclude_emails=row.exclude_emails)
        if enrolment is not None and not create_only:
            item.changed = _enrolment_changes(row, enrolment)
        enrolments.append(item)
    return ImportPlan(
        people=people,
        enrolments=enrolments,
        invitations=invitations,
        errors=errors,
        trusted=trusted,
        already_invited=_already_invited(program, invitations),
    )


def _already_invited(program: Program, rows: list[ParsedRow]) -> set[tuple[str, str]]:
    """(email, role) of ``rows`` with a pending invitation whose email went already."""
    found: set[tuple[str, str]] = set()
    for chunk in chunked({row.email for row in rows}):
        for invitation in ParticipantInvitation.objects.filter(
            program=program, email__in=chunk, sent_at__isnull=False
        ).only("email", "role", "accepted_at", "declined_at", "withdrawn_at", "expires_at"):
            if invitation.state == "pending":
                found.add((invitation.email, invitation.role))
    return found


def _accounts(emails: list[str]) -> dict[str, User]:
    """The accounts of ``emails`` by email, with everything ``_stored`` reads."""
    users: dict[str, User] = {}
    for chunk in chunked(emails):
        for user in (
            User.objects.filter(email__in=chunk)
            .select_related("profile", "profile__manager")
            .prefetch_related(*skill_tags_prefetch("profile__"), "profile__windows")
        ):
            users[user.email] = user
    return users


def _plan_people(
    rows: list[ParsedRow], users: dict[str, User], members: set[str], *, create_only: bool
) -> dict[str, PersonPlan]:
    """Each person of the file with their merged values, and for members what would change."""
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
        if person.user is None:  # a member with no account yet: new
            person.changed = sorted(person.values)
        elif not create_only:
            stored = _stored(person.user)
            person.changed = [
                name
                for name, value in person.values.items()
                if _differs(name, value, stored.get(name))
            ]
    return people


def _enrolments_of(program: Program, emails: list[str]) -> dict[tuple[str, str], Enrolment]:
    """The program's enrolments of ``emails`` by (email, role), with their exclusions."""
    existing = {}
    for chunk in chunked(emails):
        for found in (
            Enrolment.objects.filter(program=program, person__email__in=chunk)
            .select_related("person")
            .prefetch_related("exclude")
        ):
            existing[(found.person.email, found.role)] = found
    return existing


def _enrolment_changes(row: ParsedRow, enrolment: Enrolment) -> list[str]:
    changed = []
    if row.capacity is not None and row.capacity != enrolment.capacity:
        changed.append("capacity")
    if row.external_id is not None and row.external_id != enrolment.external_id:
        changed.append("id")
    if row.exclude_emails is not None and row.exclude_emails != {
        user.email for user in enrolment.exclude.all()
    }:
        changed.append("exclude")
    return changed


def import_plan_is_stale(*, program: Program, plan: ImportPlan) -> bool:
    """Whether who is in the program, or which roles they hold, changed since ``plan`` was
    made (two bounded queries per 2,000 addresses); call inside the writing transaction."""
    emails = list(plan.people)
    members = {email for email, person in plan.people.items() if person.member}
    if not plan.trusted and _member_emails(program, emails) != members:
        return True
    planned = {(item.row.email, item.row.role) for item in plan.enrolments if item.enrolment}
    held = set()
    for chunk in chunked(sorted(members)):
        held |= set(
            Enrolment.objects.filter(program=program, person__email__in=chunk).values_list(
                "person__email", "role"
            )
        )
    wanted = {(item.row.email, item.row.role) for item in plan.enrolments}
    return held & wanted != planned
