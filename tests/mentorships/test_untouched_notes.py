"""A meeting's notes saved untouched change nothing: not the note's ``updated_at``, not the
meeting's (a plain save moved them on every untouched save)."""

import pytest
from django.urls import reverse

from tandem.mentorships import services
from tandem.mentorships.models import PrivateNote
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


def test_shared_notes_saved_untouched_change_nothing(client, noted):
    page = reverse("meeting_detail", args=[noted.pk])
    with nothing_changes(noted):
        response = submit_untouched(client, page, reverse("meeting_notes", args=[noted.pk]))
    assert response.status_code == 200


def test_a_changed_private_note_is_saved_and_stamped(noted):
    note = PrivateNote.objects.get(meeting=noted)
    before = row_of(note)
    services.private_note_save(user=note.author, meeting_id=noted.pk, body="Ask about the talk")
    after = row_of(note)
    assert after["body"] == "Ask about the talk"
    assert after["updated_at"] > before["updated_at"]
