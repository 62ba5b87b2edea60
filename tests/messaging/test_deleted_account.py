"""A deleted person's name leaves the message reports of their conversations (docs/people.md,
*Deleting your account*): the excerpt kept with a report names the sender as the report was
made, so their lines read "A former member" once they delete their account (a live privacy
review read the deleted mentee's name beside their messages on the admins' report page)."""

from __future__ import annotations

import pytest

from tandem.messaging import services
from tandem.messaging.models import MessageReport
from tandem.people.services.closing import account_delete
from tandem.programs.models import Role
from tests.mentorships.factories import member, mentorship
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _say(user, conversation_id: int, body: str):
    message, _ = services.message_send(
        user=user, conversation_id=conversation_id, body=body, client_id=body
    )
    return message


@pytest.mark.parametrize("who", ["reporter", "reported"])
def test_a_report_excerpt_forgets_the_deleted_sender_name(who):
    m = mentorship()
    member(m.program, Role.ADMIN)  # someone outside the pair reads reports
    m.mentor.first_name, m.mentor.last_name = "Sofia", "Silva"
    m.mentee.first_name, m.mentee.last_name = "Thandiwe", "Santos"
    for person in (m.mentor, m.mentee):
        person.set_password(PASSWORD)
        person.save()
    conversation = services.conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk).pk
    _say(m.mentee, conversation, "hello")
    rude = _say(m.mentor, conversation, "rude")
    report, _ = services.message_report(user=m.mentee, message_id=rude.pk, reason="Unkind")
    gone = m.mentee if who == "reporter" else m.mentor
    stays = m.mentor if who == "reporter" else m.mentee
    account_delete(user=gone, password=PASSWORD)
    excerpt = MessageReport.objects.get(pk=report.pk).excerpt
    senders = {item["body"]: item["sender"] for item in excerpt}
    said = "hello" if who == "reporter" else "rude"
    assert senders[said] == "A former member"
    assert senders[{"hello": "rude", "rude": "hello"}[said]] == stays.display_name
