"""The match runs' data migrations: identity copies (0002), reasons with their criterion
(0003) and queued tasks' new path (0004)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils.module_loading import import_string
from django_tasks.base import Task

from tandem.matching import explain
from tandem.matching.result import TABLE_REASON
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched
from tests.matchruns.factories import ProgramFactory, mentee, mentor
from tests.programs.test_migrations import queued

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tandem.matchruns.migrations.0003_reasons_with_criterion")
forget = importlib.import_module("tandem.matchruns.migrations.0002_forget_identity_copies").forget
move_tasks = importlib.import_module("tandem.matchruns.migrations.0004_move_queued_match_run_tasks")


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


# Causes whose words the core wrote after 0003 (runs have stored them with their criterion ever
# since, so no plain text of theirs reaches the migration): the floor's words were
# not_selected's then, and not_selected has new words.
WORDED_SINCE = {"group_floor", "not_selected"}


def test_every_unmatched_text_of_the_core_is_known():
    for key, text in explain.UNMATCHED.items():
        if key not in WORDED_SINCE:
            assert migration.unmatched_criterion(text) == key
    assert migration.unmatched_criterion(explain.UNMATCHED["group_floor"]) == "not_selected"


# The core's pair texts when runs stored plain texts (before 0003); today's words differ, and
# runs store them with their criterion, so only these ever reach the migration.
@pytest.mark.parametrize(
    ("criterion", "text"),
    [
        ("goals", "goals close to the mentor's expertise"),
        ("goals", "goals and expertise differ"),
        ("skills", "offers sql, python"),
        ("skills", "offers none of the wanted skills"),
        ("availability", "2.5 h/week overlap"),
        ("availability", "no overlapping hours"),
        ("cadence", "both prefer weekly"),
        ("cadence", "close cadences (weekly and monthly)"),
        ("format", "both can meet in person in Berlin"),
        ("format", "both prefer virtual"),
        ("format", "meeting format fits"),
        ("format", "one wants virtual, the other in person"),
        ("seniority", "mentor is 2 levels more senior"),
        ("seniority", "mentee is 1 level more senior (reverse mentoring)"),
        ("seniority", "seniority is the wrong way round"),
        ("working_style", "similar working style"),
        ("working_style", "different working styles"),
        ("identity", "shares an identity the mentee asked for"),
        ("identity", "does not share an identity the mentee asked for"),
        ("score_table", TABLE_REASON.text),
    ],
)
def test_every_pair_text_of_the_core_gets_its_criterion(criterion, text):
    assert migration.pair_criterion(text) == criterion


@pytest.mark.parametrize(
    "rejected",
    [{"seniority": 7.5}, {"languages": ["Klingon"]}],
    ids=["seniority 7.5", "unknown language"],
)
def test_a_run_whose_inputs_todays_rules_reject_still_loses_its_identity(rejected):
    program = ProgramFactory()
    me, them = mentee(program), mentor(program)
    person = {"identity": ["secret"], "prefer_shared_identity": True}
    run = MatchRun.objects.create(
        program=program,
        inputs={
            "mentees": [{"id": str(me.pk), **person, **rejected}],
            "mentors": [{"id": str(them.pk), **person, "capacity": 1}],
            "weights": {},
        },
        report={"groups": [{"label": "big", "size": 13, "matched": 8}], "upper_bound": 3.2},
    )
    pair = MatchPair.objects.create(
        run=run,
        mentee=me,
        mentor=them,
        score=0.9,
        reasons=["shares an identity the mentee asked for", "both prefer virtual"],
    )
    forget(django_apps, None)
    run.refresh_from_db()
    pair.refresh_from_db()
    assert run.inputs["mentees"] == [{"id": str(me.pk), **rejected}]
    assert run.inputs["mentors"] == [{"id": str(them.pk), "capacity": 1}]
    assert run.report == {"groups": [{"label": "big", "size": 15, "rate": 0.6}]}
    assert (pair.score, pair.reasons) == (0.9, ["both prefer virtual"])


def test_a_match_run_queued_before_the_move_runs_after_it_and_goes_back():
    [(old, new)] = move_tasks.MOVED.items()
    row = queued(old)
    move_tasks.forwards(django_apps, None)
    row.refresh_from_db()
    assert row.task_path == new
    assert isinstance(import_string(row.task_path), Task)
    move_tasks.backwards(django_apps, None)
    row.refresh_from_db()
    assert row.task_path == old
