"""The meeting pages' forms: schedule, move, agenda, shared and private notes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone

from tandem.core.forms import DateField, OneLineField, TextareaField, TimeField, typed_time_zone
from tandem.mentorships.models import Meeting, MeetingFormat
from tandem.mentorships.models.meetings import NOTES_MAX_LENGTH
from tandem.mentorships.scheduling import MAX_OCCURRENCES, NoSuchLocalTime, local_moment
from tandem.mentorships.services.meeting_notes import (
    AGENDA_ITEM_LIMIT,
    NOTES_VERSION_LENGTH,
    notes_version,
)
from tandem.mentorships.services.meeting_places import LOCATION_LIMIT, VIDEO_URL_LIMIT
from tandem.mentorships.services.meetings import MAX_MINUTES, MIN_MINUTES, MIN_OCCURRENCES
from tandem.people.choices import Cadence

SEEN_UNREADABLE = (
    "Nothing was moved: this page sent back the meeting's time in a form we cannot read. "
    "Open the meeting again and move it from there."
)


class MeetingForm(forms.Form):
    date = DateField(label="Date")
    time = TimeField(label="Start time")
    duration_minutes = forms.IntegerField(
        min_value=MIN_MINUTES, max_value=MAX_MINUTES, initial=45, label="Length (minutes)"
    )
    format = forms.ChoiceField(choices=MeetingFormat.choices, label="Format")
    video_url = OneLineField(
        required=False,
        max_length=VIDEO_URL_LIMIT,
        label="Video link (optional)",
        widget=forms.URLInput(attrs={"placeholder": "https://zoom.us/j/…"}),
        help_text="Leave empty for a video call and we create a private room for you.",
    )
    location = OneLineField(required=False, max_length=LOCATION_LIMIT, label="Place (in person)")
    repeat = forms.ChoiceField(
        choices=[("", "Just once")] + list(Cadence.choices), required=False, label="Repeat"
    )
    count = forms.IntegerField(
        required=False,
        min_value=MIN_OCCURRENCES,
        max_value=MAX_OCCURRENCES,
        label="Number of meetings",
        help_text="Leave empty to repeat until the agreement ends.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time"].help_text = f"{typed_time_zone()}."

    def clean(self) -> dict[str, Any]:
        _check_typed_start(self)
        return self.cleaned_data  # what super().clean() returns

    def starts_at(self) -> datetime:
        return _typed_start(self.cleaned_data)


def _typed_start(data: dict[str, Any]) -> datetime:
    """The date and time typed, on the viewer's clocks (a time shown twice: the first)."""
    return local_moment(data["date"], data["time"], timezone.get_current_timezone())


def _check_typed_start(form: forms.Form) -> None:
    """A time the clocks skip on the typed day is an error on ``time`` saying so: attaching
    the zone would quietly make it the hour after."""
    if {"date", "time"} <= set(form.cleaned_data):
        try:
            _typed_start(form.cleaned_data)
        except NoSuchLocalTime as error:
            form.add_error("time", str(error))


class RescheduleForm(forms.Form):
    """A meeting's new start, shown in the viewer's time zone.

    The page shows the start to the second at most, so a start stored with microseconds (as
    the demo's are) comes back without them: a date and time sent back as shown keep the
    stored start, and the service sees no move.
    """

    date = DateField(label="New date")
    time = TimeField(label="New start time")
    duration_minutes = forms.IntegerField(
        min_value=MIN_MINUTES, max_value=MAX_MINUTES, label="Length (minutes)"
    )
    # Where the meeting was when the page was opened, so a move made meanwhile is not undone.
    seen_starts_at = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_minutes = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        local = timezone.localtime(meeting.starts_at)
        kwargs["initial"] = {
            "date": local.date(),
            "time": local.time(),
            "duration_minutes": meeting.duration_minutes,
            "seen_starts_at": meeting.starts_at.isoformat(),
            "seen_minutes": meeting.duration_minutes,
        }
        super().__init__(*args, **kwargs)
        self.fields["time"].help_text = f"{typed_time_zone()}."
        self.stored_starts_at = meeting.starts_at

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data  # what super().clean() returns
        data["seen"] = self._read_seen(data)
        if {"date", "time"} & set(self.changed_data):
            _check_typed_start(self)
        return data

    def _read_seen(self, data: dict[str, Any]) -> tuple[datetime, int] | None:
        """The start and length the page showed; None when it sent neither. One it sent that
        cannot be read (or only one of the two) is refused, never taken as not sent: the move
        would then undo one the partner made meanwhile."""
        starts_at, minutes = data.get("seen_starts_at", ""), data.get("seen_minutes", "")
        if not starts_at and not minutes:
            return None
        try:
            seen = datetime.fromisoformat(starts_at)
        except ValueError:
            raise forms.ValidationError(SEEN_UNREADABLE) from None
        if (
            timezone.is_naive(seen)
            or not (minutes.isascii() and minutes.isdigit())
            or not MIN_MINUTES <= int(minutes) <= MAX_MINUTES
        ):
            raise forms.ValidationError(SEEN_UNREADABLE)
        return seen, int(minutes)

    def seen(self) -> tuple[datetime, int] | None:
        """The start and length the page showed, or None when the page did not send them."""
        return self.cleaned_data["seen"]

    def starts_at(self) -> datetime:
        if not {"date", "time"} & set(self.changed_data):
            return self.stored_starts_at
        return self._typed_start()

    def _typed_start(self) -> datetime:
        return _typed_start(self.cleaned_data)

    def after_move(self, meeting: Meeting) -> QueryDict:
        """This form's data to show again after the partner moved ``meeting`` meanwhile
        (``MovedMeanwhile``): what the person changed stays, what they left as they saw it
        shows where the meeting is now (sent again untouched, it moves nothing back), and the
        form has now seen the meeting where it is."""
        data = cast(QueryDict, self.data).copy()  # a page's POST
        seen = self.seen()
        shown_now = RescheduleForm(meeting=meeting)
        kept = {
            "date": seen is not None and abs(self._typed_start() - seen[0]) < timedelta(seconds=1),
            "duration_minutes": seen is not None
            and self.cleaned_data["duration_minutes"] == seen[1],
        }
        kept["time"] = kept["date"]
        for name, as_seen in kept.items():
            if as_seen:
                field = shown_now[name]
                data[name] = str(field.field.widget.format_value(field.value()))
        data["seen_starts_at"] = meeting.starts_at.isoformat()
        data["seen_minutes"] = str(meeting.duration_minutes)
        return data


class AgendaForm(forms.Form):
    text = OneLineField(
        max_length=AGENDA_ITEM_LIMIT,
        label="Add to the agenda",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Feedback on my draft slides"}),
    )


class NotesForm(forms.Form):
    shared_notes = TextareaField(
        required=False,
        max_length=NOTES_MAX_LENGTH,
        label="Notes for both of you",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Both of you can read and edit these.",
    )
    # Which version of the notes the text was edited from (``notes_version``).
    edited_from = forms.CharField(
        required=False, max_length=NOTES_VERSION_LENGTH, widget=forms.HiddenInput
    )

    @classmethod
    def for_notes(cls, notes: str, data: Any = None) -> NotesForm:
        """The form editing ``notes`` as stored now (``data``: the text being written)."""
        if data is not None:
            data = data.copy()
            data["edited_from"] = notes_version(notes)
        return cls(data, initial={"shared_notes": notes, "edited_from": notes_version(notes)})


class PrivateNoteForm(forms.Form):
    body = TextareaField(
        required=False,
        max_length=NOTES_MAX_LENGTH,
        label="Note for yourself",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you can ever see this. Empty it and save to delete it.",
    )
