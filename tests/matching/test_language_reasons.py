"""Issue #14 item 3: different preferred languages are a weakness of the pair, said as a
structured concern (criterion ``"language"``) after the criteria's concerns, that does not move
the score; ``tandem match`` writes it in pairs.csv as it writes every concern."""

from __future__ import annotations

import csv

import pytest

from tandem.matching import explain as ex
from tandem.matching import sentences as say
from tandem.matching.command import main
from tandem.matching.features import FeatureSpace, resolve_weights
from tandem.matching.pipeline import match_participants
from tandem.matching.profiles import Mentee, Mentor

W = resolve_weights()
SPANISH_GERMAN = (
    "They share English, but the mentee's first language is Spanish and the mentor's is German"
)


def said(mentee_languages, mentor_languages) -> say.Said:
    return say.languages(
        Mentee(id="a", languages=mentee_languages), Mentor(id="m", languages=mentor_languages)
    )


@pytest.mark.parametrize(
    ("mentee", "mentor", "text"),
    [
        (("es", "en"), ("de", "en"), SPANISH_GERMAN),
        (
            ("en", "es"),
            ("de", "en"),
            "They share English, but the mentor's first language is German",
        ),
        (
            ("pt", "en"),
            ("en",),
            "They share English, but the mentee's first language is Portuguese",
        ),
        (
            ("es", "fr", "en"),
            ("de", "en", "fr"),
            "They share French and English, but the mentee's first language is Spanish and the "
            "mentor's is German",
        ),
        (
            ("en", "de"),
            ("de", "en"),
            "They share English and German, but the mentee's first language is English and the "
            "mentor's is German",
        ),
    ],
)
def test_different_first_languages_are_a_concern_naming_the_languages(mentee, mentor, text):
    assert said(mentee, mentor) == say.Said(say.CONCERN, text)


@pytest.mark.parametrize(
    ("mentee", "mentor"),
    [
        (("en",), ("en", "de")),  # the same first language
        (("en", "es"), ("en", "de")),
        ((), ("de", "en")),  # no preference given
        (("es",), ()),
        (("es",), ("de",)),  # no language in common: a hard constraint, never a formed pair
    ],
)
def test_nothing_is_said_otherwise(mentee, mentor):
    assert said(mentee, mentor) == say.NOTHING


def explain_one(mentee, mentor, reverse=False):
    space = FeatureSpace([mentee], [mentor], reverse=reverse)
    return ex.explain_pairs(space, W, [0], [0])[0]


def test_the_concern_follows_the_criteria_concerns_and_is_no_criterion():
    result = explain_one(
        Mentee(id="a", languages=("es", "en"), cadence="weekly", seniority=2),
        Mentor(id="m", languages=("de", "en"), cadence="quarterly", seniority=5),
    )
    assert result["reasons"] == (
        ex.Reason("seniority", "The mentor is somewhat more senior"),
        ex.Reason(
            "cadence",
            "Different meeting rhythms: the mentee wants weekly, the mentor every three months",
            "concern",
        ),
        ex.Reason("language", SPANISH_GERMAN, "concern"),
    )
    assert set(result["criteria"]) == set(W)  # not scored: no criterion, no weight


def test_it_is_said_beyond_the_three_costliest_concerns():
    result = explain_one(
        Mentee(id="a", languages=("es", "en"), cadence="weekly", format="virtual", seniority=5),
        Mentor(
            id="m", languages=("de", "en"), cadence="quarterly", format="in_person", seniority=5
        ),
    )
    concerns = [r.criterion for r in result["reasons"] if r.kind == say.CONCERN]
    assert len(concerns) == ex.TOP_CONCERNS + 1 and concerns[-1] == "language"


def test_it_replaces_nothing_stands_out_when_it_is_all_there_is_to_say():
    result = explain_one(Mentee(id="a", languages=("es", "en")), Mentor(id="m", languages=("en",)))
    assert result["reasons"] == (
        ex.Reason(
            "language", "They share English, but the mentee's first language is Spanish", "concern"
        ),
    )
    same = explain_one(Mentee(id="a", languages=("en", "es")), Mentor(id="m", languages=("en",)))
    assert same["reasons"] == (ex.Reason("overall", ex.NOTHING_STANDS_OUT, "note"),)


def test_reverse_mentoring_reads_the_same_roles():
    result = explain_one(
        Mentee(id="a", languages=("es", "en"), seniority=8),
        Mentor(id="m", languages=("de", "en"), seniority=3),
        reverse=True,
    )
    assert ex.Reason("language", SPANISH_GERMAN, "concern") in result["reasons"]


def test_the_score_does_not_move():
    def score(mentee_languages):
        result = match_participants(
            [Mentee(id="a", languages=mentee_languages, goals="learn SQL")],
            [Mentor(id="m", languages=("de", "en"), expertise="SQL tuning")],
        )
        return result.pairs[0]["score"]

    assert score(("es", "en")) == score(("de", "en"))


def test_pairs_csv_marks_it_as_a_concern(tmp_path):
    (tmp_path / "mentees.csv").write_text("id,goals,languages\na,learn SQL,es;en\n")
    (tmp_path / "mentors.csv").write_text("id,expertise,capacity,languages\nm,SQL tuning,1,de;en\n")
    out = tmp_path / "pairs.csv"
    args = ["--mentees", str(tmp_path / "mentees.csv"), "--mentors", str(tmp_path / "mentors.csv")]
    assert main([*args, "--no-progress", "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["reasons"].split("; ")[-1] == f"concern: {SPANISH_GERMAN}"
