"""What an admin reviewing a match run is told before acting, in people's names.

Whether a pin breaks a hard rule (the matching core's own check for one pair, worded here),
what each pin or forbid will change, how people who share a name are told apart, and whether
another run was published since this one was made. Reads only: the services refuse with these
words, the task fails a run with them, and the pages show them next to the buttons that fix
them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from tandem.matching.candidates.rules import pairs_violations
from tandem.matching.records.languages import LANGUAGES
from tandem.matchruns.adapters import cohort_from_json
from tandem.matchruns.models import ConstraintKind, MatchConstraint, MatchPair, MatchRun, RunStatus
from tandem.people.models import User

CANNOT_PIN = "{mentee} cannot be pinned to {mentor}: {reasons}."
SAME_PERSON = "{name} is on both sides: nobody can be paired with themself."
TOO_MANY_PINS = "{mentor} has {capacity} free place(s) but {pins} pins."
RULE_TEXTS = {
    "language": "they share no language ({mentee} speaks {mentee_languages}; {mentor} speaks "
    "{mentor_languages})",
    "exclude": "{mentee} and {mentor} are never to be paired (set on their enrolment)",
    "department": "both work in {department}, and this program keeps departments apart",
    "city": "both want to meet in person but live in different cities ({mentee_city} and "
    "{mentor_city})",
    "capacity": "{mentor} has no free place left in this program",
}
IS_MANAGER = "{boss} is {report}'s manager"

KEEPS = "Keeps {mentee} with {mentor} (they are paired in this run)."
PINS = "Pins {mentee} → {mentor} ({mentee_today}; {mentor_today})."
FORBIDS_PAIRED = "Forbids {mentee} → {mentor} (today they are paired: {mentee} will be re-matched)."
FORBIDS_APART = (
    "Forbids {mentee} → {mentor} (they are not paired in this run: it keeps them apart in re-runs)."
)
MENTEE_WITH = "today {mentee} is with {mentor}"
MENTEE_ALONE = "today {mentee} is not matched"
MENTOR_FREE = "{mentor} has a free place"
MENTOR_FULL_ONE = "{mentor} is with {other}, who will be re-matched"
MENTOR_FULL_MANY = "{mentor} is full (with {others}): one of them will be re-matched"
OUT_OF_DATE = (
    "Run #{other} was published after this run was made, so this run's pairs are out of date "
    "and it cannot be published. Start a new run to match the people still waiting."
)


def _records(inputs: Mapping[str, Any], side: str) -> dict[str, dict]:
    return {record["id"]: record for record in inputs.get(side, ())}


def _name(record: Mapping[str, Any]) -> str:
    return record.get("name") or f"#{record['id']}"


def _languages(record: Mapping[str, Any]) -> str:
    return ", ".join(LANGUAGES.get(code, code) for code in record.get("languages", ()))


def _rule_text(rule: str, mentee: Mapping[str, Any], mentor: Mapping[str, Any]) -> str:
    if rule == "manager":
        boss, report = (
            (mentor, mentee) if mentee.get("manager") == mentor["id"] else (mentee, mentor)
        )
        return IS_MANAGER.format(boss=_name(boss), report=_name(report))
    return RULE_TEXTS[rule].format(
        mentee=_name(mentee),
        mentor=_name(mentor),
        mentee_languages=_languages(mentee),
        mentor_languages=_languages(mentor),
        department=mentee.get("department", ""),
        mentee_city=mentee.get("city", ""),
        mentor_city=mentor.get("city", ""),
    )


def pin_refusal(inputs: Mapping[str, Any], *, mentee_id: int, mentor_id: int) -> str:
    """Why a run of the snapshot ``inputs`` cannot keep this pin, in names; "" if it can."""
    return pin_problems(inputs, [(mentee_id, mentor_id)]).get((mentee_id, mentor_id), "")


def pin_problems(
    inputs: Mapping[str, Any], pins: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Per pin (mentee id, mentor id) that a run of ``inputs`` cannot keep, why, in names.

    The rules are the core's (``pairs_violations``, all pins in one pass) with the program's
    conflict rules as the snapshot holds them; only the wording is ours. Pins naming someone
    outside the snapshot are left to the caller.
    """
    mentees, mentors = _records(inputs, "mentees"), _records(inputs, "mentors")
    pins = [(a, b) for a, b in pins if str(a) in mentees and str(b) in mentors]
    problems = {(a, b): SAME_PERSON.format(name=_name(mentees[str(a)])) for a, b in pins if a == b}
    others = [(a, b) for a, b in pins if a != b]
    if others:
        people = {
            "mentees": [mentees[str(a)] for a in dict.fromkeys(a for a, _ in others)],
            "mentors": [mentors[str(b)] for b in dict.fromkeys(b for _, b in others)],
            "conflict_rules": inputs.get("conflict_rules", ()),
            **({"week": inputs["week"]} if "week" in inputs else {}),
        }
        cohort = cohort_from_json(people)
        found = pairs_violations(
            cohort.mentees,
            cohort.mentors,
            [(str(a), str(b)) for a, b in others],
            rules=cohort.conflict_rules,
        )
        for (a, b), broken in zip(others, found, strict=True):
            if broken:
                mentee, mentor = mentees[str(a)], mentors[str(b)]
                reasons = "; ".join(_rule_text(rule, mentee, mentor) for rule in broken)
                problems[(a, b)] = CANNOT_PIN.format(
                    mentee=_name(mentee), mentor=_name(mentor), reasons=reasons
                )
    per_mentor = Counter(b for _, b in pins)
    for a, b in pins:
        capacity = mentors[str(b)].get("capacity", 0)
        if per_mentor[b] > capacity and (a, b) not in problems:
            problems[(a, b)] = TOO_MANY_PINS.format(
                mentor=_name(mentors[str(b)]), capacity=capacity, pins=per_mentor[b]
            )
    return problems


# --- Telling people apart ------------------------------------------------------------------


def live_names(person_ids: Iterable[int]) -> dict[int, str]:
    """The people's names as they are now (a snapshot keeps the name of the day it ran; a
    deleted account reads "A former member")."""
    people = User.objects.filter(pk__in=set(person_ids)).only(
        "first_name", "last_name", "email", "is_active"
    )
    return {person.pk: person.display_name for person in people}


def run_name(run: MatchRun, side: str, person_id: int) -> str:
    """One person of the run by their name now, else as the snapshot named them."""
    live = live_names([person_id]).get(person_id)
    if live:
        return live
    for record in run.inputs.get(side, ()):
        if record["id"] == str(person_id):
            return record.get("name") or f"#{person_id}"
    return f"#{person_id}"


def people_labels(*runs: MatchRun) -> dict[int, str]:
    """Everyone in the runs' snapshots by id, as a page names them: the name, and for people
    who share it with someone else, their department (or headline) and email, which admins
    see on the program's participant list too."""
    names: dict[int, str] = {}
    for run in runs:
        for side in ("mentees", "mentors"):
            for record in run.inputs.get(side, ()):
                names[int(record["id"])] = _name(record)
    names.update(live_names(names))
    counts = Counter(name.casefold() for name in names.values())
    shared = [person_id for person_id, name in names.items() if counts[name.casefold()] > 1]
    labels = dict(names)
    details = User.objects.filter(pk__in=shared).values_list(
        "pk", "email", "profile__department", "profile__headline"
    )
    for person_id, email, department, headline in details:
        known = [part for part in (department or headline, email) if part]
        labels[person_id] = f"{names[person_id]} ({' · '.join(known)})"
    return labels


# --- What each pin or forbid will change ----------------------------------------------------


@dataclass(frozen=True)
class ConstraintReview:
    constraint: MatchConstraint
    mentee: str
    mentor: str
    effect: str  # what re-running with it changes, from this run's pairs
    pending: bool  # added after this run was solved: only a re-run applies it
    problem: str  # why a run cannot keep it (a pin breaking a rule); "" if it can


def _pin_effect(
    names: Mapping[int, str], c: MatchConstraint, pairs: list[MatchPair], capacity: int
) -> str:
    mentee, mentor = names[c.mentee_id], names[c.mentor_id]
    own = next((p for p in pairs if p.mentee_id == c.mentee_id), None)
    if own is not None and own.mentor_id == c.mentor_id:
        return KEEPS.format(mentee=mentee, mentor=mentor)
    mentee_today = (
        MENTEE_WITH.format(mentee=mentee, mentor=names[own.mentor_id])
        if own
        else MENTEE_ALONE.format(mentee=mentee)
    )
    others = sorted(names[p.mentee_id] for p in pairs if p.mentor_id == c.mentor_id)
    if len(others) < capacity:
        mentor_today = MENTOR_FREE.format(mentor=mentor)
    elif len(others) == 1:
        mentor_today = MENTOR_FULL_ONE.format(mentor=mentor, other=others[0])
    else:
        mentor_today = MENTOR_FULL_MANY.format(mentor=mentor, others=", ".join(others))
    return PINS.format(
        mentee=mentee, mentor=mentor, mentee_today=mentee_today, mentor_today=mentor_today
    )


def match_constraint_reviews(*, run: MatchRun, labels: Mapping[int, str]) -> list[ConstraintReview]:
    """Each pin and forbid of ``run`` with what it will change and what stops it, computed
    from the run's own pairs (no solve): two queries however many pairs the run has."""
    constraints = list(MatchConstraint.objects.filter(run=run).order_by("kind", "pk"))
    people = {c.mentee_id for c in constraints} | {c.mentor_id for c in constraints}
    pairs = list(
        MatchPair.objects.filter(run=run).filter(Q(mentee_id__in=people) | Q(mentor_id__in=people))
    )
    names = {**labels}
    for c in constraints:
        names.setdefault(c.mentee_id, f"#{c.mentee_id}")
        names.setdefault(c.mentor_id, f"#{c.mentor_id}")
    for p in pairs:
        names.setdefault(p.mentee_id, f"#{p.mentee_id}")
        names.setdefault(p.mentor_id, f"#{p.mentor_id}")
    pins = [(c.mentee_id, c.mentor_id) for c in constraints if c.kind == ConstraintKind.PIN]
    problems = pin_problems(run.inputs, pins)
    mentors = _records(run.inputs, "mentors")
    reviews = []
    for c in constraints:
        if c.kind == ConstraintKind.PIN:
            capacity = mentors.get(str(c.mentor_id), {}).get("capacity", 0)
            effect = _pin_effect(names, c, pairs, capacity)
        else:
            paired = any(p.mentee_id == c.mentee_id and p.mentor_id == c.mentor_id for p in pairs)
            template = FORBIDS_PAIRED if paired else FORBIDS_APART
            effect = template.format(mentee=names[c.mentee_id], mentor=names[c.mentor_id])
        reviews.append(
            ConstraintReview(
                constraint=c,
                mentee=names[c.mentee_id],
                mentor=names[c.mentor_id],
                effect=effect,
                pending=run.finished_at is not None and c.created_at > run.finished_at,
                problem=problems.get((c.mentee_id, c.mentor_id), ""),
            )
        )
    return reviews


# --- Out of date ----------------------------------------------------------------------------


def superseded() -> Exists:
    """Whether another run of the run's program was published after the run was made (the
    rule of ``match_run_superseded_by``, for a query of many runs)."""
    return Exists(
        MatchRun.objects.filter(
            program_id=OuterRef("program_id"),
            status=RunStatus.PUBLISHED,
            published_at__gt=OuterRef("created_at"),
        ).exclude(pk=OuterRef("pk"))
    )


def out_of_date() -> Q:
    """A finished run that can no longer be published because another run was published
    after it was made (for a query of many runs; the Out of date badge and the admin home)."""
    return Q(status=RunStatus.DONE) & Q(superseded())


def match_run_superseded_by(*, run: MatchRun) -> MatchRun | None:
    """The latest other run of the program published after ``run`` was made: ``run``'s
    snapshot predates the mentorships it created, so ``run`` is out of date."""
    return (
        MatchRun.objects.filter(
            program_id=run.program_id, status=RunStatus.PUBLISHED, published_at__gt=run.created_at
        )
        .exclude(pk=run.pk)
        .order_by("-published_at", "-pk")
        .first()
    )


# --- Not matched, by reason ------------------------------------------------------------------

NAMES_SHOWN = 5  # a group with more names than this shows them folded
NO_REASON = "no reason was recorded"


@dataclass(frozen=True)
class UnmatchedGroup:
    side: str  # "mentee" or "mentor"
    reason: str  # what blocked them, in the run's words
    person_ids: list[int]

    @property
    def folded(self) -> bool:
        return len(self.person_ids) > NAMES_SHOWN


def _reason_words(reasons: Iterable[Any]) -> str:
    texts = [row if isinstance(row, str) else str(row.get("text", "")) for row in reasons or ()]
    return "; ".join(text for text in texts if text) or NO_REASON


def unmatched_groups(unmatched: Iterable[Any]) -> list[UnmatchedGroup]:
    """The unmatched people of a run grouped by side and by what blocked them, the largest
    group first: one card per person made the page 12,300 px on a phone for 59 people, and
    the reasons are few (a run names the one constraint that removed the most pairs)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for row in unmatched:
        groups.setdefault((row.side, _reason_words(row.reasons)), []).append(row.person_id)
    return sorted(
        (UnmatchedGroup(side, reason, ids) for (side, reason), ids in groups.items()),
        key=lambda group: (group.side, -len(group.person_ids), group.reason),
    )
