"""Realistic demo and benchmark data: one generator, two outputs.

* ``write_demo_csv(out_dir, people=..., seed=...)`` writes ``mentees.csv`` and ``mentors.csv``
  in the matching core's CSV columns (no database; 100,000 people in seconds, streamed).
* ``load_demo_program(people=..., seed=...)`` creates the demo program in the database through
  the same code path as a participant import, creating only what is missing, so a second run
  keeps whatever people changed since the first.

Every demo account (``admin@…``, ``mentor001@…``, ``mentee001@…`` and all the generated people)
shares the password ``tandem-demo``; the demo is meant for laptops and trials, never for
production data.

The same ``(people, seed)`` always gives the same people: randomness comes from one
``numpy.random.Generator`` drawn in fixed-size chunks.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tandem.programs import demo_data as vocab

DEMO_PASSWORD = "tandem-demo"
DEMO_DOMAIN = "demo.tandem.test"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_PROGRAM_NAME = "Demo Mentoring Program"
DEMO_PROGRAM_SLUG = "demo-mentoring-program"
MENTOR_SHARE = 0.38
CHUNK = 8192
IDENTITY_SHARE = 0.2

MENTEE_COLUMNS = (
    "id",
    "email",
    "name",
    "goals",
    "skills_wanted",
    "seniority",
    "languages",
    "timezone",
    "availability",
    "format",
    "city",
    "cadence",
    "department",
    "working_style",
    "manager",
    "identity",
    "prefer_shared_identity",
    "exclude",
    "prefer",
)
MENTOR_COLUMNS = (
    "id",
    "email",
    "name",
    "expertise",
    "skills_offered",
    "seniority",
    "languages",
    "timezone",
    "availability",
    "format",
    "city",
    "cadence",
    "department",
    "working_style",
    "manager",
    "identity",
    "prefer_shared_identity",
    "exclude",
    "prefer",
    "capacity",
)
_STYLE_KEYS = ("structure", "directness", "pace", "focus")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_AREAS = tuple(vocab.SKILLS)
_DEPARTMENTS = tuple(vocab.DEPARTMENTS)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def role_counts(people: int) -> tuple[int, int]:
    """(mentors, mentees) for ``people`` participants."""
    mentors = max(1, round(people * MENTOR_SHARE)) if people > 1 else 0
    return mentors, people - mentors


def person_id(role: str, number: int, width: int) -> str:
    return f"{role}{number:0{width}d}"


def _width(people: int) -> int:
    return max(3, len(str(people)))


# --- generation -------------------------------------------------------------------------------


def iter_demo_people(people: int, seed: int) -> Iterator[dict]:
    """Yield ``people`` participants (mentors first) as plain dicts; memory stays O(chunk)."""
    if people < 0:
        raise ValueError("people must be >= 0")
    rng = np.random.default_rng(seed)
    mentors, mentees = role_counts(people)
    width = _width(people)
    for role, count, others, other_role in (
        ("mentor", mentors, mentees, "mentee"),
        ("mentee", mentees, mentors, "mentor"),
    ):
        for start in range(0, count, CHUNK):
            size = min(CHUNK, count - start)
            yield from _chunk(rng, role, start, size, width, others, other_role, mentors)


def generate_demo(people: int, seed: int) -> list[dict]:
    """All participants as a list (see ``iter_demo_people``)."""
    return list(iter_demo_people(people, seed))


def _chunk(
    rng: np.random.Generator,
    role: str,
    start: int,
    size: int,
    width: int,
    others: int,
    other_role: str,
    mentors: int,
) -> Iterator[dict]:
    mentor = role == "mentor"
    region = rng.choice(len(vocab.REGIONS), size=size, p=vocab.REGION_WEIGHTS)
    picks = rng.integers(0, 1 << 30, size=(size, 24))
    uniform = rng.random((size, 13))
    seniority = np.clip(np.rint(rng.normal(6.3 if mentor else 2.8, 1.7, size)), 0, 10)
    fmt = rng.choice(len(vocab.FORMATS), size=size, p=vocab.FORMAT_WEIGHTS)
    cadence = rng.choice(len(vocab.CADENCES), size=size, p=vocab.CADENCE_WEIGHTS)
    pattern = rng.choice(len(vocab.AVAILABILITY_PATTERNS), size=size, p=vocab.PATTERN_WEIGHTS)
    capacity = rng.choice([1, 2, 3, 4], size=size, p=[0.25, 0.45, 0.2, 0.1])
    for i in range(size):
        number = start + i + 1
        p, u = picks[i], uniform[i]
        zone, cities, languages = vocab.REGIONS[region[i]]
        city = cities[p[0] % len(cities)]
        department = _DEPARTMENTS[p[1] % len(_DEPARTMENTS)]
        skills = _skills(department, p, u)
        person = {
            "id": person_id(role, number, width),
            "email": f"{person_id(role, number, width)}@{DEMO_DOMAIN}",
            "role": role,
            "name": f"{vocab.FIRST_NAMES[p[2] % len(vocab.FIRST_NAMES)]} "
            f"{vocab.LAST_NAMES[p[3] % len(vocab.LAST_NAMES)]}",
            "skills": skills,
            "seniority": int(seniority[i]),
            "languages": _languages(languages, u),
            "timezone": zone,
            "city": city,
            "availability": _availability(vocab.AVAILABILITY_PATTERNS[pattern[i]], p),
            "format": vocab.FORMATS[fmt[i]],
            "cadence": vocab.CADENCES[cadence[i]],
            "department": department,
            "capacity": int(capacity[i]) if mentor else None,
            "identity": [],
            "prefer_shared_identity": False,
            "exclude": [],
            "prefer": [],
            "manager": "",
            "working_style": {}
            if u[12] < 0.2
            else {key: int(1 + (p[22] >> (8 + 3 * k)) % 5) for k, key in enumerate(_STYLE_KEYS)},
        }
        person["text"] = (_expertise if mentor else _goals)(person, p, u)
        if u[6] < IDENTITY_SHARE:
            first = vocab.IDENTITY_ATTRIBUTES[p[16] % len(vocab.IDENTITY_ATTRIBUTES)]
            second = vocab.IDENTITY_ATTRIBUTES[p[17] % len(vocab.IDENTITY_ATTRIBUTES)]
            person["identity"] = [first] if u[7] < 0.6 or first == second else [first, second]
            person["prefer_shared_identity"] = bool(u[8] < 0.5)
        if others and u[9] < 0.03:
            person["exclude"] = [person_id(other_role, p[18] % others + 1, width)]
        if others and not mentor and u[10] < 0.05:
            person["prefer"] = [person_id(other_role, p[19] % others + 1, width)]
        if mentors and not mentor and u[11] < 0.1:
            person["manager"] = person_id("mentor", p[20] % mentors + 1, width)
        yield person


def _skills(department: str, p: np.ndarray, u: np.ndarray) -> list[str]:
    home = vocab.DEPARTMENTS[department]
    count = 3 + int(p[4] % 4)
    chosen: list[str] = []
    for k in range(count):
        area = home[p[5 + k] % len(home)] if u[k] < 0.75 else _AREAS[p[5 + k] % len(_AREAS)]
        skills = vocab.SKILLS[area]
        skill = skills[(p[11 + k // 2] >> (k * 5)) % len(skills)]
        if skill not in chosen:
            chosen.append(skill)
    return chosen


def _languages(options, u: np.ndarray) -> list[str]:
    chosen = [code for k, (code, weight) in enumerate(options) if u[k % 5 + 1] < weight]
    return chosen or [max(options, key=lambda option: option[1])[0]]


def _window(day: int, start: int, length: int) -> str:
    end = start + length
    return f"{_DAYS[day % 7]} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _availability(pattern: str, p: np.ndarray) -> list[str]:
    days = [int(p[21] % 5), int((p[21] >> 4) % 5), int((p[21] >> 8) % 5)]
    days = sorted(set(days))
    half = 30 * int(p[22] % 2)
    if pattern == "working_hours":
        return [_window(d, 9 * 60 + 60 * int((p[22] >> (2 + d)) % 6) + half, 120) for d in days]
    if pattern == "evenings":
        return [_window(d, 18 * 60 + 30 * int((p[22] >> (2 + d)) % 4), 90) for d in days]
    if pattern == "mornings":
        return [_window(d, 7 * 60 + half, 90) for d in days]
    if pattern == "split":
        return [
            _window(days[0], 8 * 60 + half, 60),
            _window(days[-1], 12 * 60, 60),
            _window(days[-1], 17 * 60 + 30, 90),
        ]
    return [_window(5, 10 * 60 + half, 120), _window(6, 16 * 60, 120)]


def _pick(options, value) -> str:
    return options[int(value) % len(options)]


def _goals(person: dict, p: np.ndarray, u: np.ndarray) -> str:
    skills = person["skills"]
    parts = [_pick(vocab.GOAL_OPENERS, p[12]).format(skill=skills[0])]
    if len(skills) > 1 and u[2] < 0.7:
        parts.append(_pick(vocab.GOAL_FOLLOWUPS, p[13]).format(skill2=skills[1]))
    parts.append(_pick(vocab.GOAL_OUTCOMES, p[14]).format(outcome=_pick(vocab.OUTCOMES, p[15])))
    context = _pick(vocab.CONTEXTS, p[23]).format(
        department=person["department"], city=person["city"]
    )
    if context:
        parts.insert(0 if u[3] < 0.4 else len(parts), context)
    return " ".join(parts)


def _expertise(person: dict, p: np.ndarray, u: np.ndarray) -> str:
    skills = person["skills"]
    years = 4 + int(p[15] % 16)
    parts = [_pick(vocab.EXPERTISE_OPENERS, p[12]).format(skill=skills[0], years=years)]
    if len(skills) > 1:
        parts.append(_pick(vocab.EXPERTISE_FOLLOWUPS, p[13]).format(skill2=skills[1]))
    if len(skills) > 2 and u[2] < 0.5:
        parts.append(_pick(vocab.EXPERTISE_FOLLOWUPS, p[13] >> 3).format(skill2=skills[2]))
    parts.append(_pick(vocab.EXPERTISE_STYLES, p[14]).format(style=_pick(vocab.STYLES, p[23])))
    motivation = _pick(vocab.MOTIVATIONS, p[23] >> 4).format(department=person["department"])
    if motivation:
        parts.append(motivation)
    return " ".join(parts)


# --- CSV for the matching core ----------------------------------------------------------------


def matching_row(person: dict) -> list[str]:
    """A person in the matching core's CSV columns (``MENTEE_COLUMNS`` / ``MENTOR_COLUMNS``)."""
    mentor = person["role"] == "mentor"
    values = {
        "id": person["id"],
        "email": person["email"],
        "name": person["name"],
        "goals": "" if mentor else person["text"],
        "expertise": person["text"] if mentor else "",
        "working_style": ";".join(f"{k}={v}" for k, v in person["working_style"].items()),
        "manager": person["manager"],
        "skills_wanted": "" if mentor else ";".join(person["skills"]),
        "skills_offered": ";".join(person["skills"]) if mentor else "",
        "seniority": str(person["seniority"]),
        "languages": ";".join(person["languages"]),
        "timezone": person["timezone"],
        "availability": ";".join(person["availability"]),
        "format": person["format"],
        "city": person["city"],
        "cadence": person["cadence"],
        "department": person["department"],
        "identity": ";".join(person["identity"]),
        "prefer_shared_identity": "yes" if person["prefer_shared_identity"] else "",
        "exclude": ";".join(person["exclude"]),
        "prefer": ";".join(person["prefer"]),
        "capacity": "" if person["capacity"] is None else str(person["capacity"]),
    }
    return [values[column] for column in (MENTOR_COLUMNS if mentor else MENTEE_COLUMNS)]


def write_demo_csv(out_dir: str | Path, people: int, seed: int) -> list[Path]:
    """Write ``mentees.csv`` and ``mentors.csv`` to ``out_dir``; return their paths."""
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    mentees_path, mentors_path = directory / "mentees.csv", directory / "mentors.csv"
    with (
        open(mentees_path, "w", newline="", encoding="utf-8") as mentees_file,
        open(mentors_path, "w", newline="", encoding="utf-8") as mentors_file,
    ):
        mentees, mentors = csv.writer(mentees_file), csv.writer(mentors_file)
        mentees.writerow(MENTEE_COLUMNS)
        mentors.writerow(MENTOR_COLUMNS)
        for person in iter_demo_people(people, seed):
            (mentors if person["role"] == "mentor" else mentees).writerow(matching_row(person))
    return [mentees_path, mentors_path]


# --- the database demo ------------------------------------------------------------------------


def _self_identify(people: list[dict]) -> None:
    """The made-up people who opt in describe themselves, as a person does on the identity
    page (an import never writes identity). Only newly created people: a demo person who
    withdrew keeps it withdrawn on the next run."""
    from tandem.people.models import User
    from tandem.people.services import identity_set

    opted_in = {person["email"]: person for person in people if person["identity"]}
    for user in User.objects.filter(email__in=list(opted_in)):
        person = opted_in[user.email]
        identity_set(
            user=user,
            attributes=person["identity"],
            prefer_shared=person["prefer_shared_identity"],
            consent=True,
        )


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
    and only what is missing is created, so edits made since the last run are kept.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from tandem.programs.imports.reading import COLUMNS, Table, check_rows
    from tandem.programs.imports.writer import import_apply, import_plan

    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        admin = _ensure_admin(password_hash)
        program = _ensure_program(admin)
        generated = list(iter_demo_people(people, seed))
        rows = [(number, import_cells(person)) for number, person in enumerate(generated, start=2)]
        parsed, errors = check_rows(Table(header=list(COLUMNS), rows=rows))
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
        _self_identify([person for person in generated if person["email"] in new_emails])
        _ensure_invitations(program, admin)
    width = _width(people)
    logins = [DemoLogin("site/program admin", DEMO_ADMIN_EMAIL, DEMO_PASSWORD)]
    mentors, mentees = role_counts(people)
    if mentors:
        logins.append(
            DemoLogin("mentor", f"{person_id('mentor', 1, width)}@{DEMO_DOMAIN}", DEMO_PASSWORD)
        )
    if mentees:
        logins.append(
            DemoLogin("mentee", f"{person_id('mentee', 1, width)}@{DEMO_DOMAIN}", DEMO_PASSWORD)
        )
    return logins


def _ensure_admin(password_hash: str):
    from django.utils import timezone

    from tandem.people.models import Profile, User

    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
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
    return admin


def _ensure_program(admin):
    from tandem.programs.models import Program
    from tandem.programs.services import program_create

    program = Program.objects.filter(slug=DEMO_PROGRAM_SLUG).first()
    if program is not None:
        return program
    program = program_create(
        user=admin,
        name=DEMO_PROGRAM_NAME,
        description="A sample program with generated people across ten time zones. "
        "Everyone in it is fictional.",
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
    import secrets

    from tandem.programs.models import Invitation

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
