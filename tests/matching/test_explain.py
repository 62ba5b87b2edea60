import pytest

from tandem.matching import explain as ex
from tandem.matching import sentences as say
from tandem.matching.candidates.rules import CONSTRAINTS
from tandem.matching.features import FeatureSpace, resolve_weights
from tandem.matching.profiles import Mentee, Mentor

W = resolve_weights()


def explain_one(mentee, mentor, reverse=False):
    space = FeatureSpace([mentee], [mentor], reverse=reverse)
    return ex.explain_pairs(space, W, [0], [0])[0]


def test_reasons_in_plain_words():
    result = explain_one(
        Mentee(
            id="a",
            goals="make my dashboards clearer",
            skills_wanted=("Tableau",),
            timezone="Europe/Berlin",
            availability=("Mon 09:00-15:00",),
            cadence="biweekly",
            seniority=2,
        ),
        Mentor(
            id="m",
            expertise="data visualisation",
            skills_offered=("tableau", "sql"),
            timezone="UTC",
            availability=("Mon 08:00-14:00",),
            cadence="biweekly",
            seniority=6,
        ),
    )
    assert result["reasons"] == (
        ex.Reason("goals", "Goals and expertise meet in data visualisation"),
        ex.Reason("skills", "Offers tableau, which the mentee wants to learn"),
        ex.Reason("availability", "6 hours a week free at the same time"),
    )
    criteria = result["criteria"]
    assert criteria["cadence"]["reason"] == "Both want to meet every two weeks"
    assert criteria["seniority"]["reason"] == "The mentor is much more senior"
    assert criteria["format"]["reason"] == say.NO_PREFERENCE
    assert set(criteria) == set(W)


def test_reverse_mentoring_words():
    result = explain_one(Mentee(id="a", seniority=8), Mentor(id="m", seniority=3), reverse=True)
    assert result["criteria"]["seniority"]["reason"] == (
        "The mentee is much more senior, as reverse mentoring intends"
    )


def test_identity_is_never_named():
    result = explain_one(
        Mentee(id="a", identity=("lgbtq",), prefer_shared_identity=True),
        Mentor(id="m", identity=("LGBTQ",)),
    )
    assert result["criteria"]["identity"]["reason"] == say.IDENTITY_SHARED
    assert "lgbtq" not in str(result).lower()


def test_negative_reasons_come_after_the_strengths_marked_as_concerns():
    result = explain_one(
        Mentee(id="a", format="virtual", cadence="weekly", seniority=2),
        Mentor(id="m", format="in_person", cadence="quarterly", seniority=5),
    )
    assert result["reasons"] == (
        ex.Reason("seniority", "The mentor is somewhat more senior"),
        ex.Reason("format", "The mentor wants to meet in person, the mentee online", "concern"),
        ex.Reason(
            "cadence",
            "Different meeting rhythms: the mentee wants weekly, the mentor every three months",
            "concern",
        ),
    )


@pytest.mark.parametrize("constraint", CONSTRAINTS)
def test_unmatched_names_the_constraint_that_removed_most(constraint):
    removed = [0] * len(CONSTRAINTS)
    removed[CONSTRAINTS.index(constraint)] = 3
    reason = ex.unmatched_reason("no_edges", removed, n_mentors=3)
    assert reason == (constraint, ex.UNMATCHED[constraint], "note")


def test_other_unmatched_causes():
    assert ex.unmatched_reason("no_edges", None, n_mentors=0).text == "there are no mentors"
    assert ex.unmatched_reason("no_edges", None, n_mentors=2).criterion == "no_rows"
    assert ex.unmatched_reason("all_compatible_full") == (
        "all_compatible_full",
        "every compatible mentor was full",
        "note",
    )
    assert ex.unmatched_reason(None) == ("solver", ex.UNMATCHED["solver"], "note")


@pytest.mark.parametrize("constraint", CONSTRAINTS)
def test_a_rule_that_removed_only_some_mentors_is_not_told_as_removing_all(constraint):
    removed = [1] * len(CONSTRAINTS)
    removed[CONSTRAINTS.index(constraint)] = 2
    reason = ex.unmatched_reason("no_edges", removed, n_mentors=3)
    assert reason.criterion == constraint
    assert reason.text == ex.RULED_OUT.format(rule=ex.RULE_WORDS[constraint])


def test_a_mentee_sharing_a_language_with_a_mentor_in_another_city_is_not_told_none_does():
    # Live check: "no mentor shares a language" for a mentee whose one Arabic-speaking mentor
    # met in person in another city (three mentors shared no language, so that rule won).
    from tandem.matching.pipeline import match_participants

    mentee = Mentee(id="a", languages=("ar",), format="in_person", city="Riyadh")
    mentors = [
        *(Mentor(id=f"m{k}", languages=("ja",)) for k in range(3)),
        Mentor(id="x", languages=("ar", "en"), format="in_person", city="Jeddah"),
    ]
    (unmatched,) = match_participants([mentee], mentors).unmatched
    assert unmatched["reason"] == (
        "language",
        "every mentor was ruled out by a rule; most often: no shared language",
        "note",
    )


@pytest.mark.parametrize(
    ("goals", "expertise"),
    [("I want to grow", "I like to help"), ("learn cooking", "x"), ("ללמוד ניהול", "ניהול")],
)
def test_goals_the_lexicon_finds_nothing_in_are_no_strength(goals, expertise):
    # Live check: goals and expertise with nothing in common read "The mentee's goals are
    # close to the mentor's expertise": a text embedded to nothing scores the neutral 0.25,
    # which is above the strength threshold, as an empty text does, but was told as a match.
    result = explain_one(Mentee(id="a", goals=goals), Mentor(id="m", expertise=expertise))
    assert result["criteria"]["goals"]["kind"] == ""
    assert all(reason.criterion != "goals" for reason in result["reasons"])
