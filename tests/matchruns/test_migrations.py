"""The data migration that gave stored reasons their criterion (0003)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tandem.matching import explain
from tandem.matching.result import TABLE_REASON
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched
from tests.matchruns.factories import ProgramFactory, mentee, mentor

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tandem.matchruns.migrations.0003_reasons_with_criterion")


def _stored_run():
    program = ProgramFactory()
    me, other = mentee(program), mentee(program)
    run = MatchRun.objects.create(program=program, inputs={}, report={})
    pair = MatchPair.objects.create(
        run=run,
        mentee=me,
        mentor=mentor(program),
        score=0.8,
        reasons=["shares goals in SQL", "both prefer virtual", "3 h/week overlap"],
    )
    left = MatchUnmatched.objects.create(
        run=run, person=other, side="mentee", reasons=["every compatible mentor was full"]
    )
    return pair, left


def test_stored_texts_get_their_criterion_and_go_back():
    pair, left = _stored_run()
    migration.forwards(django_apps, None)
    pair.refresh_from_db()
    left.refresh_from_db()
    assert pair.reasons == [
        {"criterion": "goals", "text": "shares goals in SQL"},
        {"criterion": "format", "text": "both prefer virtual"},
        {"criterion": "availability", "text": "3 h/week overlap"},
    ]
    assert left.reasons == [
        {"criterion": "all_compatible_full", "text": "every compatible mentor was full"}
    ]
    migration.forwards(django_apps, None)  # rows in the new shape are left alone
    pair.refresh_from_db()
    assert pair.reasons[0] == {"criterion": "goals", "text": "shares goals in SQL"}
    migration.backwards(django_apps, None)
    pair.refresh_from_db()
    left.refresh_from_db()
    assert pair.reasons == ["shares goals in SQL", "both prefer virtual", "3 h/week overlap"]
    assert left.reasons == ["every compatible mentor was full"]


def test_every_unmatched_text_of_the_core_is_known():
    for key, text in explain.UNMATCHED.items():
        assert migration.unmatched_criterion(text) == key


@pytest.mark.parametrize(
    ("criterion", "text"),
    [
        ("goals", explain.GOALS_CLOSE),
        ("goals", explain.GOALS_FAR),
        ("skills", explain.SKILLS_SHARED.format(skills="sql, python")),
        ("skills", explain.SKILLS_NONE),
        ("availability", explain.HOURS.format(hours=2.5)),
        ("availability", explain.NO_HOURS),
        ("cadence", explain.SAME_CADENCE.format(cadence="weekly")),
        ("cadence", explain.NEAR_CADENCE.format(a="weekly", b="monthly")),
        ("format", explain.FORMAT_CITY.format(city="Berlin")),
        ("format", explain.FORMAT_VIRTUAL),
        ("format", explain.FORMAT_FITS),
        ("format", explain.FORMAT_CLASH),
        ("seniority", explain.SENIOR.format(gap=2, s="s")),
        ("seniority", explain.SENIOR_REVERSE.format(gap=1, s="")),
        ("seniority", explain.NOT_SENIOR),
        ("working_style", explain.STYLE_CLOSE),
        ("working_style", explain.STYLE_FAR),
        ("identity", explain.IDENTITY_SHARED),
        ("identity", explain.IDENTITY_NOT),
        ("score_table", TABLE_REASON.text),
    ],
)
def test_every_pair_text_of_the_core_gets_its_criterion(criterion, text):
    assert migration.pair_criterion(text) == criterion
