"""A meeting's notes saved untouched change nothing: not the note's ``updated_at``, not the
meeting's (a plain save moved them on every untouched save)."""

import pytest
from django.urls import reverse

from tandem.mentorships import services
from tandem.mentorships.models import PrivateNote
from tandem.mentorships.views.meetings import (
    NOTES_UNCHANGED,
    PRIVATE_NOTE_SAVED,
    SHARED_NOTES_SAVED,
)
from tests.mentorships.factories import meeting, mentorship
from tests.untouched import nothing_changes, row_of, submit_untouched

pytestmark = pytest.mark.django_db


@pytest.fixture
def noted(client):
    """A meeting with shared notes and the mentee's private note, the mentee logged in."""
    m = mentorship()
    mt = meeting(m)
    services.meeting_notes_update(user=m.mentor, meeting_id=mt.pk, shared_notes="Agenda\nDone")
    services.private_note_save(user=m.mentee, meeting_id=mt.pk, body="Ask about\nthe talk")
    client.force_login(m.mentee)
    return mt


def test_private_note_saved_untouched_changes_nothing(client, noted):
    note = PrivateNote.objects.get(meeting=noted)
    page = reverse("meeting_detail", args=[noted.pk])
    with nothing_changes(note, noted):
        response = submit_untouched(client, page, reverse("meeting_private_note", args=[noted.pk]))
    assert response.status_code == 200
    assert NOTES_UNCHANGED in response.content.decode()
    assert PRIVATE_NOTE_SAVED not in response.content.decode()


def test_shared_notes_saved_untouched_change_nothing(client, noted):
    page = reverse("meeting_detail", args=[noted.pk])
    with nothing_changes(noted):
        response = submit_untouched(client, page, reverse("meeting_notes", args=[noted.pk]))
    assert response.status_code == 200
    assert NOTES_UNCHANGED in response.content.decode()
    assert SHARED_NOTES_SAVED not in response.content.decode()


def test_changed_shared_notes_say_saved(client, noted):
    url = reverse("meeting_notes", args=[noted.pk])
    response = client.post(url, {"shared_notes": "Agenda\nDone\nNext: slides"}, follow=True)
    assert SHARED_NOTES_SAVED in response.content.decode()


def test_an_empty_private_note_where_none_is_kept_changes_nothing(client, noted):
    PrivateNote.objects.filter(meeting=noted).delete()
    url = reverse("meeting_private_note", args=[noted.pk])
    response = client.post(url, {"body": " \r\n "}, follow=True)
    assert not PrivateNote.objects.exists()
    assert NOTES_UNCHANGED in response.content.decode()


def test_a_changed_private_note_is_saved_and_stamped(noted):
    note = PrivateNote.objects.get(meeting=noted)
    before = row_of(note)
    _, changed = services.private_note_save(
        user=note.author, meeting_id=noted.pk, body="Ask about the talk"
    )
    after = row_of(note)
    assert changed
    assert after["body"] == "Ask about the talk"
    assert after["updated_at"] > before["updated_at"]
