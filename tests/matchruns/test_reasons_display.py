"""The reasons on the mentee's ranked list and the admin's run page (issue 10, item 9): concerns
marked in words and by shape (not colour alone), the fit with its label and what it means, the
skill the mentee searched for; runs stored before reasons had a kind still read as before."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.matching.fit import fit_of
from tandem.matching.reader import for_reader
from tandem.matchruns import services
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched
from tandem.programs.models import MatchingMode, Role
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY = 0, 1
NO_HOURS = (
    "No shared hours in their weekly availability (time zones Europe/Berlin and America/New York)"  # noqa: E501
)
ELSEWHERE = (
    "The mentee prefers to meet in person, but they live in different cities (Berlin and London)"
)
SEARCHED = "Offers SQL, the skill you searched for"


def people(program):
    """A mentee and a mentor who share a skill but no hour, city or meeting rhythm."""
    ada = mentee(
        program,
        first_name="Ada",
        goals="get better at SQL query tuning",
        wanted=["SQL"],
        timezone="Europe/Berlin",
        windows=[(MONDAY, 9 * 60, 11 * 60)],
        meeting_format="in_person",
        city="Berlin",
        cadence="weekly",
        identity=["first generation"],
    )
    dana = mentor(
        program,
        first_name="Dana",
        offered=["SQL", "Python"],
        expertise="SQL query tuning and database performance",
        timezone="America/New_York",
        windows=[(TUESDAY, 9 * 60, 11 * 60)],
        meeting_format="any",
        city="London",
        cadence="monthly",
        department="Treasury",
        identity=["first generation"],
    )
    return ada, dana


def reason_items(html: str) -> list[str]:
    """Each reason as its words read, markup gone."""
    items = re.findall(r'<li class="reason reason-(\w+)">(.*?)</li>', html, flags=re.S)
    return [f"{kind}|{' '.join(re.sub(r'<[^>]+>', ' ', body).split())}" for kind, body in items]


def fit_shown(html: str, score: float) -> None:
    fit = fit_of(score)
    assert f"<strong>{fit.label}</strong> · {fit.points} out of 100" in html
    assert "<summary>What this means</summary>" in html
    assert fit.meaning in html


@pytest.fixture
def ranked(client):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    ada, dana = people(program)
    client.force_login(ada)
    url = reverse("program_mentors", args=[program.slug])
    return client, url, program, ada


def test_ranked_list_marks_concerns_in_words_and_by_shape(ranked):
    client, url, _, _ = ranked
    html = client.get(url).content.decode()
    items = reason_items(html)
    # The mentee reads each reason about themselves (matching/reader.py).
    assert f"concern|! Concern: {NO_HOURS}" in items
    assert f"concern|! Concern: {for_reader(ELSEWHERE, 'mentee')}" in items
    assert (
        "concern|! Concern: Different meeting rhythms: you want weekly, they want monthly" in items
    )
    assert "strength|✓ Strength: Offers SQL, which you want to learn" in items
    kinds = [item.split("|")[0] for item in items]
    assert kinds == sorted(kinds, key=["strength", "concern"].index)  # strengths first


def test_ranked_list_shows_the_fit_with_its_label_and_meaning(ranked):
    client, url, program, ada = ranked
    response = client.get(url)
    [card] = response.context["cards"]
    fit_shown(response.content.decode(), card["mentor"].score)


def test_the_searched_skill_is_said_only_when_the_mentee_searched_for_it(ranked):
    client, url, _, _ = ranked
    searched = reason_items(client.get(url, {"skill": "sql"}).content.decode())
    assert searched[0] == f"strength|✓ Strength: {SEARCHED}"
    # It was the only wanted skill: the skills strength would only repeat it.
    assert not any("which the mentee wants" in item for item in searched)
    assert not any(SEARCHED in item for item in reason_items(client.get(url).content.decode()))


def test_nothing_private_reaches_the_mentee(ranked):
    client, url, _, _ = ranked
    html = client.get(url).content.decode().lower()
    for private in ("first generation", "identity", "treasury", "manager"):
        assert private not in html


@pytest.fixture
def run_page(client, run_tasks):
    program = ProgramFactory()
    people(program)
    boss = admin(program)
    with run_tasks():
        run = services.match_run_start(user=boss, program=program)
    client.force_login(boss)
    return client, program, run


def test_run_page_shows_the_same_fit_and_marked_concerns(run_page):
    client, program, run = run_page
    html = client.get(reverse("match_run_detail", args=[program.slug, run.pk])).content.decode()
    [pair] = MatchPair.objects.filter(run=run)
    fit_shown(html, pair.score)
    assert f"concern|! Concern: {NO_HOURS}" in reason_items(html)
    assert "first generation" not in html.lower() and "identity the mentee" not in html


def test_rows_stored_before_reasons_had_a_kind_read_as_strengths_and_causes(run_page):
    client, program, _ = run_page
    old = MatchRun.objects.create(program=program, inputs={}, report={}, status="done")
    ada = program.enrolments.get(role=Role.MENTEE).person
    dana = program.enrolments.get(role=Role.MENTOR).person
    MatchPair.objects.create(
        run=old,
        mentee=ada,
        mentor=dana,
        score=0.5,
        reasons=[{"criterion": "skills", "text": "offers sql"}],
    )
    MatchUnmatched.objects.create(
        run=old,
        person=ada,
        side="mentee",
        reasons=[{"criterion": "language", "text": "no mentor shares a language"}],
    )
    html = client.get(reverse("match_run_detail", args=[program.slug, old.pk])).content.decode()
    items = reason_items(html)
    assert "strength|✓ Strength: offers sql" in items
    # The unmatched are grouped by what kept them out (1937e8f): the stored cause heads its group.
    group = html.split('data-testid="unmatched-group"', 1)[1].split("</li>", 1)[0]
    assert "<strong>No mentor shares a language</strong>" in group and "1 mentee" in group
    # No fit line under Why (the fit is shown where the run stored it); the summary's mean
    # and lowest fit are out of 100 since 1937e8f.
    assert "</strong> · 50 out of 100" not in html


def test_a_ranked_card_says_its_score_once(ranked):
    """The card's fit line says the score; the line above the bar said it again as
    "Match 52%" (ux review: "Match 52% · 2 free places", then "Good fit · 52 out of 100")."""
    client, url, program, ada = ranked
    response = client.get(url)
    html = response.content.decode()
    [card] = response.context["cards"]
    points = fit_of(card["mentor"].score).points
    assert html.count(f"{points} out of 100") == 1
    assert f"Match {points}%" not in html
    assert "1 free place" in html
