"""Single-line text of a mentorship is stored on one line whichever way it comes (live
review: a goal title, a milestone title or a meeting's place holding ``"\\r\\n"`` and U+202E was
accepted, and e-mails naming it failed). The services flatten it, so the API and the pages
store the same; what the API returns is what was kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.mentorships.models import ActionItem, AgendaItem, Goal, Meeting, Milestone
from tests.mentorships.factories import call, meeting, mentorship

pytestmark = pytest.mark.django_db

PASTED = "line1\r\nline2\r\n😀\u202e"
KEPT = "line1 line2 😀"


def test_goals_milestones_meetings_agenda_and_action_items_keep_one_line(client):
    m = mentorship()
    user = m.mentee
    goal = call(
        client, "post", f"/api/mentorships/{m.pk}/goals", user, {"title": PASTED, "measure": PASTED}
    )
    assert goal.status_code == 201, goal.content
    assert (goal.json()["title"], goal.json()["measure"]) == (KEPT, KEPT)
    goal_id = goal.json()["id"]
    progress = call(
        client,
        "post",
        f"/api/mentorships/goals/{goal_id}/progress",
        user,
        {"state": "in_progress", "percent": 10, "note": PASTED},
    )
    assert progress.status_code == 201, progress.content
    step = call(
        client, "post", f"/api/mentorships/goals/{goal_id}/milestones", user, {"title": PASTED}
    )
    assert step.status_code == 201, step.content
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    met = call(
        client,
        "post",
        f"/api/mentorships/{m.pk}/meetings",
        user,
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "format": "in_person",
            "location": PASTED,
        },
    )
    assert met.status_code == 201, met.content
    mt = meeting(m)
    agenda = call(
        client, "post", f"/api/mentorships/meetings/{mt.pk}/agenda", user, {"text": PASTED}
    )
    assert agenda.status_code == 201, agenda.content
    item = call(
        client,
        "post",
        f"/api/mentorships/{m.pk}/action-items",
        user,
        {"description": PASTED, "owner_id": m.mentor_id},
    )
    assert item.status_code == 201, item.content
    stored = Goal.objects.get(pk=goal_id)
    assert (stored.title, stored.measure, stored.updates.get().note) == (KEPT, KEPT, KEPT)
    assert Milestone.objects.get().title == KEPT
    assert Meeting.objects.get(pk=met.json()["id"]).location == KEPT
    assert AgendaItem.objects.get().text == KEPT
    assert ActionItem.objects.get().description == KEPT
