"""Where identity may act in matching, and that withdrawing it leaves no copy (issue 8)."""

from __future__ import annotations

import dataclasses
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from tandem.matchruns import engine, execution, services
from tandem.matchruns.adapters import cohort_with_identity, participants_for_program
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched
from tandem.matchruns.selectors import mentor_recommendations
from tandem.people import services as people_services
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor

pytestmark = pytest.mark.django_db
SECRET = "Zorblaxian"


def _twins(program, **mentee_identity):
    """A mentee and two mentors alike in everything but identity (one shares the secret)."""
    me = mentee(program, goals="design systems", **mentee_identity)
    alike = {"expertise": "design systems", "offered": ["Figma"], "seniority": 6}
    shares = mentor(program, first_name="Sharer", identity=[SECRET], **alike)
    other = mentor(program, first_name="Other", identity=["Something else"], **alike)
    return me, shares, other


def _seen(me, program):
    found = mentor_recommendations(user=me, program=program).items
    return sorted(
        (r.name, r.score, tuple((x["criterion"], x["text"]) for x in r.reasons)) for r in found
    )


def test_toggling_my_preference_does_not_reveal_mentor_identity():
    """Issue 8, item 3: a mentee toggled their preference and compared scores."""
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me, _, _ = _twins(program, identity=[SECRET], prefer_shared=False)
    without = _seen(me, program)
    people_services.identity_set(user=me, attributes=[SECRET], prefer_shared=True, consent=True)
    with_preference = _seen(me, program)
    assert with_preference == without
    # The twins look the same to the mentee: same score, same reasons.
    assert without[0][1:] == without[1][1:]


def test_recommendation_score_equals_the_run_score_without_identity(run_tasks):
    """The score a run shows for a pair is the one recommendations show: no identity term."""
    program = ProgramFactory()
    boss = admin(program)
    me, shares, _ = _twins(program, identity=[SECRET], prefer_shared=True)
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    pair = MatchPair.objects.get(run=run)
    assert pair.mentor_id == shares.pk  # the opt-in did steer the choice ...
    program.matching_mode = MatchingMode.SELF_SERVE
    program.save()
    scores = {r.mentor_id: r.score for r in mentor_recommendations(user=me, program=program).items}
    assert pair.score == scores[shares.pk]  # ... but is in no score
    assert len(set(scores.values())) == 1


def _stored(run: MatchRun) -> str:
    rows = [run.inputs, run.report, run.error]
    rows += [p.reasons for p in MatchPair.objects.filter(run=run)]
    rows += [u.reasons for u in MatchUnmatched.objects.filter(run=run)]
    return json.dumps(rows)


def test_withdrawing_identity_leaves_no_copy_in_runs(run_tasks):
    """Issue 8, item 5: withdrawn identity stayed in saved match-run inputs."""
    program = ProgramFactory()
    boss = admin(program)
    me, _, _ = _twins(program, identity=[SECRET], prefer_shared=True)
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    people_services.identity_withdraw(user=me)
    run.refresh_from_db()
    assert SECRET not in _stored(run)
    assert '"prefer_shared_identity"' not in _stored(run)


def test_a_withdrawal_before_the_run_is_solved_is_honoured(monkeypatch, run_tasks):
    program = ProgramFactory()
    boss = admin(program)
    me, _, _ = _twins(program, identity=[SECRET], prefer_shared=True)
    run = services.match_run_start(user=boss, program=program)  # queued, not solved yet
    people_services.identity_withdraw(user=me)
    seen = []
    solve = engine.solve
    monkeypatch.setattr(
        engine, "solve", lambda cohort, **kw: seen.append(cohort) or solve(cohort, **kw)
    )
    execution.match_run_execute(run_id=run.pk)
    assert [m.identity for m in seen[0].mentees] == [()]
    assert sorted(m.identity for m in seen[0].mentors) == [("Something else",), (SECRET,)]


def test_identity_page_says_what_is_true(client):
    program = ProgramFactory()
    me = mentee(program, identity=[SECRET], prefer_shared=True)
    client.force_login(me)
    page = client.get(reverse("identity_edit")).content.decode()
    assert "never used for self-serve recommendations" in page
    assert "Match runs keep no copy" in page
    assert "Match runs show no figure per group" in page


def test_migration_removes_copies_saved_before_the_fix():
    forget = importlib.import_module(
        "tandem.matchruns.migrations.0002_forget_identity_copies"
    ).forget
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me, shares, _ = _twins(program, identity=[SECRET], prefer_shared=True)
    cohort = cohort_with_identity(participants_for_program(program=program))
    old_inputs = {  # as runs stored it before: identity in every record
        "mentees": [dataclasses.asdict(m) for m in cohort.mentees],
        "mentors": [dataclasses.asdict(m) for m in cohort.mentors],
        "weights": cohort.weights,
        "reverse": False,
    }
    assert old_inputs["mentees"][0]["identity"] == (SECRET,)
    old_groups = [
        {"label": "big", "size": 13, "matched": 8, "rate": 0.615385},
        {"label": "seven", "size": 7, "matched": 7, "rate": 1.0},
    ]
    run = MatchRun.objects.create(
        program=program,
        inputs=json.loads(json.dumps(old_inputs)),
        report={"groups": old_groups, "suppressed_groups": 2, "upper_bound": 3.2, "mean_score": 1},
    )
    pair = MatchPair.objects.create(
        run=run,
        mentee=me,
        mentor=shares,
        score=0.99,
        reasons=["shares an identity the mentee asked for"],
    )
    forget(django_apps, None)
    run.refresh_from_db()
    pair.refresh_from_db()
    assert SECRET not in _stored(run) and "prefer_shared_identity" not in _stored(run)
    [shown] = [
        r
        for r in mentor_recommendations(user=me, program=program).items
        if r.mentor_id == shares.pk
    ]
    # The same reasons, with their kinds; the fit row leads only what runs store today.
    assert (pair.score, pair.reasons) == (shown.score, shown.reasons[1:])
    assert run.report == {
        "groups": [{"label": "big", "size": 15, "rate": 0.6}],
        "total_score": shown.score,
        "mean_score": shown.score,
        "min_score": shown.score,
    }
