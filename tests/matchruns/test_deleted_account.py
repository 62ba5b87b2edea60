"""A deleted account in match runs (docs/people.md, *Deleting your account*): the run pages
name them "A former member" and no run's stored inputs keep their profile."""

from __future__ import annotations

import json

import pytest

from tandem.matchruns import services
from tandem.matchruns.models import MatchRun
from tandem.matchruns.review import people_labels
from tandem.people.models import FORMER_MEMBER
from tandem.people.services.closing import account_delete
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor, run_pages
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db
SECRETS = ("Zebediah", "Quuxford", "Snorkelling", "Dept of Zither")


def test_run_pages_and_inputs_forget_a_deleted_person(client, run_tasks):
    program = ProgramFactory()
    boss = admin(program)
    for k in range(2):
        mentee(program, goals=f"learn topic {k}")
    gone = mentor(
        program,
        capacity=2,
        first_name="Zebediah",
        expertise="topic Snorkelling",
        city="Quuxford",
        department="Dept of Zither",
    )
    mentor(program, capacity=2, expertise="topic")
    with run_tasks():
        first = services.match_run_start(user=boss, program=program)
    with run_tasks():
        second = services.match_run_start(user=boss, program=program, objective="fair")
    first.refresh_from_db()
    pairs_before = sorted(first.pairs.values_list("mentee_id", "mentor_id"))
    assert "Quuxford" in json.dumps(first.inputs)

    account_delete(user=gone, password=PASSWORD)

    for run in MatchRun.objects.filter(pk__in=(first.pk, second.pk)):
        stored = json.dumps(run.inputs)
        for secret in SECRETS:
            assert secret not in stored
        (record,) = [r for r in run.inputs["mentors"] if r["id"] == str(gone.pk)]
        assert record["name"] == FORMER_MEMBER
        assert record["capacity"] == 2
    assert sorted(first.pairs.values_list("mentee_id", "mentor_id")) == pairs_before
    client.force_login(boss)
    for url in run_pages(program.slug, first, second):
        page = client.get(url)
        assert page.status_code == 200, url
        for secret in SECRETS:
            assert secret not in page.content.decode(), url
    detail = client.get(run_pages(program.slug, first, second)[1]).content.decode()
    assert f'<option value="{gone.pk}">{FORMER_MEMBER}</option>' in detail


def test_labels_read_the_live_name_even_of_an_unerased_snapshot(client, run_tasks):
    program = ProgramFactory()
    boss = admin(program)
    mentee(program, goals="learn topic")
    gone = mentor(program, capacity=1, first_name="Zebediah", expertise="topic")
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    # As if deleted before the eraser existed: the snapshot still has the name.
    gone.first_name = gone.last_name = ""
    gone.email = f"deleted-{gone.pk}@deleted.invalid"
    gone.is_active = False
    gone.save()
    run.refresh_from_db()
    assert people_labels(run)[gone.pk] == FORMER_MEMBER


def test_publishing_names_the_pair_of_a_deleted_person(run_tasks):
    """Live review F8: two deleted people both read "A former member" and no pair was named."""
    from tandem.core.exceptions import ApplicationError

    program = ProgramFactory()
    boss = admin(program)
    stays = mentee(program, first_name="Ifeoma", goals="learn topic")
    gone = mentor(program, capacity=1, first_name="Zebediah", expertise="topic")
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    assert run.pairs.filter(mentee=stays, mentor=gone).exists()
    account_delete(user=gone, password=PASSWORD)
    with pytest.raises(ApplicationError) as caught:
        services.match_run_publish(user=boss, run=run)
    stays_name = stays.display_name
    assert (
        f"{FORMER_MEMBER} (paired with {stays_name}) is no longer an active mentor"
        in (caught.value.fields["pairs"])
    )
