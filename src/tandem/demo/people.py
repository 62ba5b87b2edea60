"""Realistic made-up participants: one generator for the demo program and for benchmark CSVs.

The same ``(people, seed)`` always gives the same people: randomness comes from one
``numpy.random.Generator`` drawn in fixed-size chunks, and memory stays O(chunk). No Django, so
the matching CLI and the benchmarks use it without a database.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tandem.demo.skills import DEPARTMENTS, SKILLS
from tandem.demo.texts import (
    CONTEXTS,
    EXPERTISE_FOLLOWUPS,
    EXPERTISE_OPENERS,
    EXPERTISE_STYLES,
    GOAL_FOLLOWUPS,
    GOAL_OPENERS,
    GOAL_OUTCOMES,
    MOTIVATIONS,
    OUTCOMES,
    STYLES,
)
from tandem.demo.traits import (
    AVAILABILITY_PATTERNS,
    CADENCE_WEIGHTS,
    CADENCES,
    FIRST_NAMES,
    FORMAT_WEIGHTS,
    FORMATS,
    IDENTITY_ATTRIBUTES,
    LAST_NAMES,
    PATTERN_WEIGHTS,
    REGION_WEIGHTS,
    REGIONS,
)

DEMO_DOMAIN = "demo.tandem.test"
MENTOR_SHARE = 0.38
CHUNK = 8192
IDENTITY_SHARE = 0.2

_STYLE_KEYS = ("structure", "directness", "pace", "focus")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_AREAS = tuple(SKILLS)
_DEPARTMENTS = tuple(DEPARTMENTS)


def role_counts(people: int) -> tuple[int, int]:
    """(mentors, mentees) for ``people`` participants."""
    mentors = max(1, round(people * MENTOR_SHARE)) if people > 1 else 0
    return mentors, people - mentors


def person_id(role: str, number: int, width: int) -> str:
    return f"{role}{number:0{width}d}"


def id_width(people: int) -> int:
    return max(3, len(str(people)))


def iter_demo_people(people: int, seed: int) -> Iterator[dict]:
    """Yield ``people`` participants (mentors first) as plain dicts; memory stays O(chunk)."""
    if people < 0:
        raise ValueError("people must be >= 0")
    rng = np.random.default_rng(seed)
    mentors, mentees = role_counts(people)
    width = id_width(people)
    for role, count, others, other_role in (
        ("mentor", mentors, mentees, "mentee"),
        ("mentee", mentees, mentors, "mentor"),
    ):
        for start in range(0, count, CHUNK):
            size = min(CHUNK, count - start)
            yield from people_chunk(rng, role, start, size, width, others, other_role, mentors)


def people_chunk(
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
    region = rng.choice(len(REGIONS), size=size, p=REGION_WEIGHTS)
    picks = rng.integers(0, 1 << 30, size=(size, 24))
    uniform = rng.random((size, 13))
    seniority = np.clip(np.rint(rng.normal(6.3 if mentor else 2.8, 1.7, size)), 0, 10)
    fmt = rng.choice(len(FORMATS), size=size, p=FORMAT_WEIGHTS)
    cadence = rng.choice(len(CADENCES), size=size, p=CADENCE_WEIGHTS)
    pattern = rng.choice(len(AVAILABILITY_PATTERNS), size=size, p=PATTERN_WEIGHTS)
    capacity = rng.choice([1, 2, 3, 4], size=size, p=[0.25, 0.45, 0.2, 0.1])
    for i in range(size):
        number = start + i + 1
        p, u = picks[i], uniform[i]
        zone, cities, languages = REGIONS[region[i]]
        city = cities[p[0] % len(cities)]
        department = _DEPARTMENTS[p[1] % len(_DEPARTMENTS)]
        skills = _skills(department, p, u)
        person = {
            "id": person_id(role, number, width),
            "email": f"{person_id(role, number, width)}@{DEMO_DOMAIN}",
            "role": role,
            "name": f"{FIRST_NAMES[p[2] % len(FIRST_NAMES)]} {LAST_NAMES[p[3] % len(LAST_NAMES)]}",
            "skills": skills,
            "seniority": int(seniority[i]),
            "languages": _languages(languages, u),
            "timezone": zone,
            "city": city,
            "availability": _availability(AVAILABILITY_PATTERNS[pattern[i]], p),
            "format": FORMATS[fmt[i]],
            "cadence": CADENCES[cadence[i]],
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
        person["headline"] = "" if number % 10 == 0 else _headline(person)
        if u[6] < IDENTITY_SHARE:
            first = IDENTITY_ATTRIBUTES[p[16] % len(IDENTITY_ATTRIBUTES)]
            second = IDENTITY_ATTRIBUTES[p[17] % len(IDENTITY_ATTRIBUTES)]
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
    home = DEPARTMENTS[department]
    count = 3 + int(p[4] % 4)
    chosen: list[str] = []
    for k in range(count):
        area = home[p[5 + k] % len(home)] if u[k] < 0.75 else _AREAS[p[5 + k] % len(_AREAS)]
        skills = SKILLS[area]
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


def _headline(person: dict) -> str:
    """The one line a person writes about themselves (an import never writes it)."""
    topic = person["skills"][0] if person["skills"] else "my craft"
    if person["role"] == "mentor":
        return f"{topic} in {person['department']}, happy to help"
    return f"Learning {topic} in {person['department']}"


def _pick(options, value) -> str:
    return options[int(value) % len(options)]


def _goals(person: dict, p: np.ndarray, u: np.ndarray) -> str:
    skills = person["skills"]
    parts = [_pick(GOAL_OPENERS, p[12]).format(skill=skills[0])]
    if len(skills) > 1 and u[2] < 0.7:
        parts.append(_pick(GOAL_FOLLOWUPS, p[13]).format(skill2=skills[1]))
    parts.append(_pick(GOAL_OUTCOMES, p[14]).format(outcome=_pick(OUTCOMES, p[15])))
    context = _pick(CONTEXTS, p[23]).format(department=person["department"], city=person["city"])
    if context:
        parts.insert(0 if u[3] < 0.4 else len(parts), context)
    return " ".join(parts)


def _expertise(person: dict, p: np.ndarray, u: np.ndarray) -> str:
    skills = person["skills"]
    years = 4 + int(p[15] % 16)
    parts = [_pick(EXPERTISE_OPENERS, p[12]).format(skill=skills[0], years=years)]
    if len(skills) > 1:
        parts.append(_pick(EXPERTISE_FOLLOWUPS, p[13]).format(skill2=skills[1]))
    if len(skills) > 2 and u[2] < 0.5:
        parts.append(_pick(EXPERTISE_FOLLOWUPS, p[13] >> 3).format(skill2=skills[2]))
    parts.append(_pick(EXPERTISE_STYLES, p[14]).format(style=_pick(STYLES, p[23])))
    motivation = _pick(MOTIVATIONS, p[23] >> 4).format(department=person["department"])
    if motivation:
        parts.append(motivation)
    return " ".join(parts)
