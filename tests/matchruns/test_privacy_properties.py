"""Property tests of privacy (issue 8): for random people and identities, nothing another
person can see changes when someone's identity changes.

Each example writes everyone's identity twice (two random assignments) and compares every
output the viewer can read: recommendations (ids, order, scores, reasons, free places), the
mentor list page, the recommendations API, other people's profile pages and profile API. For
cohort runs, the admin's whole view of the result (pairs, scores, reasons, unmatched) is
compared, and the report holds no group rows.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tandem.matchruns import services
from tandem.matchruns.models import MatchPair, MatchUnmatched
from tandem.matchruns.selectors import mentor_recommendations
from tandem.people.models import Identity
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor

pytestmark = pytest.mark.django_db
LABELS = ("Zorblaxian", "Quenyan", "Tlönian")
# Each example writes rows and renders pages: shrinking a failure would take minutes, so the
# failing example is reported as drawn.
PROPERTY = settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A record per person: None (no identity) or its attributes.
IDENTITIES = st.none() | st.lists(st.sampled_from(LABELS), min_size=1, max_size=2, unique=True)
# Per-request tokens, not content.
VOLATILE = re.compile(
    r'(csrfmiddlewaretoken" value=|name="csrf-token" content=|"X-CSRFToken": |nonce=)"[^"]*"'
)


def _set_identities(people, drawn) -> None:
    Identity.objects.filter(user__in=people).delete()
    Identity.objects.bulk_create(
        Identity(user=person, attributes=record, consented_at=timezone.now())
        for person, record in zip(people, drawn, strict=True)
        if record is not None
    )


def _profiles(n: int, program, make):
    topics = ["design systems", "SQL tuning", "team leadership", "public speaking"]
    return [
        make(
            program,
            expertise=topics[k % 4],
            goals=topics[(k + 1) % 4],
            offered=["Figma"] if k % 2 else ["SQL"],
            wanted=["SQL"],
            seniority=3 + k,
            cadence=("weekly", "biweekly")[k % 2],
            **({"capacity": 1 + k % 2} if make is mentor else {}),
        )
        for k in range(n)
    ]


@pytest.fixture
def self_serve():
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    viewer = mentee(program, goals="design systems and SQL tuning", wanted=["SQL"])
    mentors = _profiles(5, program, mentor)
    others = [viewer, mentee(program, goals="public speaking"), *mentors]
    client = Client()
    client.force_login(viewer)
    return program, viewer, mentors, others, client


def _visible_to(viewer, program, mentors, client) -> dict:
    """Everything ``viewer`` can read that could depend on the mentors' data."""
    slug = program.slug
    pages = [reverse("program_mentors", args=[slug]), f"/api/match-runs/{slug}/recommendations"]
    for person in mentors[:2]:
        pages += [reverse("profile_detail", args=[person.pk]), f"/api/people/{person.pk}"]
    seen = {"recommendations": mentor_recommendations(user=viewer, program=program).items}
    for url in pages:
        response = client.get(url)
        seen[url] = (response.status_code, VOLATILE.sub("", response.content.decode()))
    return seen


@PROPERTY
@given(data=st.data())
def test_nothing_a_mentee_sees_depends_on_anyones_identity(self_serve, data):
    program, viewer, mentors, everyone, client = self_serve
    first = [data.draw(IDENTITIES) for _ in everyone]
    second = [data.draw(IDENTITIES) for _ in everyone]
    _set_identities(everyone, first)
    before = _visible_to(viewer, program, mentors, client)
    _set_identities(everyone, second)
    after = _visible_to(viewer, program, mentors, client)
    assert before == after
    assert len(before["recommendations"]) == len(mentors)


@pytest.fixture
def cohort(django_capture_on_commit_callbacks):
    program = ProgramFactory()
    mentees = _profiles(4, program, mentee)
    mentors = _profiles(4, program, mentor)
    boss = admin(program)

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            done = services.match_run_start(user=boss, program=program)
        done.refresh_from_db()
        return done

    return program, mentees + mentors, run


def _admin_view(run) -> tuple:
    pairs = {
        p.mentee_id: (p.mentor_id, p.score, json.dumps(p.reasons))
        for p in MatchPair.objects.filter(run=run)
    }
    unmatched = sorted(
        (u.person_id, u.side, json.dumps(u.reasons)) for u in MatchUnmatched.objects.filter(run=run)
    )
    return pairs, unmatched


@PROPERTY
@given(data=st.data())
def test_no_admin_visible_run_output_shows_identity(cohort, data):
    """The pairs (with score and reasons) and the unmatched (with reasons) are the same whatever
    anyone's identity (rpriv F2: any steering was an oracle for the run's admin), and the report
    holds no figure per group."""
    program, everyone, run = cohort
    views = []
    for _ in range(2):
        _set_identities(everyone, [data.draw(IDENTITIES) for _ in everyone])
        done = run()
        views.append(_admin_view(done))
        assert "matched" in done.report
        for key in ("upper_bound", "gap", "blocking_pairs", "suppressed_groups", "groups"):
            assert key not in done.report
        assert not any(label in str(done.inputs) for label in LABELS)
    first, second = views
    assert first == second
