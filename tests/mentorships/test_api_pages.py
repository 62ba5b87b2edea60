"""A mentorship's lists come a page at a time, in the envelope of its other lists (live
review: meetings, goals, agenda, action items and agreement versions answered every row)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.mentorships.models import AgendaItem, Goal
from tests.mentorships.factories import action_item, meeting, mentorship

pytestmark = pytest.mark.django_db
SIZE = 25


def _second_page(client, url):
    body = client.get(f"{url}?page=2").json()
    return body["count"], body["items"]


def test_meetings_page_2_is_the_rest_with_each_meetings_links(client):
    m = mentorship()
    found = [meeting(m, in_hours=24 + hour) for hour in range(SIZE + 1)]
    client.force_login(m.mentee)
    count, items = _second_page(client, f"/api/mentorships/{m.pk}/meetings")
    assert (count, [i["id"] for i in items]) == (SIZE + 1, [found[-1].pk])
    assert items[0]["ics_url"] == reverse("meeting_ics", args=[found[-1].pk])
    assert items[0]["notes_version"]


def test_goals_action_items_and_agenda_page_2_is_the_rest(client):
    m = mentorship()
    talk = meeting(m)
    goals = [Goal.objects.create(mentorship=m, title=f"Goal {n}") for n in range(SIZE + 1)]
    items = [action_item(m, description=f"Item {n}") for n in range(SIZE + 1)]
    agenda = [
        AgendaItem.objects.create(meeting=talk, author=m.mentee, text=f"Point {n}")
        for n in range(SIZE + 1)
    ]
    client.force_login(m.mentor)
    for url, rows in (
        (f"/api/mentorships/{m.pk}/goals", goals),
        (f"/api/mentorships/{m.pk}/action-items", items),
        (f"/api/mentorships/meetings/{talk.pk}/agenda", agenda),
    ):
        count, page = _second_page(client, url)
        assert (count, [i["id"] for i in page]) == (SIZE + 1, [rows[-1].pk]), url


def test_agreement_versions_are_paged_and_say_which_is_in_effect(client):
    m = mentorship()
    client.force_login(m.mentee)
    body = client.get(f"/api/mentorships/{m.pk}/agreement/versions").json()
    assert body["count"] == 1
    assert [(v["number"], v["in_effect"]) for v in body["items"]] == [(1, True)]
