"""Reporting a message again makes nothing new, and the API says so as a retried send does:
200 with the report already made (a live review got 201 twice with the same id)."""

import pytest

from tandem.messaging import services
from tandem.messaging.models import MessageReport
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import member, mentorship

pytestmark = pytest.mark.django_db


def test_the_second_report_answers_200_with_the_first(client):
    m = mentorship()
    member(m.program, Role.ADMIN)
    message, _ = services.message_send(
        user=m.mentor,
        conversation_id=services.conversation_for_mentorship(user=m.mentor, mentorship_id=m.pk).pk,
        body="hi",
        client_id="a",
    )
    client.force_login(m.mentee)
    url = f"/api/messages/{message.pk}/report"
    first = client.post(url, {"reason": "odd"}, content_type="application/json")
    told = Notification.objects.count()
    again = client.post(url, {"reason": "odder"}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert MessageReport.objects.get().reason == "odd"
    assert Notification.objects.count() == told
