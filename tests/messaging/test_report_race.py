"""Reporting one message several times at once (a double click, parallel API calls) makes one
report: the first call answers 201 and the rest 200 with it, as a repeat does. On PostgreSQL
each call read "no report yet" and then all but one broke the ``report_a_message_once``
constraint, a 500 (live review)."""

import pytest
from django.test import Client
from django.urls import reverse

from tandem.messaging import services
from tandem.messaging.models import MessageReport
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import member, mentorship
from tests.mentorships.test_lock_order import race


def reads_reports(sql: str) -> bool:
    """Every call meets the others once it has looked for an existing report."""
    return sql.startswith("SELECT") and '"messaging_messagereport"' in sql


def _reported_message():
    m = mentorship()
    member(m.program, Role.ADMIN)
    conversation = services.conversation_for_mentorship(user=m.mentor, mentorship_id=m.pk)
    message, _ = services.message_send(
        user=m.mentor, conversation_id=conversation.pk, body="hi", client_id="a"
    )
    return m.mentee, message


def _clients(user, count):
    clients = [Client() for _ in range(count)]
    for client in clients:
        client.force_login(user)
    return clients


def _posted_at_once(clients, url, **kwargs):
    outcomes = race(
        *(
            lambda client=client: client.post(url, {"reason": "odd"}, **kwargs)
            for client in clients
        ),
        found=reads_reports,
    )
    assert [o for o in outcomes if not hasattr(o, "status_code")] == []
    assert MessageReport.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.MESSAGE_REPORTED).count() == 1
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_four_reports_of_one_message_at_once_make_one(postgres_only):
    reporter, message = _reported_message()
    url = f"/api/messages/{message.pk}/report"
    outcomes = _posted_at_once(_clients(reporter, 4), url, content_type="application/json")
    assert sorted(o.status_code for o in outcomes) == [200, 200, 200, 201]
    assert {o.json()["id"] for o in outcomes} == {MessageReport.objects.get().pk}


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_the_report_page_reports_once(postgres_only):
    reporter, message = _reported_message()
    url = reverse("message_report", args=[message.pk])
    outcomes = _posted_at_once(_clients(reporter, 3), url)
    assert [o.status_code for o in outcomes] == [302, 302, 302]
