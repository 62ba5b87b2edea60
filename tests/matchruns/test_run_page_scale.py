"""A run's page and the compare page show every score on one scale, out of 100 as the fit
line under "Why" does, and the run page groups its unmatched people by what blocked them
(UX review: 0.93 in the Score column beside "93 out of 100"; one card per unmatched person
made the page 12,300 px on a phone)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched
from tandem.matchruns.review import NAMES_SHOWN
from tests.matchruns.factories import UserFactory, admin

pytestmark = pytest.mark.django_db

FULL = [{"criterion": "all_compatible_full", "text": "every compatible mentor was full"}]
CITY = [{"criterion": "city", "text": "no in-person mentor in the same city", "kind": "note"}]


def _run(program, scores):
    run = MatchRun.objects.create(program=program, inputs={}, report={}, status="done")
    mentor = UserFactory(first_name="Mo")
    for score in scores:
        MatchPair.objects.create(run=run, mentee=UserFactory(), mentor=mentor, score=score)
    return run


def test_run_page_scores_are_out_of_100(client, program):
    run = _run(program, [0.934, 0.556])
    client.force_login(admin(program))
    page = client.get(reverse("match_run_detail", args=[program.slug, run.pk])).content.decode()
    assert 'data-testid="mean-fit">75 out of 100<' in page
    assert 'data-testid="lowest-fit">56 out of 100<' in page
    assert '<td data-label="Fit (out of 100)" class="nowrap">93</td>' in page
    assert "0.93" not in page and "0.56" not in page


def test_compare_page_scores_and_changes_are_out_of_100(client, program):
    mentee, mentor_a, mentor_b = UserFactory(), UserFactory(), UserFactory()
    run_a = MatchRun.objects.create(program=program, inputs={}, report={}, status="done")
    run_b = MatchRun.objects.create(program=program, inputs={}, report={}, status="done")
    MatchPair.objects.create(run=run_a, mentee=mentee, mentor=mentor_a, score=0.714)
    MatchPair.objects.create(run=run_b, mentee=mentee, mentor=mentor_b, score=0.688)
    client.force_login(admin(program))
    url = reverse("match_run_compare", args=[program.slug])
    page = client.get(url, {"a": run_a.pk, "b": run_b.pk}).content.decode()
    assert 'data-testid="mean-fit-a">71<' in page and 'data-testid="mean-fit-b">69<' in page
    assert "(71)" in page and "(69)" in page
    # The change is the difference of the two figures shown beside it: 69 - 71.
    assert '<span class="delta-down">−2</span>' in page
    assert "0.71" not in page and "-0.03" not in page


def test_api_keeps_the_exact_score(client, program):
    run = _run(program, [0.934])
    client.force_login(admin(program))
    body = client.get(f"/api/match-runs/{program.slug}/runs/{run.pk}").json()
    assert body["summary"]["mean_score"] == pytest.approx(0.934)


def test_unmatched_are_grouped_by_reason_with_counts(client, program):
    run = _run(program, [0.8])
    full = UserFactory.create_batch(NAMES_SHOWN + 2, first_name="Fay")
    for person in full:
        MatchUnmatched.objects.create(run=run, person=person, side="mentee", reasons=FULL)
    city = UserFactory(first_name="Cyd", last_name="Town")
    MatchUnmatched.objects.create(run=run, person=city, side="mentee", reasons=CITY)
    client.force_login(admin(program))
    response = client.get(reverse("match_run_detail", args=[program.slug, run.pk]))
    groups = response.context["unmatched"]
    assert [(g.reason, len(g.person_ids), g.folded) for g in groups] == [
        ("every compatible mentor was full", NAMES_SHOWN + 2, True),
        ("no in-person mentor in the same city", 1, False),
    ]
    page = response.content.decode()
    assert page.count('data-testid="unmatched-group"') == 2
    assert f"{NAMES_SHOWN + 2} mentees</span>" in page and "1 mentee</span>" in page
    assert f"<summary>Show the {NAMES_SHOWN + 2} names</summary>" in page
    assert page.count("<details><summary>Show the") == 1  # the one-person group is not folded
    label = response.context["labels"].get(city.pk) or f"#{city.pk}"
    assert f'<p class="names">{label}</p>' in page
