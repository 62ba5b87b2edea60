"""Self-serve recommendations: full mentors are not offered, filters apply before ranking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.matchruns.selectors import MentorFilters, mentor_recommendations
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import ProgramFactory, mentee, mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(db):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me = mentee(
        program,
        first_name="Ada",
        goals="get better at SQL query tuning",
        wanted=["SQL"],
        seniority=2,
        languages=["en"],
    )
    dana = mentor(
        program,
        first_name="Dana",
        capacity=1,
        offered=["SQL"],
        seniority=6,
        expertise="SQL query tuning and database performance",
        languages=["en"],
        timezone="Europe/London",
        meeting_format="virtual",
    )
    full = mentor(
        program,
        first_name="Full",
        capacity=1,
        offered=["SQL"],
        seniority=6,
        expertise="SQL query tuning",
        languages=["en"],
    )
    busy = mentee(program, first_name="Busy")
    Mentorship.objects.create(
        program=program, mentor=full, mentee=busy, state=MentorshipState.ACTIVE
    )
    eli = mentor(
        program,
        first_name="Eli",
        capacity=2,
        offered=["UX design"],
        seniority=5,
        expertise="user research",
        languages=["de", "en"],
        timezone="America/New_York",
        meeting_format="in_person",
    )
    fin = mentor(program, first_name="Fin", capacity=2, offered=["SQL"], languages=["fi"])
    return {"program": program, "me": me, "dana": dana, "full": full, "eli": eli, "fin": fin}


def ids(result) -> list[int]:
    return [item.mentor_id for item in result.items]


def test_ranks_open_mentors_with_reasons_and_skips_full_and_incompatible(market):
    result = mentor_recommendations(user=market["me"], program=market["program"])
    assert ids(result) == [market["dana"].pk, market["eli"].pk]
    top = result.items[0]
    assert top.free_places == 1
    assert {
        "criterion": "skills",
        "text": "Offers SQL, which the mentee wants to learn",
        "kind": "strength",
    } in top.reasons
    assert 0 < result.items[1].score < top.score <= 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"skill": "sql"}, ["dana"]),
        ({"skill": "UX design"}, ["eli"]),
        ({"language": "de"}, ["eli"]),
        ({"timezone": "America/New_York"}, ["eli"]),
        ({"format": "in_person"}, ["eli"]),
        ({"format": "virtual"}, ["dana"]),
        ({"skill": "Cooking"}, []),
    ],
)
def test_filters_apply_before_ranking(market, filters, expected):
    result = mentor_recommendations(
        user=market["me"], program=market["program"], filters=MentorFilters(**filters)
    )
    assert ids(result) == [market[name].pk for name in expected]


def test_filter_options_list_only_open_mentors(market):
    options = mentor_recommendations(user=market["me"], program=market["program"]).options
    assert options.timezones == ["America/New_York", "Europe/London"]
    assert "fi" in options.languages  # Fin is open, just not compatible with Ada


def test_page_shows_cards_with_reasons_profile_link_and_filters(client, market):
    client.force_login(market["me"])
    url = reverse("program_mentors", args=[market["program"].slug])
    html = client.get(url).content.decode()
    assert market["dana"].display_name in html
    assert market["full"].display_name not in html
    assert "Offers SQL" in html
    assert reverse("profile_detail", args=[market["dana"].pk]) in html
    filtered = client.get(url, {"language": "de"}).content.decode()
    assert market["eli"].display_name in filtered
    assert market["dana"].display_name not in filtered
    assert "Clear filters" in filtered


def test_page_is_paginated_with_bounded_queries(client, market, django_assert_max_num_queries):
    for _ in range(20):
        mentor(market["program"], capacity=1, offered=["SQL"], languages=["en"])
    client.force_login(market["me"])
    url = reverse("program_mentors", args=[market["program"].slug])
    client.get(url)  # converts the program's mentors once (test_recommendations_pool.py)
    # 20: the page's own, plus one aggregate that says whether the converted mentors are
    # current, plus the mentee's kept goals vector (people.services.vectors), plus the
    # navigation's "ever joined a program"
    with django_assert_max_num_queries(20):
        first = client.get(url)
    with django_assert_max_num_queries(20):
        second = client.get(url, {"page": 2})
    assert first.content.count(b'class="card mentor-card"') == 12
    assert second.content.count(b'class="card mentor-card"') == 10


def test_api_returns_ranked_page(client, market):
    client.force_login(market["me"])
    data = client.get(
        f"/api/match-runs/{market['program'].slug}/recommendations", {"skill": "SQL"}
    ).json()
    assert data["count"] == 1
    (item,) = data["items"]
    assert item["mentor"] == {"id": market["dana"].pk, "name": market["dana"].display_name}
    assert item["free_places"] == 1 and item["reasons"]
    assert all(set(reason) == {"criterion", "text", "kind"} for reason in item["reasons"])
    assert item["reasons"][1] == {
        "criterion": "skills",
        "text": "Offers SQL, the skill you searched for",
        "kind": "strength",
    }


def test_cohort_programs_do_not_offer_self_serve_browsing(client):
    program = ProgramFactory(matching_mode=MatchingMode.COHORT, allow_direct_requests=False)
    me = mentee(program)
    client.force_login(me)
    assert client.get(reverse("program_mentors", args=[program.slug])).status_code == 403


def test_a_cohort_program_that_takes_direct_requests_offers_the_ranked_list(client):
    program = ProgramFactory(matching_mode=MatchingMode.COHORT, allow_direct_requests=True)
    me = mentee(program)
    client.force_login(me)
    assert client.get(reverse("program_mentors", args=[program.slug])).status_code == 200


def test_a_mentor_already_working_with_the_mentee_is_not_offered_again(market):
    Mentorship.objects.create(
        program=market["program"],
        mentor=market["eli"],
        mentee=market["me"],
        state=MentorshipState.PROPOSED,
    )
    result = mentor_recommendations(user=market["me"], program=market["program"])
    assert ids(result) == [market["dana"].pk]
