"""What match runs keep of a deleted account (docs/people.md, *Deleting your account*).

A run's ``inputs`` snapshot copied each participant's profile (name, city, department,
expertise, skills, languages, availability, working style) when it ran. The account eraser
keeps of the person's record only what makes the run's results read the same (their id, the
people they may not be paired with and, as a mentor, their capacity) and names them "A former
member"; the pairs, pins and forbids point at the id and stay. The reasons stored with the
person's pairs and unmatched rows were sentences built from both profiles ("Offers SQL, which
the mentee wants to learn", "Both can meet in person in Leeds"): only a pair's fit (its score
in words) stays, and one note says the rest is not kept.

The kept mentor pools (``mentor_pool``: names and expertise) of every program the person was
ever enrolled in are erased, one an admin removed them from too (its pool may not have been
rebuilt since); leaving a program erases its pool (``POOL_LEAVE_STEP``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tandem.matching.sentences import NOTE
from tandem.matchruns.engine import FIT
from tandem.matchruns.mentor_pool import mentor_pools_forget
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched
from tandem.people.models import FORMER_MEMBER, User
from tandem.programs.models import Enrolment, Program
from tandem.programs.services.leaving import Blocker

# The keys of a record that are about the run, not the person.
KEPT_KEYS = ("id", "exclude", "capacity")
REASONS_ERASED = "The reasons are not kept: one of this pair deleted their account."
REASONS_ERASED_UNMATCHED = "The reasons are not kept: this person deleted their account."


def _scrubbed(record: dict[str, Any]) -> dict[str, Any]:
    kept = {key: record[key] for key in KEPT_KEYS if key in record}
    kept["name"] = FORMER_MEMBER
    return kept


def match_runs_erase_for_closed_account(*, user: User) -> None:
    """The account eraser (``people.services.closing``): the person's record in every run's
    inputs, of every program, loses everything but the id, exclusions and capacity, and the
    kept mentor pools of every program they were in are erased."""
    mentor_pools_forget(
        program_ids=Enrolment.objects.filter(person=user).values_list("program_id", flat=True)
    )
    person_id = str(user.pk)
    for run in MatchRun.objects.filter(program__enrolments__person=user).distinct().order_by("pk"):
        inputs = dict(run.inputs or {})
        changed = False
        for side in ("mentees", "mentors"):
            records = list(inputs.get(side) or ())
            for index, record in enumerate(records):
                if str(record.get("id")) == person_id and record != _scrubbed(record):
                    records[index] = _scrubbed(record)
                    changed = True
            inputs[side] = records
        if changed:
            run.inputs = inputs
            run.save(update_fields=["inputs"])
    _erase_reasons(user)


def _reasons_erased(reasons: Any, note: str) -> list[Any]:
    fit = [r for r in reasons or () if isinstance(r, dict) and r.get("kind") == FIT]
    return [*fit, {"criterion": "", "text": note, "kind": NOTE}]


def _erase_reasons(user: User) -> None:
    """Every pair and unmatched row of the person, in any run, by the rows' own person ids."""
    for pair in MatchPair.objects.filter(Q(mentee=user) | Q(mentor=user)).order_by("pk"):
        pair.reasons = _reasons_erased(pair.reasons, REASONS_ERASED)
        pair.save(update_fields=["reasons"])
    for row in MatchUnmatched.objects.filter(person=user).order_by("pk"):
        row.reasons = _reasons_erased(row.reasons, REASONS_ERASED_UNMATCHED)
        row.save(update_fields=["reasons"])


class PoolLeaveStep:
    """Leaving a program (``programs.services.leaving``) erases its kept mentor pool; it asks
    nothing first and locks nothing."""

    def lock(self, *, user: User, program: Program) -> None:
        return None

    def blockers(self, *, user: User, program: Program) -> list[Blocker]:
        return []

    def consequences(self, *, user: User, program: Program) -> list[str]:
        return []

    def apply(self, *, user: User, program: Program, closing_account: bool) -> None:
        mentor_pools_forget(program_ids=[program.pk])

    def program_ids_open(self, *, user: User) -> set[int]:
        return set()


POOL_LEAVE_STEP = PoolLeaveStep()
