"""Seeded synthetic participants for tests and benchmarks (no real people)."""

from __future__ import annotations

import numpy as np

from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records.cells import CADENCES, FORMATS

GOALS = (
    "make my dashboards tell a clear story to executives",
    "get better at SQL query tuning",
    "move from teaching into software engineering",
    "learn to manage a team for the first time",
    "present confidently at conferences",
    "build reliable data pipelines with Airflow",
    "run user interviews and usability tests",
    "set a product roadmap and prioritise the backlog",
    "deploy machine learning models to production",
    "negotiate my salary and prepare for promotion",
    "avoid burnout and set boundaries",
    "design accessible interfaces",
)
EXPERTISE = (
    "data visualisation and dashboard design",
    "database performance and indexing",
    "career changers into tech, bootcamps and first jobs",
    "first-time managers, one-on-ones and feedback",
    "public speaking and conference talks",
    "data engineering, ETL and Airflow",
    "UX research and usability testing",
    "product strategy, roadmaps and prioritisation",
    "MLOps and model serving",
    "career growth, promotions and salary negotiation",
    "wellbeing, burnout and sustainable pace",
    "accessibility and inclusive design",
)
SKILLS = (
    "sql",
    "python",
    "tableau",
    "leadership",
    "public speaking",
    "airflow",
    "figma",
    "roadmapping",
    "mlops",
    "negotiation",
    "wellbeing",
    "accessibility",
)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "UTC")
CITIES = ("Berlin", "London", "New York", "Pune")
DEPARTMENTS = ("eng", "data", "design", "product", "sales")
IDENTITIES = ("woman", "lgbtq", "first generation", "parent")


def _common(rng: np.random.Generator, k: int) -> dict:
    start = int(rng.integers(7, 18))
    day = ("Mon", "Tue", "Wed", "Thu", "Fri")[int(rng.integers(0, 5))]
    return {
        "name": f"Person {k}",
        "seniority": float(rng.integers(0, 11)),
        "languages": ("en",) if rng.random() < 0.9 else ("de",),
        "timezone": ZONES[int(rng.integers(0, len(ZONES)))],
        "availability": (f"{day} {start:02d}:00-{start + 2:02d}:00",),
        "format": FORMATS[int(rng.integers(0, 3))],
        "city": CITIES[int(rng.integers(0, len(CITIES)))],
        "cadence": CADENCES[int(rng.integers(0, 4))],
        "department": DEPARTMENTS[int(rng.integers(0, len(DEPARTMENTS)))],
        "identity": (IDENTITIES[int(rng.integers(0, 4))],) if rng.random() < 0.5 else (),
        "working_style": {"structure": int(rng.integers(1, 6)), "pace": int(rng.integers(1, 6))},
    }


def people(n_mentees: int, n_mentors: int, seed: int = 0) -> tuple[list[Mentee], list[Mentor]]:
    """``n_mentees`` mentees and ``n_mentors`` mentors drawn from small fixed pools.

    >>> mentees, mentors = people(3, 2, seed=1)
    >>> len(mentees), mentors[0].id
    (3, 'r0')
    """
    rng = np.random.default_rng(seed)
    mentees = []
    for k in range(n_mentees):
        topic = int(rng.integers(0, len(GOALS)))
        mentees.append(
            Mentee(
                id=f"e{k}",
                goals=GOALS[topic],
                skills_wanted=(SKILLS[topic],),
                prefer_shared_identity=bool(rng.random() < 0.2),
                **_common(rng, k),
            )
        )
    mentors = []
    for k in range(n_mentors):
        topic = int(rng.integers(0, len(EXPERTISE)))
        mentors.append(
            Mentor(
                id=f"r{k}",
                expertise=EXPERTISE[topic],
                skills_offered=tuple(dict.fromkeys((SKILLS[topic], "python"))),
                capacity=int(rng.integers(1, 4)),
                **_common(rng, k),
            )
        )
    return mentees, mentors
