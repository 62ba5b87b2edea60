"""A deleted account's match pairs and unmatched rows keep no reason built from the profiles
(crev F5): only the pair's fit stays, with one note saying the reasons are not kept."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tandem.matchruns import services
from tandem.matchruns.engine import FIT
from tandem.matchruns.erasure import REASONS_ERASED, REASONS_ERASED_UNMATCHED
from tandem.matchruns.models import MatchPair, MatchUnmatched
from tandem.people.services.closing import account_delete
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor
from tests.people.factories import PASSWORD, SkillFactory

pytestmark = pytest.mark.django_db


def test_the_reasons_of_a_deleted_persons_pairs_are_not_kept(client, run_tasks):
    program = ProgramFactory()
    boss = admin(program)
    skill = SkillFactory(name="Snorkelling")
    gone = mentee(program, wanted=[skill], goals="learn Snorkelling")
    stays = mentee(program, wanted=[skill], goals="learn Snorkelling")
    mentor(program, capacity=1, offered=[skill], expertise="Snorkelling")
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    pair = MatchPair.objects.get(run=run)
    unmatched = MatchUnmatched.objects.get(run=run)
    # One of the two mentees is paired, the other unmatched; delete the paired one.
    gone, stays = (gone, stays) if pair.mentee_id == gone.pk else (stays, gone)
    assert "Snorkelling" in json.dumps(pair.reasons)
    account_delete(user=gone, password=PASSWORD)
    pair.refresh_from_db()
    assert [r.get("kind") for r in pair.reasons] == [FIT, "note"]
    assert pair.reasons[-1]["text"] == REASONS_ERASED
    assert "Snorkelling" not in json.dumps(pair.reasons)
    # The unmatched row of someone else stays as it was; the deleted person's own goes too.
    before = MatchUnmatched.objects.get(pk=unmatched.pk).reasons
    assert before == unmatched.reasons
    account_delete(user=stays, password=PASSWORD)
    unmatched.refresh_from_db()
    assert unmatched.reasons == [
        {"criterion": "", "text": REASONS_ERASED_UNMATCHED, "kind": "note"}
    ]
    client.force_login(boss)
    page = client.get(reverse("match_run_detail", args=[program.slug, run.pk])).content.decode()
    assert REASONS_ERASED in page and REASONS_ERASED_UNMATCHED in page
