"""A notification's title is an e-mail subject, which holds one line (live review: a program
named ``"line1\\r\\nline2\\r\\n😀\\u202e"`` made every e-mail naming it fail with
``BadHeaderError``, and each retry failed again). Titles written before single-line fields were
flattened may still hold a line break, so the subject is flattened when the e-mail is sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail

from tandem.notify import services
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tests.mentorships.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD_TITLE = "New meeting in line1\r\nline2\r\n😀\u202e"


def test_an_old_title_with_line_breaks_is_emailed_on_one_line():
    user = UserFactory()
    old = Notification.objects.create(recipient=user, kind=Kind.MEETING, title=OLD_TITLE)
    assert services.notifications_email(ids=[old.pk]) == 1
    assert [message.subject for message in mail.outbox] == ["New meeting in line1 line2 😀"]
    old.refresh_from_db()
    assert old.emailed_at is not None


def test_a_new_title_is_stored_on_one_line(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify_send(recipient=user, kind=Kind.MEETING, title=OLD_TITLE)
    assert note.title == "New meeting in line1 line2 😀"
    assert [message.subject for message in mail.outbox] == [note.title]


def test_the_digest_lists_an_old_title_on_one_line(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.preference_update(user=user, email_kinds=[Kind.MEETING], daily_digest=True)
    Notification.objects.create(recipient=user, kind=Kind.MEETING, title=OLD_TITLE)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_send(user=user, now=datetime(2030, 5, 1, 8, tzinfo=UTC)) == 1
    assert mail.outbox[0].body.splitlines()[0] == "• New meeting in line1 line2 😀"


def test_an_invitation_naming_an_old_program_name_is_sent(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from tandem.programs.imports import invitations
    from tandem.programs.models import Program, Role
    from tests.programs.factories import ProgramFactory, admin_of

    program = ProgramFactory()
    Program.objects.filter(pk=program.pk).update(name="Mentoring\r\n2027\u202e")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.participant_invitations_invite(
            user=admin_of(program),
            program_id=program.pk,
            emails="ana@example.org",
            role=Role.MENTEE,
        )
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "Mentoring 2027" in mail.outbox[0].subject and "\n" not in mail.outbox[0].subject
