"""One sentence per criterion for a pair, in people's words, and whether it is a strength, a
concern or neither.

Every criterion the scorer uses has a strength sentence and a concern sentence; which one a
pair gets follows a condition on the pair's own fields (the feature value, the hours in
common, the cadence steps apart), written once here so the words and the score never
disagree. A value a person left empty is "no preference": neither a strength nor a concern.

The sentences speak of "the mentee" and "the mentor", as the admin reviewing a run reads them;
the mentee on the ranked list and the mentor answering a request read them about themselves
and the other (``reader.for_reader``), so a new sentence needs its phrases there too (the test
formats every sentence here). They name only
what both profiles already show to people in the program (skills, cities, time zones,
cadence, seniority levels, languages); never an identity attribute, a manager or a department.
"""

from __future__ import annotations

from typing import NamedTuple

from tandem.matching.features import NEUTRAL
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records.cells import skill_slug
from tandem.matching.records.languages import LANGUAGES

STRENGTH, CONCERN, NOTE = "strength", "concern", "note"
NEITHER = ""  # nothing notable: the criterion is not listed

# Where a value stops being notable. Goals: any topic in common counts (random pairs score 0
# on most synthetic and demo pairs), on the lexicon's scale, which every embedder's goals value
# is mapped onto (embedders/calibration.py: all-MiniLM-L6-v2's raw cosine 0.305 and 0.364; on
# the demo's pairs both fire for 28 % and 47 %); hours: one hour a week is the least a meeting
# needs.
GOALS_GOOD, GOALS_WEAK = 0.2, 0.1
ENOUGH_HOURS = 1.0
CADENCE_FAR_STEPS = 2  # weekly vs monthly, biweekly vs quarterly
STYLE_CLOSE_FROM, STYLE_FAR_BELOW = 0.75, 0.5  # a mean gap of 1 / of 2 points out of 4

NO_PREFERENCE = "No preference given"
GOALS_SHARED = "Goals and expertise meet in {topics}"
GOALS_CLOSE = "The mentee's goals are close to the mentor's expertise"
GOALS_SOME = "The mentee's goals and the mentor's expertise overlap a little"
GOALS_FAR = "The mentee's goals and the mentor's expertise have little in common"
SKILLS_ALL = "Offers {skills}, which the mentee wants to learn"
SKILLS_SOME = "Offers {skills} ({shared} of the {wanted} skills the mentee wants)"
SKILLS_NONE = "Offers none of the skills the mentee wants ({wanted})"
HOURS = "{hours} a week free at the same time"
FEW_HOURS = "Only {hours} a week free at the same time"
NO_HOURS = "No shared hours in their weekly availability"
NO_HOURS_ZONES = "No shared hours in their weekly availability (time zones {a} and {b})"
SAME_CADENCE = "Both want to meet {cadence}"
NEAR_CADENCE = "Close meeting rhythms: the mentee wants {a}, the mentor {b}"
FAR_CADENCE = "Different meeting rhythms: the mentee wants {a}, the mentor {b}"
FORMAT_CITY = "Both can meet in person in {city}"
FORMAT_VIRTUAL = "Both prefer to meet online"
FORMAT_FITS = "Their meeting formats fit"
FORMAT_CLASH = "The {in_person} wants to meet in person, the {online} online"
FORMAT_ELSEWHERE = "The {who} prefers to meet in person, but they live in different cities"
FORMAT_ELSEWHERE_CITIES = (
    "The {who} prefers to meet in person, but they live in different cities ({a} and {b})"
)
SENIOR = "The mentor is {gap} more senior"
SENIOR_REVERSE = "The mentee is {gap} more senior, as reverse mentoring intends"
SAME_LEVEL = "Same seniority level: the mentor is not more senior"
SAME_LEVEL_REVERSE = "Same seniority level: reverse mentoring expects the mentee to be senior"
NOT_SENIOR = "The mentee is {gap} more senior than the mentor"
NOT_SENIOR_REVERSE = "The mentor is {gap} more senior, the wrong way round for reverse mentoring"
STYLE_CLOSE = "Similar working styles"
STYLE_SOME = "Somewhat different working styles"
STYLE_FAR = "Different working styles (their answers sit far apart)"
IDENTITY_SHARED = "Shares an identity the mentee asked for"
LANGUAGES_BOTH_APART = (
    "They share {shared}, but the mentee's first language is {mentee} and the mentor's is {mentor}"
)
LANGUAGES_ONE_APART = "They share {shared}, but the {who}'s first language is {first}"
IDENTITY_NOT = "Does not share an identity the mentee asked for"

CADENCE_WORDS = {
    "weekly": "weekly",
    "biweekly": "every two weeks",
    "monthly": "monthly",
    "quarterly": "every three months",
}
CADENCE_STEPS = tuple(CADENCE_WORDS)


class Said(NamedTuple):
    """A criterion's sentence for one pair and its kind (:data:`STRENGTH`, :data:`CONCERN` or
    :data:`NEITHER`)."""

    kind: str
    text: str


NOTHING = Said(NEITHER, NO_PREFERENCE)


def goals(value: float, topics: list[str], given: bool) -> Said:
    """Goals against expertise (``topics``: concepts both texts mention).

    >>> goals(0.6, ["SQL"], True)
    Said(kind='strength', text='Goals and expertise meet in SQL')
    >>> goals(0.0, [], True).kind
    'concern'
    """
    if not given:
        return NOTHING
    if value >= GOALS_GOOD:
        text = GOALS_SHARED.format(topics=", ".join(topics)) if topics else GOALS_CLOSE
        return Said(STRENGTH, text)
    if value < GOALS_WEAK:
        return Said(CONCERN, GOALS_FAR)
    return Said(NEITHER, GOALS_SOME)


def skills(mentee: Mentee, mentor: Mentor) -> Said:
    """The wanted skills the mentor offers, in the mentor's spelling.

    >>> skills(Mentee(id="a", skills_wanted=("sql", "python")),
    ...        Mentor(id="m", skills_offered=("SQL",))).text
    'Offers SQL (1 of the 2 skills the mentee wants)'
    """
    wanted = list(dict.fromkeys(skill_slug(s) for s in mentee.skills_wanted))
    if not (wanted and mentor.skills_offered):
        return NOTHING
    offered = {skill_slug(s): s for s in reversed(mentor.skills_offered)}
    shared = [offered[s] for s in wanted if s in offered]
    if not shared:
        return Said(CONCERN, SKILLS_NONE.format(wanted=", ".join(mentee.skills_wanted)))
    names = _and(shared)
    if len(shared) == len(wanted):
        return Said(STRENGTH, SKILLS_ALL.format(skills=names))
    return Said(STRENGTH, SKILLS_SOME.format(skills=names, shared=len(shared), wanted=len(wanted)))


def availability(mentee: Mentee, mentor: Mentor, hours: float) -> Said:
    """Weekly hours both are free (in UTC, the week of the program).

    >>> availability(Mentee(id="a", availability=("Mon 09:00-10:00",), timezone="UTC"),
    ...              Mentor(id="m", availability=("Tue 09:00-10:00",), timezone="UTC"), 0.0)
    Said(kind='concern', text='No shared hours in their weekly availability')
    """
    if not (mentee.availability and mentor.availability):
        return NOTHING
    if hours >= ENOUGH_HOURS:
        return Said(STRENGTH, HOURS.format(hours=_hours(hours)))
    if hours > 0:
        return Said(CONCERN, FEW_HOURS.format(hours=_hours(hours)))
    zones = [(p.timezone or "UTC").replace("_", " ") for p in (mentee, mentor)]
    if zones[0] != zones[1]:
        return Said(CONCERN, NO_HOURS_ZONES.format(a=zones[0], b=zones[1]))
    return Said(CONCERN, NO_HOURS)


def cadence(mentee: Mentee, mentor: Mentor) -> Said:
    """How often each wants to meet; two or more steps apart on weekly..quarterly is a concern.

    >>> cadence(Mentee(id="a", cadence="weekly"), Mentor(id="m", cadence="monthly")).text
    'Different meeting rhythms: the mentee wants weekly, the mentor monthly'
    """
    if not (mentee.cadence and mentor.cadence):
        return NOTHING
    a, b = CADENCE_WORDS[mentee.cadence], CADENCE_WORDS[mentor.cadence]
    steps = abs(CADENCE_STEPS.index(mentee.cadence) - CADENCE_STEPS.index(mentor.cadence))
    if steps == 0:
        return Said(STRENGTH, SAME_CADENCE.format(cadence=a))
    if steps < CADENCE_FAR_STEPS:
        return Said(STRENGTH, NEAR_CADENCE.format(a=a, b=b))
    return Said(CONCERN, FAR_CADENCE.format(a=a, b=b))


def meeting_format(mentee: Mentee, mentor: Mentor, value: float) -> Said:
    """Online or in person, and for in person, the city (``value``: the format feature).

    >>> meeting_format(Mentee(id="a", format="in_person", city="Berlin"),
    ...                Mentor(id="m", format="any", city="Pune"), 0.0).text
    'The mentee prefers to meet in person, but they live in different cities (Berlin and Pune)'
    """
    if not (mentee.format or mentor.format):
        return NOTHING
    formats = {"mentee": mentee.format, "mentor": mentor.format}
    in_person = [who for who, f in formats.items() if f == "in_person"]
    online = [who for who, f in formats.items() if f == "virtual"]
    if in_person and online:
        return Said(CONCERN, FORMAT_CLASH.format(in_person=in_person[0], online=online[0]))
    if in_person and value == 0:
        who = in_person[0] if len(in_person) == 1 else "mentee"
        if mentee.city and mentor.city:
            text = FORMAT_ELSEWHERE_CITIES.format(who=who, a=mentee.city, b=mentor.city)
            return Said(CONCERN, text)
        return Said(CONCERN, FORMAT_ELSEWHERE.format(who=who))
    if in_person and value >= 1:
        return Said(STRENGTH, FORMAT_CITY.format(city=mentee.city or mentor.city))
    if mentee.format == mentor.format == "virtual":
        return Said(STRENGTH, FORMAT_VIRTUAL)
    return Said(STRENGTH, FORMAT_FITS) if value > NEUTRAL else NOTHING


def seniority(mentee: Mentee, mentor: Mentor, reverse: bool) -> Said:
    """Which way the seniority levels point (reversed for reverse mentoring).

    >>> seniority(Mentee(id="a", seniority=5), Mentor(id="m", seniority=3), False).text
    'The mentee is somewhat more senior than the mentor'
    """
    if mentee.seniority is None or mentor.seniority is None:
        return NOTHING
    gap = round(mentor.seniority - mentee.seniority) * (-1 if reverse else 1)
    if gap > 0:
        return Said(STRENGTH, (SENIOR_REVERSE if reverse else SENIOR).format(gap=_levels(gap)))
    if gap == 0:
        return Said(CONCERN, SAME_LEVEL_REVERSE if reverse else SAME_LEVEL)
    return Said(CONCERN, (NOT_SENIOR_REVERSE if reverse else NOT_SENIOR).format(gap=_levels(-gap)))


def working_style(mentee: Mentee, mentor: Mentor, value: float) -> Said:
    """Answers to the working-style questions both gave (``value``: 1 minus the mean gap / 4).

    >>> working_style(Mentee(id="a", working_style={"pace": 1}),
    ...               Mentor(id="m", working_style={"pace": 5}), 0.0).kind
    'concern'
    """
    if not set(mentee.working_style) & set(mentor.working_style):
        return NOTHING
    if value >= STYLE_CLOSE_FROM:
        return Said(STRENGTH, STYLE_CLOSE)
    if value < STYLE_FAR_BELOW:
        return Said(CONCERN, STYLE_FAR)
    return Said(NEITHER, STYLE_SOME)


def identity(mentee: Mentee, value: float) -> Said:
    """Only for a mentee who opted in; never names the identity (used by ``tandem match``,
    never on Tandem's pages)."""
    if not mentee.prefer_shared_identity:
        return NOTHING
    return Said(STRENGTH, IDENTITY_SHARED) if value >= 1 else Said(CONCERN, IDENTITY_NOT)


def languages(mentee: Mentee, mentor: Mentor) -> Said:
    """Whether they share their first (most fluent) language: a pair that shares a language
    but not both first languages is a concern, naming the shared languages (in the mentee's
    order) and the first languages they do not share. Nothing to say when either lists none,
    when both put the same language first, or when they share none (a hard constraint: such a
    pair is never formed). A concern only: it does not move the score (see
    :func:`tandem.matching.explain.weaknesses_of`).

    >>> said = languages(Mentee(id="a", languages=("es", "en")),
    ...                  Mentor(id="m", languages=("de", "en")))
    >>> said.kind
    'concern'
    >>> print(said.text)
    They share English, but the mentee's first language is Spanish and the mentor's is German
    >>> languages(Mentee(id="a", languages=("en", "es")),
    ...           Mentor(id="m", languages=("de", "en"))).text
    "They share English, but the mentor's first language is German"
    >>> languages(Mentee(id="a", languages=("en",)), Mentor(id="m", languages=("en", "de"))).kind
    ''
    """
    if not (mentee.languages and mentor.languages):
        return NOTHING
    spoken = set(mentor.languages)
    shared = [code for code in dict.fromkeys(mentee.languages) if code in spoken]
    first = {"mentee": mentee.languages[0], "mentor": mentor.languages[0]}
    if not shared or first["mentee"] == first["mentor"]:
        return NOTHING
    names = _and([_language(code) for code in shared])
    apart = [who for who, code in first.items() if code not in shared]
    if len(apart) == 1:
        who = apart[0]
        return Said(
            CONCERN, LANGUAGES_ONE_APART.format(shared=names, who=who, first=_language(first[who]))
        )
    mentee_first, mentor_first = _language(first["mentee"]), _language(first["mentor"])
    text = LANGUAGES_BOTH_APART.format(shared=names, mentee=mentee_first, mentor=mentor_first)
    return Said(CONCERN, text)


def _language(code: str) -> str:
    return LANGUAGES.get(code, code)


def _and(names: list[str]) -> str:
    """``["a", "b", "c"]`` as ``"a, b and c"``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _hours(hours: float) -> str:
    if hours < 1:
        return f"{round(hours * 60)} minutes"
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _levels(gap: int) -> str:
    """How far apart two seniority levels are, in words: "8 levels more senior" counted steps of
    a scale the reader never sees (UX review), so the gap reads "a little", "somewhat" or "much".

    >>> [_levels(gap) for gap in (1, 3, 4)]
    ['a little', 'somewhat', 'much']
    """
    return "a little" if gap == 1 else "somewhat" if gap <= 3 else "much"
