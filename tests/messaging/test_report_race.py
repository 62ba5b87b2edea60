"""Reporting one message several times at once (a double click, parallel API calls) makes one
report: the first call answers 201 and the rest 200 with it, as a repeat does. On PostgreSQL
each call read "no report yet" and then all but one broke the ``report_a_message_once``
constraint, a 500 (live review)."""

import pytest
from django.test import Client

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


@pytest.mark.django_db(transaction=True)
def test_four_reports_of_one_message_at_once_make_one(postgres_only):
    m = mentorship()
    member(m.program, Role.ADMIN)
    conversation = services.conversation_for_mentorship(user=m.mentor, mentorship_id=m.pk)
    message, _ = services.message_send(
        user=m.mentor, conversation_id=conversation.pk, body="hi", client_id="a"
    )
    clients = [Client() for _ in range(4)]
    for client in clients:
        client.force_login(m.mentee)
    url = f"/api/messages/{message.pk}/report"
    outcomes = race(
        *(
            lambda client=client: client.post(
                url, {"reason": "odd"}, content_type="application/json"
            )
            for client in clients
        ),
        found=reads_reports,
    )
    assert [o for o in outcomes if not hasattr(o, "status_code")] == []
    assert sorted(o.status_code for o in outcomes) == [200, 200, 200, 201]
    report = MessageReport.objects.get()
    assert {o.json()["id"] for o in outcomes} == {report.pk}
    assert Notification.objects.filter(kind=Kind.MESSAGE_REPORTED).count() == 1
