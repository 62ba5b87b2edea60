"""The people of the scale program: accounts, profiles with skills, enrolments (mostly active,
some waiting, paused or removed), the invitations that brought them, and the opt-in identity
records of about a third of them (groups of very different sizes, some under five, with
overlaps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tandem.demo.insights_scale.rows import Row, first_id, insert
from tandem.demo.insights_scale.world import DAY, World
from tandem.demo.skills import ALL_SKILLS
from tandem.matching.records.availability import to_utc_intervals
from tandem.matching.records.cells import skill_slug
from tandem.notify.models import NotificationPreference
from tandem.people.models import (
    AvailabilityWindow,
    Identity,
    OfferedSkill,
    Profile,
    Skill,
    User,
    WantedSkill,
)
from tandem.programs.models import (
    Enrolment,
    EnrolmentStatus,
    Invitation,
    ParticipantInvitation,
    Program,
    Role,
)

MENTEE_SHARE = 0.6
OPT_IN = 0.3
# (attribute, share of the people who opted in); drawn independently, so groups overlap
GROUPS = (
    ("woman", 0.45),
    ("parent", 0.25),
    ("first-generation professional", 0.18),
    ("career changer", 0.12),
    ("immigrant", 0.10),
    ("LGBTQ+", 0.07),
    ("neurodivergent", 0.06),
    ("person with a disability", 0.05),
    ("veteran", 0.015),
)
TINY_GROUPS = (("non-binary", 3), ("carer", 4))  # under five people: always suppressed
SKILL_COUNT = 30
CAPACITIES = (1, 1, 1, 1, 2, 2, 2, 3, 3)
CADENCES = ("weekly", "biweekly", "biweekly", "monthly")
DEPARTMENTS = ("Engineering", "Data", "Design", "Product", "Sales", "Finance", "People", "Legal")


@dataclass
class Joiner:
    user_id: int
    email: str
    joined: datetime
    status: str
    capacity: int | None = None


@dataclass
class People:
    admin_id: int
    staff_id: int
    mentees: list[Joiner] = field(default_factory=list)
    mentors: list[Joiner] = field(default_factory=list)
    identity: dict[int, list[str]] = field(default_factory=dict)


def make_program(world: World, *, admin_id: int) -> int:
    program = Program.objects.create(
        name=f"Insights at scale ({world.slug})",
        slug=world.slug,
        description="A generated program for the insight pages' benchmark.",
        created_by_id=admin_id,
        starts_on=world.start.date(),
    )
    Program.objects.filter(pk=program.pk).update(created_at=world.start)
    return program.pk


def make_staff(world: World) -> tuple[int, int]:
    """The program's admin and a site staff member (who reads every program together)."""
    admin = User.objects.create(
        email=world.email("admin", 0), username=world.email("admin", 0), first_name="Ada"
    )
    staff = User.objects.create(
        email=world.email("staff", 0), username=world.email("staff", 0), is_staff=True
    )
    return admin.pk, staff.pk


def _status(world: World, role: str) -> str:
    roll = world.rng.random()
    if role == Role.MENTOR:
        if roll < 0.04:
            return EnrolmentStatus.PAUSED
        return EnrolmentStatus.REMOVED if roll < 0.08 else EnrolmentStatus.ACTIVE
    if roll < 0.03:
        return EnrolmentStatus.PENDING
    if roll < 0.06:
        return EnrolmentStatus.WAITLISTED
    return EnrolmentStatus.REMOVED if roll < 0.08 else EnrolmentStatus.ACTIVE


def _profile(world: World, profile_id: int, user_id: int, role: str) -> tuple[Row, Row | None]:
    """A profile, complete for most people, with its weekly window (in the person's own time
    zone, as a person would enter it; ``availability_utc`` derived from it as the product
    does, so the daily availability refresh leaves it as it is)."""
    rng = world.rng
    complete = world.chance(0.85)
    text = f"{rng.choice(('Grow', 'Lead', 'Learn', 'Ship'))} {rng.choice(('faster', 'well'))}"
    row: Row = {
        "id": profile_id,
        "user_id": user_id,
        "headline": "Keen to grow" if complete else "",
        "goals": text if role == Role.MENTEE else "",
        "expertise": text if role == Role.MENTOR else "",
        "seniority": rng.randint(1, 4) + (3 if role == Role.MENTOR else 0),
        "department": rng.choice(DEPARTMENTS),
        "timezone": rng.choice(("Europe/London", "America/New_York", "Asia/Kolkata")),
        "languages": ["en"] if world.chance(0.8) else ["en", "es"],
        "cadence": rng.choice(CADENCES) if complete else "",
        "working_style": {"structure": rng.randint(1, 5)} if complete else {},
        "availability_utc": [],
    }
    if not complete:
        return row, None
    local = (rng.randint(0, 4), 540, 660)
    row["availability_utc"] = to_utc_intervals([local], str(row["timezone"]), world.now.date())
    window = {"profile_id": profile_id, "weekday": local[0], "start_minute": 540, "end_minute": 660}
    return row, window


def make_people(world: World, *, people: int, program_id: int, admin_id: int) -> People:
    rng = world.rng
    result = People(admin_id=admin_id, staff_id=0)
    skills = _skills()
    users: list[Row] = []
    profiles: list[Row] = []
    enrolments: list[Row] = []
    wanted: list[Row] = []
    offered: list[Row] = []
    windows: list[Row] = []
    user_id, profile_id, enrolment_id = first_id(User), first_id(Profile), first_id(Enrolment)
    first_window = first_id(AvailabilityWindow)
    wanted_id, offered_id = first_id(WantedSkill), first_id(OfferedSkill)
    enrolments.append(
        {
            "id": enrolment_id,
            "program_id": program_id,
            "person_id": admin_id,
            "role": Role.ADMIN,
            "status": EnrolmentStatus.ACTIVE,
            "created_at": world.start,
        }
    )
    enrolment_id += 1
    mentees = round(people * MENTEE_SHARE)
    for k in range(people):
        role = Role.MENTEE if k < mentees else Role.MENTOR
        joined, status = world.joined_at(), _status(world, role)
        email = world.email(role, k)
        users.append(
            {
                "id": user_id,
                "password": "!",
                "username": email,
                "email": email,
                "first_name": rng.choice(("Mei", "Rahul", "Sofia", "Kofi", "Lena", "Ana")),
                "last_name": f"Person{k:06d}",
                "date_joined": joined,
                "is_active": True,
            }
        )
        profile, window = _profile(world, profile_id, user_id, role)
        profiles.append(profile)
        if window is not None:
            windows.append({"id": first_window + len(windows), **window})
        if profile["headline"]:
            links, next_id = (wanted, wanted_id) if role == Role.MENTEE else (offered, offered_id)
            for skill, label in rng.sample(skills, 2):
                links.append(
                    {"id": next_id, "profile_id": profile_id, "skill_id": skill, "label": label}
                )
                next_id += 1
            if role == Role.MENTEE:
                wanted_id = next_id
            else:
                offered_id = next_id
        capacity = rng.choice(CAPACITIES) if role == Role.MENTOR else None
        enrolments.append(
            {
                "id": enrolment_id,
                "program_id": program_id,
                "person_id": user_id,
                "role": role,
                "status": status,
                "capacity": capacity,
                "external_id": f"P{k:06d}",
                "waitlisted_at": joined if status == EnrolmentStatus.WAITLISTED else None,
                "created_at": joined,
                "updated_at": joined,
            }
        )
        joiner = Joiner(user_id, email, joined, status, capacity)
        (result.mentees if role == Role.MENTEE else result.mentors).append(joiner)
        user_id, profile_id, enrolment_id = user_id + 1, profile_id + 1, enrolment_id + 1
    now = world.now
    insert(User, users, now=now)
    insert(Profile, profiles, now=now)
    insert(AvailabilityWindow, windows, now=now)
    insert(WantedSkill, wanted, now=now)
    insert(OfferedSkill, offered, now=now)
    insert(Enrolment, enrolments, now=now)
    # Made up, with no password: nobody reads their mail. With email on (the default), the
    # first worker tick sent their 600 open check-ins, a screenful under `tandem run`.
    quiet = first_id(NotificationPreference)
    insert(
        NotificationPreference,
        (
            {"id": quiet + n, "user_id": user["id"], "email_kinds": []}
            for n, user in enumerate(users)
        ),
        now=now,
    )
    _invitations(world, result, program_id=program_id, admin_id=admin_id)
    result.identity = _identities(world, result)
    return result


def _skills() -> list[tuple[int, str]]:
    """The demo's tags as (id, name): each holder's link spells its tag as the row does; slugged
    as the app slugs them (Django's slugify made "C++" C)."""
    names = ALL_SKILLS[:SKILL_COUNT]
    Skill.objects.bulk_create(
        [Skill(name=name, slug=skill_slug(name)) for name in names], ignore_conflicts=True
    )
    return list(
        Skill.objects.filter(slug__in=[skill_slug(n) for n in names]).values_list("pk", "name")
    )


def _invitations(world: World, people: People, *, program_id: int, admin_id: int) -> None:
    """Personal invitations for most who joined (accepted) and for some who never did
    (pending, declined or expired); the rest came through a shareable link per role."""
    rng, rows, next_id = world.rng, [], first_id(ParticipantInvitation)
    linked = {Role.MENTEE: 0, Role.MENTOR: 0}
    for role, joiners in ((Role.MENTEE, people.mentees), (Role.MENTOR, people.mentors)):
        for joiner in joiners:
            if not world.chance(0.7):
                linked[role] += 1
                continue
            sent = joiner.joined - DAY * rng.uniform(0.5, 12)
            row = _invitation(world, next_id, program_id, admin_id, role, sent)
            rows.append(row | {"email": joiner.email, "accepted_at": joiner.joined})
            next_id += 1
    for k in range((len(people.mentees) + len(people.mentors)) // 8):
        role = Role.MENTEE if world.chance(0.6) else Role.MENTOR
        sent = world.joined_at()
        row = _invitation(world, next_id, program_id, admin_id, role, sent)
        row["email"] = world.email("invitee", k)
        outcome = rng.random()
        if outcome < 0.3:
            row["declined_at"] = world.before_now(sent + DAY * rng.uniform(1, 10))
        elif outcome < 0.7:
            row["expires_at"] = sent + timedelta(days=30)
        rows.append(row)
        next_id += 1
    insert(ParticipantInvitation, rows, now=world.now)
    for role, uses in linked.items():
        Invitation.objects.create(
            program_id=program_id,
            role=role,
            token=f"{world.slug}-{role}-link"[:43],
            auto_approve=True,
            uses=uses,
            created_by_id=admin_id,
        )


def _invitation(
    world: World, pk: int, program_id: int, admin_id: int, role: str, sent: datetime
) -> Row:
    return {
        "id": pk,
        "program_id": program_id,
        "role": role,
        "capacity": world.rng.choice(CAPACITIES) if role == Role.MENTOR else None,
        "token": f"{world.slug[:24]}-{pk}",
        "invited_by_id": admin_id,
        "created_at": sent,
        "send_after": sent,
        "sent_at": sent,
    }


def _identities(world: World, people: People) -> dict[int, list[str]]:
    everyone = people.mentees + people.mentors
    chosen: dict[int, list[str]] = {}
    for joiner in everyone:
        if world.chance(OPT_IN):
            attributes = [name for name, share in GROUPS if world.chance(share)]
            chosen[joiner.user_id] = attributes or [GROUPS[0][0]]
    opted = sorted(chosen)
    for name, size in TINY_GROUPS:
        for user_id in world.rng.sample(opted, min(size, len(opted))):
            chosen[user_id].append(name)
    when = {joiner.user_id: joiner.joined for joiner in everyone}
    next_id = first_id(Identity)
    rows = [
        {
            "id": next_id + k,
            "user_id": user_id,
            "attributes": chosen[user_id],
            "consented_at": world.before_now(when[user_id] + DAY * world.rng.uniform(0, 20)),
        }
        for k, user_id in enumerate(opted)
    ]
    insert(Identity, rows, now=world.now)
    return chosen
