"""Two people change one meeting: the later save must not silently undo the earlier change.

The reschedule page sends back where the meeting was when it was opened, and the notes form
which version of the shared notes its text was edited from; if the partner changed either
since, nothing is saved and the page shows what is there now (a page saved untouched after the
partner's change used to write the old state back and, for a move, email the partner)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.mentorships import services
from tandem.mentorships.forms.meetings import SEEN_UNREADABLE
from tandem.mentorships.models import Meeting
from tandem.mentorships.services.meeting_notes import notes_version
from tests.mentorships.factories import meeting, mentorship
from tests.untouched import form_data, nothing_changes, untouched_data

pytestmark = pytest.mark.django_db


def move(found: Meeting, user, hours: float, **kwargs) -> tuple[Meeting, bool]:
    starts_at = (found.starts_at + timedelta(hours=hours)).replace(microsecond=0)
    return services.meeting_reschedule(
        user=user,
        meeting_id=found.pk,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=found.duration_minutes),
        **kwargs,
    )


def test_a_move_from_a_stale_view_is_refused_and_changes_nothing():
    m = mentorship()
    found = meeting(m, in_hours=72)
    seen = (found.starts_at, found.duration_minutes)
    moved, _ = move(found, m.mentee, 24)
    with nothing_changes(moved), pytest.raises(services.MovedMeanwhile) as refused:
        move(found, m.mentor, 48, seen=seen)
    assert refused.value.status == 409
    assert "was moved to" in refused.value.fields["starts_at"]


def test_a_move_from_a_current_view_or_without_one_goes_through():
    m = mentorship()
    found = meeting(m, in_hours=72)
    moved, was_moved = move(found, m.mentor, 24, seen=(found.starts_at, found.duration_minutes))
    assert was_moved
    again, was_moved = move(moved, m.mentee, 24)  # the API sends no view
    assert was_moved and again.starts_at == moved.starts_at + timedelta(hours=24)


@pytest.mark.parametrize("touched", [False, True])
def test_the_page_opened_before_the_partner_moved_the_meeting_does_not_undo_it(client, touched):
    m = mentorship()
    found = meeting(m, in_hours=72)
    client.force_login(m.mentor)
    url = reverse("meeting_reschedule", args=[found.pk])
    data = untouched_data(client, url, url)
    if touched:
        data["duration_minutes"] = ["30"]
    partners, _ = move(found, m.mentee, 24)
    with nothing_changes(partners):
        page = client.post(url, data)
    assert page.status_code == 409  # as the API answers
    assert "was moved to" in page.content.decode()
    # The page shown again has the partner's time in the boxes the person had left as they
    # saw them, and keeps what they changed: sent again, it moves nothing back (a code review
    # found the old time still in the boxes, so a second click undid the partner's move).
    again = form_data(url, page.content.decode(), url)
    if touched:
        assert client.post(url, again).status_code == 302
    else:
        with nothing_changes(partners):
            assert client.post(url, again, follow=True).status_code == 200
    partners.refresh_from_db()
    assert partners.starts_at == moved_to(found)
    assert partners.duration_minutes == (30 if touched else found.duration_minutes)


@pytest.mark.parametrize(
    "damaged",
    [
        {"seen_starts_at": ["yesterday"]},
        {"seen_starts_at": ["2026-12-01T10:00:00"]},  # no offset: whose ten o'clock?
        {"seen_starts_at": [""]},  # the length without the start
        {"seen_minutes": ["forty-five"]},
        {"seen_minutes": ["45.0"]},
        {"seen_minutes": ["100000"]},
        {"seen_minutes": [""]},  # the start without the length
    ],
)
def test_a_page_that_sends_back_an_unreadable_view_moves_nothing(client, damaged):
    """Read as "not sent", a damaged view moved the meeting even if the partner had moved it
    meanwhile, or (a bad length) showed the page again with no error in sight."""
    m = mentorship()
    found = meeting(m, in_hours=72)
    client.force_login(m.mentor)
    url = reverse("meeting_reschedule", args=[found.pk])
    data = untouched_data(client, url, url)
    data["duration_minutes"] = ["30"]
    data.update(damaged)
    with nothing_changes(found):
        page = client.post(url, data)
    assert page.status_code == 200  # shown again, as with any other mistake on the page
    assert page.context["form"].non_field_errors() == [SEEN_UNREADABLE]
    assert escape(SEEN_UNREADABLE) in page.content.decode()


def moved_to(found: Meeting):
    """Where ``move(found, ..., 24)`` put it."""
    return (found.starts_at + timedelta(hours=24)).replace(microsecond=0)


def write_notes(found: Meeting, user, text: str, **kwargs) -> tuple[Meeting, bool]:
    return services.meeting_notes_update(
        user=user, meeting_id=found.pk, shared_notes=text, **kwargs
    )


def test_notes_saved_from_a_version_the_partner_replaced_are_refused():
    m = mentorship()
    found = meeting(m, in_hours=-2)
    edited_from = notes_version(found.shared_notes)
    partners, _ = write_notes(found, m.mentee, "Agreed: draft the plan by Friday.")
    with nothing_changes(partners), pytest.raises(services.NotesChangedMeanwhile) as refused:
        write_notes(found, m.mentor, "My summary.", edited_from=edited_from)
    assert refused.value.status == 409
    # The same text as now, or from the version now saved, goes through.
    _, changed = write_notes(
        found, m.mentor, "Agreed: draft the plan by Friday.", edited_from=edited_from
    )
    assert not changed
    now = notes_version(partners.shared_notes)
    saved, changed = write_notes(found, m.mentor, "Both texts.", edited_from=now)
    assert changed and saved.shared_notes == "Both texts."


def test_the_notes_page_shows_both_texts_and_saving_again_keeps_the_writers_choice(client):
    m = mentorship()
    found = meeting(m, in_hours=-2)
    client.force_login(m.mentor)
    page_url = reverse("meeting_detail", args=[found.pk])
    action = reverse("meeting_notes", args=[found.pk])
    data = untouched_data(client, page_url, action)
    data["shared_notes"] = ["Mentor's summary of the meeting."]
    partners, _ = write_notes(found, m.mentee, "Mentee's notes.")
    with nothing_changes(partners):
        page = client.post(action, data)
    html = page.content.decode()
    assert page.status_code == 409  # as the API answers
    assert "Mentee&#x27;s notes." in html and "Mentor&#x27;s summary of the meeting." in html
    assert "were changed while you were editing" in html
    again = form_data(page_url, html, action)
    assert client.post(action, again).status_code == 302
    partners.refresh_from_db()
    assert partners.shared_notes == "Mentor's summary of the meeting."


def test_the_notes_form_saved_untouched_after_the_partners_save_keeps_theirs(client):
    """Untouched, it sends the text it showed, which is no longer the notes: refused, not
    written back over the partner's."""
    m = mentorship()
    found = meeting(m, in_hours=-2)
    write_notes(found, m.mentor, "First version.")
    client.force_login(m.mentor)
    page_url = reverse("meeting_detail", args=[found.pk])
    action = reverse("meeting_notes", args=[found.pk])
    data = untouched_data(client, page_url, action)
    partners, _ = write_notes(found, m.mentee, "Second version.")
    with nothing_changes(partners):
        assert client.post(action, data).status_code == 409


def test_the_api_refuses_notes_edited_from_a_replaced_version_with_409(client):
    m = mentorship()
    found = meeting(m, in_hours=-2)
    client.force_login(m.mentor)
    url = f"/api/mentorships/meetings/{found.pk}"
    read = client.get(url).json()
    partners, _ = write_notes(found, m.mentee, "Mentee's notes.")
    body = {"shared_notes": "Mine.", "edited_from": read["notes_version"]}
    with nothing_changes(partners):
        refused = client.put(f"{url}/notes", body, content_type="application/json")
    assert refused.status_code == 409
    assert "shared_notes" in refused.json()["fields"]
    body["edited_from"] = client.get(url).json()["notes_version"]
    saved = client.put(f"{url}/notes", body, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["shared_notes"] == "Mine."
