"""What an admin's health action sends the pair names nothing of the admins' health state,
which is worked out from both sides' check-in answers (admins may read it; each of the pair
reads a state without the other's answers). "Send a check-in" tells both the same words
whatever the state: here twin pairs whose mentees answered 5 and 1. The admin's note is the
admin's own words, written under the full state and its first reason: the page asks not to
quote them. What remains (docs/health.md): an admin acts on the full state, so being asked at
all may tell the pair that the admins saw a concern."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tandem.feedback.models import HealthState, MentorshipHealth
from tandem.feedback.services.health import health_refresh
from tandem.feedback.services.health_actions import health_checkin_send
from tandem.feedback.views.health import NOTE_HELP
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.feedback.health_product.builders import started
from tests.feedback.health_product.test_answer_privacy import pair_rated
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins():
    now = timezone.now()
    program = started(now).program
    fine, low = pair_rated(program, now, 5), pair_rated(program, now, 1)
    health_refresh(mentorships=[fine, low], now=now)
    return {"fine": fine, "low": low, "admin": member(program, Role.ADMIN)}


def test_send_a_checkin_tells_the_pair_the_same_words_whatever_the_state(twins):
    states = {key: MentorshipHealth.objects.get(pk=twins[key].pk).state for key in ("fine", "low")}
    assert states["fine"] != states["low"]  # the premise: the admins' states differ
    told = {}
    for key in ("fine", "low"):
        m = twins[key]
        health_checkin_send(user=twins["admin"], mentorship_id=m.pk)
        told[key] = [
            Notification.objects.filter(recipient=person)
            .values_list("title", "body", "url")
            .latest("pk")
            for person in (m.mentor, m.mentee)
        ]
    assert told["fine"] == told["low"]
    words = " ".join(" ".join(text) for text in told["low"]).lower()
    for label in [*HealthState.labels, "health", "concern", "risk"]:
        assert label.lower() not in words


def test_the_note_page_asks_the_admin_not_to_quote_the_state(client, twins):
    client.force_login(twins["admin"])
    page = client.get(f"/feedback/mentorships/{twins['low'].pk}/health/note/")
    assert page.status_code == 200
    assert page.context["form"]["note"].help_text == NOTE_HELP
    assert "Do not quote the status" in page.content.decode()
