"""Reasons in plain words: why a pair was made, why a person was left unmatched.

A reason is a :class:`Reason`, ``(criterion, text, kind)``: callers show the text, mark it
by its kind (a strength or a concern of the pair, or a note) and may sort, filter or count by
the criterion, never by parsing the words. The words themselves are
:mod:`tandem.matching.sentences`'.

Besides the scored criteria, a pair may carry a weakness that does not move its score
(:func:`weaknesses_of`: first languages that differ), listed after the criteria's concerns.

Identity attributes are never named in a reason: they are private to their owner. Callers
that must not reveal even whether identity played a part (Tandem's pages) leave the
criterion out altogether (``criteria=``), so it cannot take a place among the top reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from tandem.matching import sentences
from tandem.matching.candidates.rules import CONSTRAINTS
from tandem.matching.features import CRITERIA, FeatureSpace, overlap_hours, pair_features
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records.cells import skill_slug
from tandem.matching.sentences import CONCERN, NOTE, STRENGTH

TOP_REASONS = 3  # strengths listed at most
TOP_CONCERNS = 3  # concerns listed at most, after the strengths

NOTHING_STANDS_OUT = "Nothing stands out either way: most details are left empty or about average"
SEARCHED_SKILL = "Offers {skill}, the skill you searched for"


class Reason(NamedTuple):
    """One reason in plain words, with what it is about: a criterion (``"goals"``) or a weakness
    that weighs nothing (``"language"``: :func:`weaknesses_of`) for a pair, a hard constraint
    or the solver's cause (``"language"``, ``"all_compatible_full"``) for an unmatched person;
    and its ``kind``: a ``"strength"`` of the pair (the default, as every reason was before
    concerns were told), a ``"concern"``, or a ``"note"`` (neither).

    >>> Reason("cadence", "Both want to meet weekly").kind
    'strength'
    """

    criterion: str
    text: str
    kind: str = STRENGTH


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
    "not_selected": "a compatible mentor had room, but the assignment left this mentee out",
    "group_floor": "a compatible mentor had room, but a group floor needed the place",
    "solver": "not matched: other pairs made a better overall result",
}
# When no one rule removed every mentor, UNMATCHED's words would be false ("no mentor shares
# a language" beside a mentor who shares one but meets in person in another city): the
# person is told the rule that removed the most, as one of several.
RULED_OUT = "every mentor was ruled out by a rule; most often: {rule}"
RULE_WORDS = {
    "language": "no shared language",
    "exclude": "on an exclude list",
    "forbidden": "a pair the program forbids",
    "manager": "conflict rules (manager line)",
    "department": "conflict rules (same department)",
    "city": "in person in another city",
    "capacity": "no room (capacity 0)",
}


def explain_pairs(
    space: FeatureSpace,
    weights: Mapping[str, float],
    i: ArrayLike,
    j: ArrayLike,
    criteria: Sequence[str] = CRITERIA,
) -> list[dict]:
    """Per pair, each of ``criteria`` with value, weight, words and kind, and its reasons.

    The reasons are drawn from ``criteria`` with a weight above 0 only: a criterion left out
    is never a reason, and never pushes another reason out of the list. The pair's
    :func:`weaknesses_of` follow the criteria's concerns.

    Returns
    -------
    list of dict
        ``{"criteria": {name: {"value", "weight", "reason", "kind"}}, "reasons": tuple of
        Reason}``; the reasons as :func:`top_reasons` picks them.

    Examples
    --------
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> from tandem.matching.features import resolve_weights
    >>> space = FeatureSpace(
    ...     [Mentee(id="a", goals="charts for execs", cadence="weekly")],
    ...     [Mentor(id="m", expertise="dashboard design", cadence="monthly")])
    >>> for r in explain_pairs(space, resolve_weights(), [0], [0])[0]["reasons"]:
    ...     print(r.kind, "|", r.text)
    strength | Goals and expertise meet in data visualisation
    concern | Different meeting rhythms: the mentee wants weekly, the mentor monthly
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
            said = _say(space, name, value, mentee, mentor, hours[e])
            explained[name] = {
                "value": round(value, 4),
                "weight": weights[name],
                "reason": said.text,
                "kind": said.kind,
            }
        weaknesses = weaknesses_of(space.mentees[mentee], space.mentors[mentor])
        out.append({"criteria": explained, "reasons": top_reasons(explained, weaknesses)})
    return out


def weaknesses_of(mentee: Mentee, mentor: Mentor) -> tuple[Reason, ...]:
    """The pair's concerns that are no criterion: said whenever they hold, after the criteria's
    concerns, with no weight and no effect on the score. Today one: first languages that
    differ (:func:`~tandem.matching.sentences.languages`).

    Not a scored criterion, because a score term would move every pair's score (a criterion's
    weight is a share of the weights' sum), and with it the fit bands and every figure measured
    on them, and the candidates' score bound would need a term for it; and the pair already
    shares a language (a hard constraint removes any pair that does not), so how much the first
    language matters is the people's to judge, not the solver's to trade against goals or hours.

    >>> mentee = Mentee(id="a", languages=("pt", "en"))
    >>> for r in weaknesses_of(mentee, Mentor(id="m", languages=("en",))):
    ...     print(r.criterion, r.kind, "|", r.text)
    language concern | They share English, but the mentee's first language is Portuguese
    >>> weaknesses_of(mentee, Mentor(id="m", languages=("pt",)))
    ()
    """
    said = sentences.languages(mentee, mentor)
    return (Reason("language", said.text, CONCERN),) if said.kind == CONCERN else ()


def top_reasons(
    criteria: Mapping[str, Mapping], weaknesses: Sequence[Reason] = ()
) -> tuple[Reason, ...]:
    """The strengths, strongest first (at most ``TOP_REASONS``), then the concerns, most
    costly first (at most ``TOP_CONCERNS``), of the criteria that weigh, then ``weaknesses``
    (concerns that weigh nothing: :func:`weaknesses_of`); a pair with none of them gets one
    note saying so, so every pair has a reason.

    >>> for r in top_reasons({
    ...     "goals": {"value": 0.6, "weight": 3.0, "reason": "Goals meet", "kind": "strength"},
    ...     "cadence": {"value": 0.0, "weight": 1.0, "reason": "Far", "kind": "concern"},
    ...     "format": {"value": 0.0, "weight": 0.0, "reason": "Clash", "kind": "concern"}}):
    ...     print(r.kind, r.text)
    strength Goals meet
    concern Far
    """

    strengths, concerns = [], []
    for name, c in criteria.items():
        kind, weight = c.get("kind"), c["weight"]
        if kind == STRENGTH and weight:
            strengths.append((-c["value"] * weight, name))
        elif kind == CONCERN and weight:
            concerns.append((-(1 - c["value"]) * weight, name))
    # Ties keep the criteria's order (stable sort on the cost alone).
    chosen = [
        Reason(name, criteria[name]["reason"], STRENGTH)
        for _, name in sorted(strengths, key=_cost)[:TOP_REASONS]
    ]
    chosen += [
        Reason(name, criteria[name]["reason"], CONCERN)
        for _, name in sorted(concerns, key=_cost)[:TOP_CONCERNS]
    ]
    chosen += weaknesses
    return tuple(chosen) or (Reason("overall", NOTHING_STANDS_OUT, NOTE),)


def _cost(ranked: tuple[float, str]) -> float:
    return ranked[0]


def with_searched_skill(
    reasons: Sequence[Reason], skill: str, mentee: Mentee, mentor: Mentor
) -> tuple[Reason, ...]:
    """``reasons`` led by the skill the mentee searched for, when the mentor offers it; the
    skills strength goes when that skill is all it would say.

    >>> why = (Reason("skills", "Offers SQL, which the mentee wants to learn"),)
    >>> [r.text for r in with_searched_skill(why, "sql", Mentee(id="a", skills_wanted=("sql",)),
    ...                                      Mentor(id="m", skills_offered=("SQL",)))]
    ['Offers SQL, the skill you searched for']
    >>> with_searched_skill(why, "go", Mentee(id="a"), Mentor(id="m")) == why
    True
    """
    searched = searched_skill_reason(skill, mentor)
    if searched is None:
        return tuple(reasons)
    offered = {skill_slug(s) for s in mentor.skills_offered}
    shared = {skill_slug(s) for s in mentee.skills_wanted} & offered
    says_nothing_more = shared <= {skill_slug(skill)}
    kept = [
        r
        for r in reasons
        if not (r.criterion == "skills" and r.kind == STRENGTH and says_nothing_more)
    ]
    return (searched, *kept)


def searched_skill_reason(skill: str, mentor: Mentor) -> Reason | None:
    """The reason a mentee's skill filter adds: the mentor offers it (in the mentor's spelling),
    or None when they do not.

    >>> searched_skill_reason("sql", Mentor(id="m", skills_offered=("SQL",))).text
    'Offers SQL, the skill you searched for'
    """
    wanted = skill_slug(skill)
    for offered in mentor.skills_offered:
        if wanted and skill_slug(offered) == wanted:
            return Reason("skills", SEARCHED_SKILL.format(skill=offered))
    return None


def _say(
    space: FeatureSpace, name: str, value: float, i: int, j: int, hours: float
) -> sentences.Said:
    mentee, mentor = space.mentees[i], space.mentors[j]
    if name == "goals":
        known = bool(space.mentee.has_text[i] and space.mentor.has_text[j])
        return _goals(space, mentee.goals, mentor.expertise, value, known)
    if name == "skills":
        return sentences.skills(mentee, mentor)
    if name == "availability":
        return sentences.availability(mentee, mentor, hours)
    if name == "cadence":
        return sentences.cadence(mentee, mentor)
    if name == "format":
        return sentences.meeting_format(mentee, mentor, value)
    if name == "seniority":
        return sentences.seniority(mentee, mentor, space.reverse)
    if name == "working_style":
        return sentences.working_style(mentee, mentor, value)
    return sentences.identity(mentee, value)


def _goals(
    space: FeatureSpace, goals: str, expertise: str, value: float, known: bool
) -> sentences.Said:
    """``known``: both texts embedded to something. A text the embedder finds nothing in (the
    lexicon, for "I like to help" or a script it does not read) scores as an empty one, so it
    says nothing: the neutral value read "goals are close to the expertise" (live check)."""
    given = known and bool(goals.strip() and expertise.strip())
    shared = getattr(space.embedder, "shared_concepts", None)
    topics = shared(goals, expertise) if shared and given and value else []
    return sentences.goals(value, topics, given)


def unmatched_reason(
    cause: str | None, removed: Sequence[int] | None = None, n_mentors: int = 1
) -> Reason:
    """Why a mentee is unmatched: the key of :data:`UNMATCHED` and its words.

    ``cause`` is the solver's (``"no_edges"``, ``"all_compatible_full"``, None); for
    ``"no_edges"`` the hard constraint that removed the most pairs (``removed``, counted per
    :data:`~tandem.matching.candidates.rules.CONSTRAINTS`) is named: in its own words when it
    removed every mentor, else as the most frequent of several rules (:data:`RULED_OUT`).

    >>> unmatched_reason("no_edges", [5, 0, 0, 0, 0, 2, 0], n_mentors=5)
    Reason(criterion='language', text='no mentor shares a language', kind='note')
    >>> unmatched_reason("no_edges", [3, 0, 0, 0, 0, 1, 0], n_mentors=4).text
    'every mentor was ruled out by a rule; most often: no shared language'
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
            top = int(np.argmax(removed))
            key = CONSTRAINTS[top]
            if removed[top] < n_mentors:
                return Reason(key, RULED_OUT.format(rule=RULE_WORDS[key]), NOTE)
    return Reason(key, UNMATCHED[key], NOTE)
