"""A run's unmatched people and its pins and forbids come a page at a time, as its pairs do
(live review: ``?page=2`` answered every row, page 1 again)."""

from __future__ import annotations

import pytest

from tandem.matchruns.api import PAGE_SIZE
from tandem.matchruns.models import MatchConstraint, MatchRun, MatchUnmatched
from tests.matchruns.factories import UserFactory, admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(program):
    return MatchRun.objects.create(program=program, inputs={}, report={}, status="done")


def _pages(client, url):
    first, second = client.get(url).json(), client.get(f"{url}?page=2").json()
    return first, second


def test_unmatched_page_2_is_the_rest(client, program, done):
    people = UserFactory.create_batch(PAGE_SIZE + 1)
    for person in people:
        MatchUnmatched.objects.create(run=done, person=person, side="mentee", reasons=[])
    client.force_login(admin(program))
    url = f"/api/match-runs/{program.slug}/runs/{done.pk}/unmatched"
    first, second = _pages(client, url)
    assert (first["count"], first["page"], first["pages"]) == (PAGE_SIZE + 1, 1, 2)
    assert len(first["items"]) == PAGE_SIZE
    assert (second["page"], [i["person"]["id"] for i in second["items"]]) == (2, [people[-1].pk])


def test_constraints_page_2_is_the_rest(client, program, done):
    mentor = UserFactory()
    mentees = UserFactory.create_batch(PAGE_SIZE + 1)
    for mentee in mentees:
        MatchConstraint.objects.create(run=done, mentee=mentee, mentor=mentor, kind="forbid")
    client.force_login(admin(program))
    url = f"/api/match-runs/{program.slug}/runs/{done.pk}/constraints"
    first, second = _pages(client, url)
    assert (first["count"], first["pages"], len(first["items"])) == (PAGE_SIZE + 1, 2, PAGE_SIZE)
    assert [i["mentee"]["id"] for i in second["items"]] == [mentees[-1].pk]


def test_page_0_is_a_422_naming_it(client, program, done):
    client.force_login(admin(program))
    url = f"/api/match-runs/{program.slug}/runs/{done.pk}/unmatched?page=0"
    response = client.get(url)
    assert response.status_code == 422
    assert "query.page" in response.json()["fields"]


def test_a_page_past_the_end_is_empty_as_ninjas_pages_are(client, program, done):
    """A client reading pages until one comes back empty stops (the last page again, as the
    web pages show a stale link, looped it forever)."""
    MatchUnmatched.objects.create(run=done, person=UserFactory(), side="mentee", reasons=[])
    client.force_login(admin(program))
    url = f"/api/match-runs/{program.slug}/runs/{done.pk}/unmatched?page=2"
    assert client.get(url).json() == {"count": 1, "page": 2, "pages": 1, "items": []}
    mentorship_list = client.get(f"/api/mentorships/programs/{program.pk}?page=2")
    assert mentorship_list.status_code in (200, 404) and not mentorship_list.json().get("items")
