"""The demo program in the database: the generated people, imported through the same code
path as a participant import, creating only what is missing, so a second run keeps whatever
people changed since the first.

Every demo account (``admin@…``, ``mentor001@…``, ``mentee001@…`` and all the generated people)
shares the password ``tandem-demo``; the demo is meant for laptops and trials, never for
production data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tandem.demo.people import DEMO_DOMAIN, id_width, iter_demo_people, person_id, role_counts
from tandem.demo.skills import ALL_SKILLS
from tandem.people.models import Profile, User
from tandem.people.services import identity_set, skill_vocabulary_add
from tandem.programs.imports.planning import import_plan
from tandem.programs.imports.reading import COLUMNS, check_rows, table_from_rows
from tandem.programs.imports.writing import import_apply
from tandem.programs.models import Enrolment, EnrolmentStatus, Invitation, Program, Role
from tandem.programs.services import program_create

DEMO_PASSWORD = "tandem-demo"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_PROGRAM_NAME = "Demo Mentoring Program"
DEMO_PROGRAM_SLUG = "demo-mentoring-program"
# The demo's other programs (``tandem.demo.seed`` and ``tandem.demo.history`` make them), found
# by slug: an admin may rename a program, never change its slug.
SELF_SERVE_SLUG = "demo-self-serve-circle"
HISTORY_SLUG = "demo-history"
DEMO_SLUGS = (DEMO_PROGRAM_SLUG, SELF_SERVE_SLUG, HISTORY_SLUG)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def _self_identify(people: list[dict]) -> None:
    """The made-up people who opt in describe themselves, as a person does on the identity
    page (an import never writes identity). Only newly created people: a demo person who
    withdrew keeps it withdrawn on the next run."""
    opted_in = {person["email"]: person for person in people if person["identity"]}
    for user in User.objects.filter(email__in=list(opted_in)):
        person = opted_in[user.email]
        identity_set(
            user=user,
            attributes=person["identity"],
            consent=True,
        )


def _write_headlines(people: list[dict]) -> None:
    """Most made-up people have written their headline since they joined (an import never
    writes one), so their profiles are complete and the funnel's step shows it."""
    headlines = {person["email"]: person["headline"] for person in people if person["headline"]}
    profiles = list(Profile.objects.filter(user__email__in=list(headlines)).select_related("user"))
    for profile in profiles:
        profile.headline = headlines[profile.user.email]
    Profile.objects.bulk_update(profiles, ["headline"], batch_size=500)


def import_cells(person: dict) -> dict[str, str]:
    """A person as the cells of a participant-import row."""
    mentor = person["role"] == "mentor"
    return {
        "id": person["id"],
        "email": person["email"],
        "name": person["name"],
        "role": person["role"],
        "goals": "" if mentor else person["text"],
        "expertise": person["text"] if mentor else "",
        "skills_offered": "; ".join(person["skills"]) if mentor else "",
        "skills_wanted": "" if mentor else "; ".join(person["skills"]),
        "seniority": str(person["seniority"]),
        "languages": ";".join(person["languages"]),
        "timezone": person["timezone"],
        "availability": "; ".join(person["availability"]),
        "format": person["format"],
        "city": person["city"],
        "cadence": person["cadence"],
        "department": person["department"],
        "capacity": "" if person["capacity"] is None else str(person["capacity"]),
        "exclude": ";".join(person["exclude"]),
        "working_style": ";".join(f"{k}={v}" for k, v in person["working_style"].items()),
        "manager": f"{person['manager']}@{DEMO_DOMAIN}" if person["manager"] else "",
    }


def load_demo_program(people: int = 200, seed: int = 7) -> list[DemoLogin]:
    """Create (or complete) the demo program; return the logins to print.

    Idempotent: people, enrolments and the program are keyed by fixed demo emails and slug,
    and only what is missing is created, so edits made since the last run are kept. A person
    whose address a site admin changed is still the one with their demo id (``mentee001``),
    and a printed login is theirs under the new address. The one exception to keeping edits
    is what the printed logins need to work (``_ensure_logins_work``).
    """
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        admin, admin_is_new = _ensure_admin(password_hash)
        if admin_is_new:
            _enrol_new_admin(admin)
        program = _ensure_program(admin)
        skill_vocabulary_add(names=ALL_SKILLS)  # the demo's seeded vocabulary
        held = _demo_ids(program)
        # A row whose id someone holds under another address is that person (their address
        # was changed since): importing it again would give the id to two people.
        generated = [
            person
            for person in iter_demo_people(people, seed)
            if held.get(person["id"], person["email"]) == person["email"]
        ]
        rows = [
            (number, [import_cells(person).get(column, "") for column in COLUMNS])
            for number, person in enumerate(generated, start=2)
        ]
        parsed, errors = check_rows(table_from_rows([(1, list(COLUMNS)), *rows]))
        plan = import_plan(program=program, rows=parsed, create_only=True, trusted=True)
        errors += plan.errors
        if errors:
            raise RuntimeError(f"demo data failed its own checks: {errors[:3]}")
        new_emails = {email for email, person in plan.people.items() if person.is_new}
        import_apply(
            program=program,
            plan=plan,
            password_hash=password_hash,
            welcome=False,
            email_verified=True,
        )
        created = [person for person in generated if person["email"] in new_emails]
        _self_identify(created)
        _write_headlines(created)
        _ensure_invitations(program, admin)
    width = id_width(people)
    held = _demo_ids(program)
    logins = [DemoLogin("site/program admin", DEMO_ADMIN_EMAIL, DEMO_PASSWORD)]
    for role, count in zip(("mentor", "mentee"), role_counts(people), strict=True):
        if count:
            demo_id = person_id(role, 1, width)
            email = held.get(demo_id, f"{demo_id}@{DEMO_DOMAIN}")
            logins.append(DemoLogin(role, email, DEMO_PASSWORD))
    _ensure_logins_work(logins)
    return logins


def _demo_ids(program: Program) -> dict[str, str]:
    """Each demo id in the program (``mentor001``), with the address of the person holding it."""
    return dict(
        Enrolment.objects.filter(program=program)
        .exclude(external_id="")
        .values_list("external_id", "person__email")
    )


def _ensure_logins_work(logins: list[DemoLogin]) -> None:
    """The printed logins work, whatever was done with them since the last start: a password
    changed (through the reset page) is set back to the demo's, an account a site admin turned
    off is turned on again, and the demo admin is staff again. An account its person deleted
    is no longer under the demo email (``account_delete`` renames it), so the import above has
    already made a new one. Nothing else of theirs changes; an account whose password still
    works is not written (a new hash would end its sessions)."""
    for login in logins:
        user = User.objects.get(email=login.email)
        fields = []
        if not user.check_password(login.password):
            user.set_password(login.password)
            fields.append("password")
        if not user.is_active:
            user.is_active = True
            fields.append("is_active")
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            fields.append("email_verified_at")
        if login.email == DEMO_ADMIN_EMAIL and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            fields += ["is_staff", "is_superuser"]
        if fields:
            user.save(update_fields=fields)


def _ensure_admin(password_hash: str) -> tuple[User, bool]:
    """The demo admin, and whether it was made now (first start, or its person deleted it)."""
    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    created = admin is None
    if admin is None:
        admin = User.objects.create(
            email=DEMO_ADMIN_EMAIL,
            username=DEMO_ADMIN_EMAIL,
            first_name="Ada",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
            password=password_hash,
            email_verified_at=timezone.now(),
        )
        Profile.objects.create(user=admin, timezone="Europe/London", languages=["en"])
    return admin, created


def _enrol_new_admin(admin: User) -> None:
    """A demo admin made again (its person deleted the account after making another admin)
    runs the demo programs that already exist, as the printed "program admin" promises. The
    demo's shortcut, as for the history program: an enrolment, not an invitation."""
    Enrolment.objects.bulk_create(
        [
            Enrolment(program=program, person=admin, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE)
            for program in Program.objects.filter(slug__in=DEMO_SLUGS)
        ]
    )


def _ensure_program(admin):
    program = Program.objects.filter(slug=DEMO_PROGRAM_SLUG).first()
    if program is not None:
        return program
    program = program_create(
        user=admin,
        name=DEMO_PROGRAM_NAME,
        description="A sample program with generated people across ten time zones. "
        "Everyone in it is fictional.",
        # Admin-matched, and mentees may also ask a mentor directly: the demo shows both.
        allow_direct_requests=True,
        questions={
            "mentee": [("What would make this mentorship a success for you?", True)],
            "mentor": [("How many hours a month can you give?", False)],
        },
    )
    if program.slug != DEMO_PROGRAM_SLUG:
        program.slug = DEMO_PROGRAM_SLUG
        program.save(update_fields=["slug"])
    return program


def _ensure_invitations(program, admin) -> None:

    have = set(
        Invitation.objects.filter(program=program, revoked_at__isnull=True).values_list(
            "role", flat=True
        )
    )
    Invitation.objects.bulk_create(
        [
            Invitation(
                program=program, role=role, token=secrets.token_urlsafe(32), created_by=admin
            )
            for role in ("mentee", "mentor")
            if role not in have
        ]
    )
