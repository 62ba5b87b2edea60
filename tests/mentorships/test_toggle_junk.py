"""A check box's hidden ``done`` other than ``true`` or ``false`` is a 400 that changes nothing
(live crawl: ``done=maybe`` flipped the item, where the API answers 422)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.mentorships import services
from tandem.mentorships.models import ActionItemStatus
from tests.mentorships.factories import action_item, mentorship

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("junk", ["maybe", "", "True", "1"])
def test_a_toggle_with_an_unknown_done_is_refused_and_changes_nothing(client, junk):
    m = mentorship()
    item = action_item(m)
    goal = services.goal_create(user=m.mentor, mentorship_id=m.pk, title="Ship it")
    step = services.milestone_add(user=m.mentor, goal_id=goal.pk, title="Step")
    client.force_login(m.mentor)
    for name, pk in (("action_item_toggle", item.pk), ("milestone_toggle", step.pk)):
        assert client.post(reverse(name, args=[pk]), {"done": junk}).status_code == 400
    item.refresh_from_db()
    step.refresh_from_db()
    assert item.status == ActionItemStatus.OPEN and step.done_at is None
