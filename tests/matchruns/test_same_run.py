"""Live review: three quick clicks on a match run's Start (objective=fair&seed=7) made three
identical runs. A start while a run of the program with the same objective, seed, parent, pins
and forbids is queued or running is refused: the page goes to that run and says so, the API
answers 409, and two starts at once (the program's row lock) make one run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.matchruns import services
from tandem.matchruns.models import MatchRun, RunStatus
from tests.matchruns.test_api import BASE, call
from tests.mentorships.test_lock_order import race, refusals, unexpected

pytestmark = pytest.mark.django_db

FAIR_7 = {"objective": "fair", "seed": 7}


def test_three_clicks_on_start_make_one_run_and_lead_to_it(client, program, program_admin, cohort):
    client.force_login(program_admin)
    url = reverse("match_run_start", args=[program.slug])
    first = client.post(url, FAIR_7)
    run = MatchRun.objects.get()
    assert run.status == RunStatus.QUEUED  # its task runs after the commit, not in this test
    for _ in range(2):
        again = client.post(url, FAIR_7, follow=True)
        assert again.redirect_chain[-1][0] == first.url
        assert f"Match run #{run.pk} with the same settings (objective fair, seed 7, " in (
            again.content.decode()
        )
    assert MatchRun.objects.count() == 1


def test_the_api_refuses_the_second_start_with_a_409(client, program, program_admin, cohort):
    client.force_login(program_admin)
    url = f"{BASE}/{program.slug}/runs"
    assert call(client, "post", url, FAIR_7).status_code == 202
    again = call(client, "post", url, FAIR_7)
    assert again.status_code == 409
    assert again.json()["detail"].startswith(f"Match run #{MatchRun.objects.get().pk} ")


def test_other_settings_or_a_finished_run_do_not_stop_a_start(program, program_admin, cohort):
    first = services.match_run_start(user=program_admin, program=program, **FAIR_7)
    services.match_run_start(user=program_admin, program=program, objective="fair", seed=8)
    services.match_run_start(user=program_admin, program=program, objective="stable", seed=7)
    with pytest.raises(services.SameRunInProgress):
        services.match_run_start(user=program_admin, program=program, **FAIR_7)
    MatchRun.objects.filter(pk=first.pk).update(status=RunStatus.DONE)
    services.match_run_start(user=program_admin, program=program, **FAIR_7)
    assert MatchRun.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_make_one_run(postgres_only, program, program_admin, cohort):
    def start():
        return services.match_run_start(user=program_admin, program=program, **FAIR_7)

    outcomes = race(start, start)
    assert unexpected(outcomes) == []
    (refused,) = refusals(outcomes)
    assert refused.status == 409
    assert MatchRun.objects.count() == 1  # it ran on commit (the tests' immediate backend)


def test_a_rerun_with_other_pins_and_forbids_is_not_the_same(program, program_admin, cohort):
    """Code review: a forbid added to the parent while its first re-run was still queued made
    the second re-run 'the same settings' and refused it."""
    parent = services.match_run_start(user=program_admin, program=program, **FAIR_7)
    MatchRun.objects.filter(pk=parent.pk).update(status=RunStatus.DONE)
    parent.refresh_from_db()
    services.match_run_rerun(user=program_admin, run=parent)
    with pytest.raises(services.SameRunInProgress):
        services.match_run_rerun(user=program_admin, run=parent)
    mentee_id, mentor_id = (int(parent.inputs[side][0]["id"]) for side in ("mentees", "mentors"))
    services.match_run_constrain(
        user=program_admin, run=parent, mentee_id=mentee_id, mentor_id=mentor_id, kind="forbid"
    )
    services.match_run_rerun(user=program_admin, run=parent)
    with pytest.raises(services.SameRunInProgress):
        services.match_run_rerun(user=program_admin, run=parent)
    assert MatchRun.objects.filter(parent=parent).count() == 2
