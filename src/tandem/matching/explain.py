"""Reasons in plain words: why a pair was made, why a person was left unmatched.

A reason is a :class:`Reason`, ``(criterion, text)``: callers show the text and may sort,
filter or count by the criterion, never by parsing the words.

Identity attributes are never named in a reason: they are private to their owner. Callers
that must not reveal even whether identity played a part (Tandem's pages) leave the
criterion out altogether (``criteria=``), so it cannot take a place among the top reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from tandem.matching.candidates.rules import CONSTRAINTS
from tandem.matching.features import (
    CRITERIA,
    NEUTRAL,
    FeatureSpace,
    overlap_hours,
    pair_features,
)
from tandem.matching.profiles import Mentee, Mentor, normalise_tag

TOP_REASONS = 3
GOOD_ENOUGH = {"goals": 0.2, "availability": 0.25}  # others need >= 0.5 to be a reason

NO_PREFERENCE = "no preference given"
GOALS_SHARED = "shares goals in {topics}"
GOALS_CLOSE = "goals close to the mentor's expertise"
GOALS_FAR = "goals and expertise differ"
SKILLS_SHARED = "offers {skills}"
SKILLS_NONE = "offers none of the wanted skills"
HOURS = "{hours:g} h/week overlap"
NO_HOURS = "no overlapping hours"
SAME_CADENCE = "both prefer {cadence}"
NEAR_CADENCE = "close cadences ({a} and {b})"
FORMAT_CITY = "both can meet in person in {city}"
FORMAT_VIRTUAL = "both prefer virtual"
FORMAT_FITS = "meeting format fits"
FORMAT_CLASH = "one wants virtual, the other in person"
SENIOR = "mentor is {gap:g} level{s} more senior"
SENIOR_REVERSE = "mentee is {gap:g} level{s} more senior (reverse mentoring)"
NOT_SENIOR = "seniority is the wrong way round"
STYLE_CLOSE = "similar working style"
STYLE_FAR = "different working styles"
IDENTITY_SHARED = "shares an identity the mentee asked for"
IDENTITY_NOT = "does not share an identity the mentee asked for"


class Reason(NamedTuple):
    """One reason in plain words, with what it is about: a criterion (``"goals"``) for a pair,
    a hard constraint or the solver's cause (``"language"``, ``"all_compatible_full"``) for an
    unmatched person.

    >>> Reason("cadence", "both prefer weekly").text
    'both prefer weekly'
    """

    criterion: str
    text: str


UNMATCHED = {
    "language": "no mentor shares a language",
    "exclude": "every remaining mentor was on an exclude list",
    "forbidden": "every remaining pair was forbidden by the program",
    "manager": "excluded by conflict rules (manager line)",
    "department": "excluded by conflict rules (same department)",
    "city": "no in-person mentor in the same city",
    "capacity": "no mentor has room (capacity 0)",
    "no_mentors": "there are no mentors",
    "no_rows": "the score table has no row for this mentee",
    "all_compatible_full": "every compatible mentor was full",
    "not_selected": "a compatible mentor had room, but a group floor needed the place",
    "solver": "not matched: other pairs made a better overall result",
}


def explain_pairs(
    space: FeatureSpace,
    weights: Mapping[str, float],
    i: ArrayLike,
    j: ArrayLike,
    criteria: Sequence[str] = CRITERIA,
) -> list[dict]:
    """Per pair, each of ``criteria`` with value, weight and words, and its top reasons.

    The reasons are drawn from ``criteria`` only: a criterion left out is never a reason, and
    never pushes another reason out of the top ``TOP_REASONS``.

    Returns
    -------
    list of dict
        ``{"criteria": {name: {"value", "weight", "reason"}}, "reasons": tuple of Reason}``.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import resolve_weights
    >>> space = FeatureSpace(
    ...     [Mentee(id="a", goals="charts for execs", cadence="biweekly")],
    ...     [Mentor(id="m", expertise="dashboard design", cadence="biweekly")])
    >>> [tuple(r) for r in explain_pairs(space, resolve_weights(), [0], [0])[0]["reasons"]]
    [('goals', 'shares goals in data visualisation'), ('cadence', 'both prefer biweekly')]
    """
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    # Plain lists: reading numpy arrays one element at a time is slow on large runs.
    values = {
        name: column.tolist() for name, column in pair_features(space, i, j, criteria).items()
    }
    hours = overlap_hours(space, i, j).tolist()
    out = []
    for e, (mentee, mentor) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        explained = {}
        for name in criteria:
            value = values[name][e]
            reason = _reason(space, name, value, mentee, mentor, hours[e])
            explained[name] = {"value": round(value, 4), "weight": weights[name], "reason": reason}
        out.append({"criteria": explained, "reasons": top_reasons(explained)})
    return out


def top_reasons(criteria: Mapping[str, Mapping]) -> tuple[Reason, ...]:
    """The strongest positive reasons, strongest first (at most ``TOP_REASONS``).

    >>> top_reasons({"goals": {"value": 0.6, "weight": 3.0, "reason": "shares goals in SQL"},
    ...              "cadence": {"value": 0.0, "weight": 1.0, "reason": "cadences x and y"}})
    (Reason(criterion='goals', text='shares goals in SQL'),)
    """
    ranked = sorted(
        (
            name
            for name, c in criteria.items()
            if c["weight"]
            and c["value"] >= GOOD_ENOUGH.get(name, 0.5)
            and c["reason"]
            and c["reason"] != NO_PREFERENCE
        ),
        key=lambda name: -criteria[name]["value"] * criteria[name]["weight"],
    )
    return tuple(Reason(name, criteria[name]["reason"]) for name in ranked[:TOP_REASONS])


def _reason(space: FeatureSpace, name: str, value: float, i: int, j: int, hours: float) -> str:
    mentee, mentor = space.mentees[i], space.mentors[j]
    if name == "goals":
        return _goals_reason(space, mentee.goals, mentor.expertise, value)
    if name == "skills":
        return _skills_reason(mentee, mentor)
    if name == "availability":
        return _availability_reason(mentee, mentor, hours)
    if name == "cadence":
        return _cadence_reason(mentee, mentor)
    if name == "format":
        return _format_reason(mentee, mentor, value)
    if name == "seniority":
        return _seniority_reason(space, mentee, mentor)
    if name == "working_style":
        if not set(mentee.working_style) & set(mentor.working_style):
            return NO_PREFERENCE
        return STYLE_CLOSE if value >= 0.75 else STYLE_FAR
    if not mentee.prefer_shared_identity:
        return NO_PREFERENCE
    return IDENTITY_SHARED if value >= 1 else IDENTITY_NOT


def _goals_reason(space: FeatureSpace, goals: str, expertise: str, value: float) -> str:
    if not (goals.strip() and expertise.strip()):
        return NO_PREFERENCE
    shared = getattr(space.embedder, "shared_concepts", None)
    topics = shared(goals, expertise) if shared else []
    if topics:
        return GOALS_SHARED.format(topics=", ".join(topics))
    return GOALS_CLOSE if value >= GOOD_ENOUGH["goals"] else GOALS_FAR


def _skills_reason(mentee: Mentee, mentor: Mentor) -> str:
    wanted = {normalise_tag(s) for s in mentee.skills_wanted}
    shared = list(
        dict.fromkeys(normalise_tag(s) for s in mentor.skills_offered if normalise_tag(s) in wanted)
    )
    if not (wanted and mentor.skills_offered):
        return NO_PREFERENCE
    return SKILLS_SHARED.format(skills=", ".join(shared)) if shared else SKILLS_NONE


def _availability_reason(mentee: Mentee, mentor: Mentor, hours: float) -> str:
    if not (mentee.availability and mentor.availability):
        return NO_PREFERENCE
    return HOURS.format(hours=hours) if hours else NO_HOURS


def _cadence_reason(mentee: Mentee, mentor: Mentor) -> str:
    if not (mentee.cadence and mentor.cadence):
        return NO_PREFERENCE
    if mentee.cadence == mentor.cadence:
        return SAME_CADENCE.format(cadence=mentee.cadence)
    return NEAR_CADENCE.format(a=mentee.cadence, b=mentor.cadence)


def _format_reason(mentee: Mentee, mentor: Mentor, value: float) -> str:
    if not (mentee.format or mentor.format):
        return NO_PREFERENCE
    if value == 0:
        return FORMAT_CLASH
    if "in_person" in (mentee.format, mentor.format) and value >= 1:
        return FORMAT_CITY.format(city=mentee.city or mentor.city)
    if mentee.format == mentor.format == "virtual":
        return FORMAT_VIRTUAL
    return FORMAT_FITS if value >= NEUTRAL else NO_PREFERENCE


def _seniority_reason(space: FeatureSpace, mentee: Mentee, mentor: Mentor) -> str:
    if mentee.seniority is None or mentor.seniority is None:
        return NO_PREFERENCE
    gap = mentor.seniority - mentee.seniority
    if space.reverse:
        gap = -gap
    if gap <= 0:
        return NOT_SENIOR
    template = SENIOR_REVERSE if space.reverse else SENIOR
    return template.format(gap=gap, s="" if gap == 1 else "s")


def unmatched_reason(
    cause: str | None, removed: Sequence[int] | None = None, n_mentors: int = 1
) -> Reason:
    """Why a mentee is unmatched: the key of :data:`UNMATCHED` and its words.

    ``cause`` is the solver's (``"no_edges"``, ``"all_compatible_full"``, None); for
    ``"no_edges"`` the hard constraint that removed the most pairs (``removed``, counted per
    :data:`~tandem.matching.candidates.rules.CONSTRAINTS`) is named.

    >>> unmatched_reason("no_edges", [5, 0, 0, 0, 0, 2, 0], n_mentors=5)
    Reason(criterion='language', text='no mentor shares a language')
    >>> unmatched_reason("all_compatible_full").text
    'every compatible mentor was full'
    """
    key = cause if cause in UNMATCHED else "solver"
    if cause == "no_edges":
        if not n_mentors:
            key = "no_mentors"
        elif removed is None or not any(removed):
            key = "no_rows"
        else:
            key = CONSTRAINTS[int(np.argmax(removed))]
    return Reason(key, UNMATCHED[key])
