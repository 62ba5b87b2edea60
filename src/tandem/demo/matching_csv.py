"""The generated people as the matching core's CSV files (``tandem demo --csv``, benchmarks)."""

from __future__ import annotations

import csv
from pathlib import Path

from tandem.demo.people import iter_demo_people
from tandem.matching.records.columns import MENTEE_COLUMNS, MENTOR_COLUMNS


def matching_row(person: dict) -> list[str]:
    """A person in the columns of a one-side participant file (the participant record's
    ``MENTEE_COLUMNS`` / ``MENTOR_COLUMNS``)."""
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
