"""The forms of the import's confirm step and of inviting people by email; they only parse
input (the services validate and decide)."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import DateTimeField, DateTimeInput, TextareaField, typed_time_zone
from tandem.programs.imports.invitations import MAX_ADDRESSES, NO_ADDRESSES
from tandem.programs.models import PARTICIPANT_ROLE_CHOICES, Role

SEND_AT_NEEDED = "Choose the date and time to send the invitations, or choose “Send now”."


class ImportConfirmForm(forms.Form):
    skip_problem_rows = forms.BooleanField(required=False, widget=forms.HiddenInput)
    send_invitations = forms.BooleanField(
        required=False,
        initial=True,
        label="Send invitation emails now",
        help_text="Untick to hold them: they wait on the email invitations page until you "
        "send them.",
    )


class InviteByEmailForm(forms.Form):
    emails = TextareaField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        max_length=MAX_ADDRESSES * 260,
        help_text=f"One per line (commas work too); at most {MAX_ADDRESSES}.",
        error_messages={"required": NO_ADDRESSES},
    )
    role = forms.ChoiceField(choices=PARTICIPANT_ROLE_CHOICES, initial=Role.MENTEE)
    when = forms.ChoiceField(
        label="Send",
        choices=[("now", "Now"), ("at", "At a date and time")],
        initial="now",
        widget=forms.RadioSelect,
    )
    send_at = DateTimeField(
        required=False,
        label="Date and time",
        widget=DateTimeInput(attrs={"class": "input-datetime"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Names the zone the typed time is read in, as the meeting forms do (UX review: "In
        your time zone" left whoever never set one on their profile, still UTC, guessing)."""
        super().__init__(*args, **kwargs)
        within_a_minute = f"{typed_time_zone()}; the email goes within a minute of it."
        self.fields["send_at"].help_text = within_a_minute

    def clean(self):
        data = super().clean() or {}
        # A time given but refused (out of range, not a date) already says so on the field.
        if data.get("when") == "at" and not data.get("send_at") and "send_at" not in self.errors:
            self.add_error("send_at", SEND_AT_NEEDED)
        if data.get("when") != "at":
            data["send_at"] = None
        return data
