"""A pair whose mentorship ended early is not matched again in that program: the ranked list
leaves the other person out (either way round) and a cohort run forbids the pair, unless the
admin pins it on purpose."""

from __future__ import annotations

import pytest

from tandem.matchruns import services
from tandem.matchruns.models import ConstraintKind, MatchConstraint, MatchPair
from tandem.matchruns.selectors import mentor_recommendations
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor

pytestmark = pytest.mark.django_db
ALIKE = {"expertise": "design systems", "offered": ["Figma"], "seniority": 6}
# A worse fit than the previous mentor: without the rule, the previous one would win.
LESS_ALIKE = {"expertise": "gardening and compost", "offered": ["Soil"], "seniority": 6}


def ended_early(program, *, mentor_user, mentee_user):
    return Mentorship.objects.create(
        program=program, mentor=mentor_user, mentee=mentee_user, state=MentorshipState.ENDED_EARLY
    )


def test_the_ranked_list_leaves_out_a_mentor_who_ended_early_with_me():
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me = mentee(program, goals="design systems")
    previous = mentor(program, first_name="Previous", **ALIKE)
    fresh = mentor(program, first_name="Fresh", **ALIKE)
    ended_early(program, mentor_user=previous, mentee_user=me)
    shown = {item.mentor_id for item in mentor_recommendations(user=me, program=program).items}
    assert shown == {fresh.pk}
    # Another mentee still sees the previous mentor.
    other = mentee(program, goals="design systems")
    assert previous.pk in {
        item.mentor_id for item in mentor_recommendations(user=other, program=program).items
    }


def test_a_cohort_run_does_not_pair_them_again_unless_pinned(run_tasks):
    program = ProgramFactory()
    boss = admin(program)
    me = mentee(program, goals="design systems")
    previous = mentor(program, first_name="Previous", capacity=1, **ALIKE)
    fresh = mentor(program, first_name="Fresh", capacity=1, **LESS_ALIKE)
    ended_early(program, mentor_user=previous, mentee_user=me)
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    assert MatchPair.objects.get(run=run, mentee_id=me.pk).mentor_id == fresh.pk
    # The admin may still decide otherwise, deliberately.
    MatchConstraint.objects.create(
        run=run, kind=ConstraintKind.PIN, mentee_id=me.pk, mentor_id=previous.pk
    )
    with run_tasks():
        rerun = services.match_run_rerun(user=boss, run=run)
    assert MatchPair.objects.get(run=rerun, mentee_id=me.pk).mentor_id == previous.pk
