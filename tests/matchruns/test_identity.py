"""Identity acts nowhere in Tandem's matching (rpriv F2: any effect on a run's pairs was an
oracle for the admin who runs it), and withdrawing it leaves no copy (issue 8)."""

from __future__ import annotations

import dataclasses
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from tandem.matching.profiles import Mentee, Mentor
from tandem.matchruns import engine, services
from tandem.matchruns.adapters import Cohort, participants_for_program
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched
from tandem.matchruns.selectors import mentor_recommendations
from tandem.people import services as people_services
from tandem.people.models import Identity
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


def test_my_identity_does_not_reveal_mentor_identity():
    """Issue 8, item 3: a mentee toggled their preference and compared scores (the preference
    is gone now; their own record changes nothing either)."""
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me, _, _ = _twins(program)
    without = _seen(me, program)
    people_services.identity_set(user=me, attributes=[SECRET], consent=True)
    with_mine = _seen(me, program)
    assert with_mine == without
    # The twins look the same to the mentee: same score, same reasons.
    assert without[0][1:] == without[1][1:]


def _run_view(run: MatchRun) -> tuple:
    """Everything a run's admin reads of its result: pairs (with score and reasons), the
    unmatched (with reasons) and the report."""
    pairs = sorted(
        (p.mentee_id, p.mentor_id, p.score, json.dumps(p.reasons))
        for p in MatchPair.objects.filter(run=run)
    )
    unmatched = sorted(
        (u.person_id, u.side, json.dumps(u.reasons)) for u in MatchUnmatched.objects.filter(run=run)
    )
    report = {k: v for k, v in run.report.items() if k not in VOLATILE_REPORT}
    return pairs, unmatched, report


# Figures of the report that are timings, not results.
VOLATILE_REPORT = ("seconds", "phase_seconds", "phase_cpu_seconds")


def _solved(boss, program, run_tasks) -> tuple:
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return _run_view(run)


def _hold(user, attributes) -> None:
    """``user``'s identity record: ``attributes``, or none."""
    Identity.objects.filter(user=user).delete()
    if attributes is not None:
        Identity.objects.create(user=user, attributes=list(attributes), consented_at=timezone.now())


@pytest.mark.parametrize("whose", ["mentee", "mentor"])
def test_a_run_is_the_same_whatever_one_persons_identity(run_tasks, whose):
    """Live review (rpriv F2): two mentors alike in everything, the identity item swapped
    between two draft runs, and the mentee who asked for a shared background followed the item:
    the admin read it (and a mentor's, with a sock mentee that asked). Two runs whose inputs
    differ only in one person's identity record give the same pairs, scores, reasons,
    unmatched and report (the preference, gone from the database, is in the engine's test)."""
    program = ProgramFactory()
    boss = admin(program)
    me, *twins = _twins(program)
    mentee(program, goals="public speaking")  # a second mentee: both twins (one place each) fill
    Identity.objects.all().delete()
    pairs, _, _ = _solved(boss, program, run_tasks)
    [chosen] = [mentor_id for mentee_id, mentor_id, _, _ in pairs if mentee_id == me.pk]
    [other] = [twin for twin in twins if twin.pk != chosen]  # where identity would pull
    if whose == "mentee":  # the mentee's record changes; the other twin holds the item
        _hold(other, [SECRET])
        changed = me
    else:  # the other twin's record changes; the mentee holds the item
        _hold(me, [SECRET])
        changed = other
    _hold(changed, None)
    without = _solved(boss, program, run_tasks)
    _hold(changed, [SECRET])
    with_it = _solved(boss, program, run_tasks)
    assert with_it == without
    assert len(without[0]) == 2


def test_a_stored_identity_weight_pulls_no_one_to_a_decoy(run_tasks):
    """Live review (rpriv F2): with the program's identity weight at 10, the mentee who asked
    for a shared background was paired with a far worse mentor holding a guessed item, so one
    draft run confirmed it. Programs cannot set that weight any more; one stored before is
    ignored."""
    program = ProgramFactory()
    program.weights = {**program.weights, "identity": 10}
    program.save()
    boss = admin(program)
    me = mentee(program, goals="design systems", identity=[SECRET])
    good = mentor(program, expertise="design systems", offered=["Figma"], seniority=6)
    mentor(program, expertise="tax law", seniority=1, cadence="monthly", identity=[SECRET])
    pairs, _, _ = _solved(boss, program, run_tasks)
    assert [(mentee_id, mentor_id) for mentee_id, mentor_id, _, _ in pairs] == [(me.pk, good.pk)]


def _solve(cohort: Cohort) -> engine.Outcome:
    return engine.solve(cohort, objective="optimal", seed=0, pinned=[], forbidden=[])


@pytest.mark.parametrize("prefer_shared", [False, True])
@pytest.mark.parametrize("whose", ["mentee", "mentor"])
def test_the_engine_ignores_identity_in_the_records(whose, prefer_shared):
    """Even records that carry identity and the preference (as ``tandem match`` reads them
    from a file, and as Tandem's runs did before) give a Tandem run the same outcome as
    records that differ only in one person's identity, with a stored identity weight too."""
    alike = {"expertise": "design systems", "capacity": 1}
    mentors = [Mentor(id="m1", **alike), Mentor(id="m2", **alike)]
    mentees = [Mentee(id="a", goals="design systems"), Mentee(id="b", goals="public speaking")]
    first = _solve(Cohort(mentees, mentors, weights={}, reverse=False, conflict_rules=()))
    [other] = [k for k, m in enumerate(mentors) if m.id != first.pairs[0].mentor_id]
    assert first.pairs[0].mentee_id == "a"
    told = {"identity": (SECRET,), "prefer_shared_identity": prefer_shared}
    if whose == "mentee":  # the mentor identity would pull to holds the item; "a" changes
        mentors[other] = dataclasses.replace(mentors[other], identity=(SECRET,))
        changed = [dataclasses.replace(mentees[0], **told), mentees[1]], mentors
    else:  # "a" holds the item and asks for it; that mentor's record changes
        mentees[0] = dataclasses.replace(
            mentees[0], identity=(SECRET,), prefer_shared_identity=True
        )
        changed_mentors = list(mentors)
        changed_mentors[other] = dataclasses.replace(mentors[other], **told)
        changed = mentees, changed_mentors
    for weights in ({}, {"identity": 10.0}):
        plain = Cohort(mentees, mentors, weights=weights, reverse=False, conflict_rules=())
        told_cohort = dataclasses.replace(plain, mentees=changed[0], mentors=changed[1])
        assert _solve(told_cohort) == _solve(plain) == first


def _stored(run: MatchRun) -> str:
    rows = [run.inputs, run.report, run.error]
    rows += [p.reasons for p in MatchPair.objects.filter(run=run)]
    rows += [u.reasons for u in MatchUnmatched.objects.filter(run=run)]
    return json.dumps(rows)


def test_withdrawing_identity_leaves_no_copy_in_runs(run_tasks):
    """Issue 8, item 5: withdrawn identity stayed in saved match-run inputs."""
    program = ProgramFactory()
    boss = admin(program)
    me, _, _ = _twins(program, identity=[SECRET])
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    people_services.identity_withdraw(user=me)
    run.refresh_from_db()
    assert SECRET not in _stored(run)
    assert '"prefer_shared_identity"' not in _stored(run)


def test_a_run_never_reads_identity(monkeypatch, run_tasks):
    program = ProgramFactory()
    boss = admin(program)
    _twins(program, identity=[SECRET])
    seen = []
    solve = engine.solve
    monkeypatch.setattr(
        engine, "solve", lambda cohort, **kw: seen.append(cohort) or solve(cohort, **kw)
    )
    with run_tasks():
        services.match_run_start(user=boss, program=program)
    records = [*seen[0].mentees, *seen[0].mentors]
    assert len(records) == 3
    assert all(r.identity == () and not r.prefer_shared_identity for r in records)


def test_identity_page_says_what_is_true(client):
    program = ProgramFactory()
    me = mentee(program, identity=[SECRET])
    client.force_login(me)
    page = client.get(reverse("identity_edit")).content.decode()
    assert "Not used in matching" in page
    assert "can re-run it as often as they like" in page
    assert "Match runs keep no copy" in page
    assert "Match runs show no figure per group" in page
    assert "prefer_shared" not in page and "prefer people who share" not in page


def test_migration_removes_copies_saved_before_the_fix():
    forget = importlib.import_module(
        "tandem.matchruns.migrations.0002_forget_identity_copies"
    ).forget
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me, shares, _ = _twins(program, identity=[SECRET])
    cohort = participants_for_program(program=program)
    live = {str(me.pk): {"identity": (SECRET,), "prefer_shared_identity": True}}
    old_inputs = {  # as runs stored it before: identity in every record
        "mentees": [dataclasses.asdict(m) | live.get(m.id, {}) for m in cohort.mentees],
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
