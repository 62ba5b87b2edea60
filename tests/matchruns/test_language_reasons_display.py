"""Issue #14 item 3: a pair whose first languages differ says so wherever pair reasons show (the
mentee's ranked list, the recommendations API, a run's review page), as a marked concern with
the criterion ``"language"``, read from each person's languages in their own order."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from tandem.matching.reader import for_reader
from tandem.matchruns import services
from tandem.matchruns.models import MatchPair
from tandem.programs.models import MatchingMode, ProgramType
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor
from tests.matchruns.test_reasons_display import reason_items

pytestmark = pytest.mark.django_db

APART = "They share English, but the mentee's first language is Spanish and the mentor's is German"
LANGUAGE_CONCERN = {"criterion": "language", "kind": "concern", "text": APART}


def shown(html: str) -> list[str]:
    return [unescape(item) for item in reason_items(html)]


def people(program, *, mentee_languages=("es", "en")):
    ana = mentee(
        program, first_name="Ana", goals="get better at SQL", languages=list(mentee_languages)
    )
    mentor(program, first_name="Dieter", expertise="SQL tuning", languages=["de", "en"])
    return ana


def test_ranked_list_and_its_api_say_it(client):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    client.force_login(people(program))
    html = client.get(reverse("program_mentors", args=[program.slug])).content.decode()
    # The mentee reads it about themselves (matching/reader.py); the API keeps the words.
    assert f"concern|! Concern: {for_reader(APART, 'mentee')}" in shown(html)
    [item] = client.get(f"/api/match-runs/{program.slug}/recommendations").json()["items"]
    assert item["reasons"][-1] == LANGUAGE_CONCERN


def test_the_same_first_language_says_nothing(client):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    client.force_login(people(program, mentee_languages=("de", "en")))
    html = client.get(reverse("program_mentors", args=[program.slug])).content.decode()
    assert "first language" not in html


@pytest.mark.parametrize("program_type", [ProgramType.CLASSIC, ProgramType.REVERSE])
def test_run_review_page_says_it_in_the_same_words(client, run_tasks, program_type):
    program = ProgramFactory(program_type=program_type)
    people(program)
    boss = admin(program)
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    [pair] = MatchPair.objects.filter(run=run)
    assert pair.reasons[-1] == LANGUAGE_CONCERN
    client.force_login(boss)
    html = client.get(reverse("match_run_detail", args=[program.slug, run.pk])).content.decode()
    assert f"concern|! Concern: {APART}" in shown(html)
