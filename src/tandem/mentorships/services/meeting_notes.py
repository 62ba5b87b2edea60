"""A meeting's agenda, its shared notes (both sides edit them) and each side's private note."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.core.locking import lockable, refuse_repeat
from tandem.core.saving import model_update
from tandem.core.text import clean_text, one_line
from tandem.mentorships.models import AgendaItem, Meeting, MeetingStatus, PrivateNote
from tandem.mentorships.models.meetings import NOTES_MAX_LENGTH
from tandem.mentorships.selectors import access_meeting
from tandem.mentorships.services.lifecycle import check_open
from tandem.people.models import User

TEXT_REQUIRED = "Write something first."
TEXT_TOO_LONG = "Use at most {limit} characters."
AGENDA_ITEM_LIMIT = 300
NOTES_VERSION_LENGTH = 16  # hex digits of a ``notes_version``
AGENDA_REPEATED = "This is already on the agenda: it was added once."
AGENDA_OF_CANCELLED = (
    "This meeting is cancelled, so nothing more goes on its agenda: schedule a new meeting "
    "and add it there."
)
NOTES_CHANGED_MEANWHILE = (
    "These notes were changed while you were editing them: the notes as saved now are shown "
    "above, and your text is in the box. Combine what you want to keep, then save again."
)


def _text(value: str, limit: int, field: str, required: bool = True) -> str:
    value = clean_text(value)
    if required and not value:
        raise ApplicationError(TEXT_REQUIRED, fields={field: TEXT_REQUIRED})
    if len(value) > limit:
        message = TEXT_TOO_LONG.format(limit=limit)
        raise ApplicationError(message, fields={field: message})
    return value


def check_agenda_open(meeting: Meeting) -> None:
    """Raises unless items may still be added to the meeting's agenda: its mentorship is open
    and the meeting is not cancelled, as it will not be held (one marked as not taken place
    keeps its agenda, docs/mentorships.md)."""
    check_open(meeting.mentorship)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(AGENDA_OF_CANCELLED, status=409)


def agenda_item_add(*, user: User, meeting_id: int, text: str) -> AgendaItem:
    text = _text(one_line(text), AGENDA_ITEM_LIMIT, "text")  # an agenda item is one line
    with transaction.atomic():
        # The meeting's lock: a double submit waits for the first and finds its item.
        meeting = access_meeting(user=user, meeting_id=meeting_id, for_update=True)
        check_agenda_open(meeting)
        refuse_repeat(
            meeting.agenda_items.filter(text=text),
            message=AGENDA_REPEATED,
            url=reverse("meeting_detail", args=[meeting.pk]) + "#agenda",
        )
        item = AgendaItem.objects.create(meeting=meeting, author=user, text=text)
    return item


class NotesChangedMeanwhile(ApplicationError):
    """The shared notes are no longer what the person started editing from."""

    def __init__(self, meeting: Meeting):
        super().__init__(
            NOTES_CHANGED_MEANWHILE, fields={"shared_notes": NOTES_CHANGED_MEANWHILE}, status=409
        )
        self.meeting = meeting


def notes_version(text: str) -> str:
    """A short fingerprint of shared notes, which the notes form sends back to say which
    version its text was edited from."""
    return hashlib.sha256(text.encode()).hexdigest()[:NOTES_VERSION_LENGTH]


def meeting_notes_update(
    *, user: User, meeting_id: int, shared_notes: str, edited_from: str | None = None
) -> tuple[Meeting, bool]:
    """Set the meeting's shared notes; returns it and whether they changed. ``edited_from``
    is the :func:`notes_version` the text was edited from: if the notes changed since (the
    partner saved theirs), nothing is saved and :class:`NotesChangedMeanwhile` says so, so
    neither side's writing silently replaces the other's."""
    shared_notes = _text(shared_notes, NOTES_MAX_LENGTH, "shared_notes", required=False)
    with transaction.atomic():
        meeting = access_meeting(user=user, meeting_id=meeting_id, for_update=True)
        check_open(meeting.mentorship)
        stale = edited_from and edited_from != notes_version(meeting.shared_notes)
        if stale and shared_notes != meeting.shared_notes:
            raise NotesChangedMeanwhile(meeting)
        changed = model_update(meeting, {"shared_notes": shared_notes})
    return meeting, bool(changed)


def private_note_save(*, user: User, meeting_id: int, body: str) -> tuple[PrivateNote | None, bool]:
    """The caller's note on the meeting, and whether this call changed it; an empty body keeps
    no note (an existing one is deleted) and returns None."""
    body = _text(body, NOTES_MAX_LENGTH, "body", required=False)
    with transaction.atomic():
        meeting = access_meeting(user=user, meeting_id=meeting_id)
        if not body:
            deleted, _ = PrivateNote.objects.filter(meeting=meeting, author=user).delete()
            return None, deleted > 0
        note, created = lockable(PrivateNote.objects.all(), for_update=True).get_or_create(
            meeting=meeting, author=user, defaults={"body": body}
        )
        changed = created or bool(model_update(note, {"body": body}))
    return note, changed
