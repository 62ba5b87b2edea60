from datetime import time

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField, BoundWidget

from tandem.core.api_types import TIME_WITH_FRACTION
from tandem.core.forms import TimeInput
from tandem.notify.kinds import ADMIN_KINDS, KIND_GROUPS, PARTICIPANT_KINDS, Kind
from tandem.notify.selectors import Preference
from tandem.notify.services import quiet_hours_errors

EACH, DAILY = "each", "daily"


def _check_whole_seconds(value: time) -> None:
    """The API's rule (``ApiTime``): a quiet hour is kept to the second, never a fraction."""
    if value.microsecond:
        raise ValidationError(TIME_WITH_FRACTION)


def _choices(kinds: list[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Kind.choices if value in kinds]


class PreferenceForm(forms.Form):
    """Kind by channel: every kind is always on the notifications page; the ticked ones are
    emailed too, one by one or in the daily digest; quiet hours hold message emails."""

    email_kinds = forms.MultipleChoiceField(
        choices=_choices(PARTICIPANT_KINDS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Email me about",
    )
    admin_email_kinds = forms.MultipleChoiceField(
        choices=_choices(ADMIN_KINDS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="As a program admin, email me when",
    )
    daily_digest = forms.ChoiceField(
        choices=[
            (EACH, "Right away: one email for each"),
            (DAILY, "Once a day: one digest email each morning"),
        ],
        required=False,  # not sent (an older form, a script): one by one
        widget=forms.RadioSelect,
        label="How emails arrive",
    )
    quiet_from = forms.TimeField(
        required=False,
        widget=TimeInput(),
        validators=[_check_whole_seconds],
        label="Quiet from",
        help_text="In your own time zone. No message emails between these times; they wait "
        "until the quiet hours end. Leave both empty for none.",
    )
    quiet_until = forms.TimeField(
        required=False, widget=TimeInput(), validators=[_check_whole_seconds], label="Quiet until"
    )

    @classmethod
    def initial_for(cls, current: Preference) -> dict:
        return {
            "email_kinds": [kind for kind in current.email_kinds if kind in PARTICIPANT_KINDS],
            "admin_email_kinds": [kind for kind in current.email_kinds if kind in ADMIN_KINDS],
            "daily_digest": DAILY if current.daily_digest else EACH,
            "quiet_from": current.quiet_from,
            "quiet_until": current.quiet_until,
        }

    def kind_fields(self) -> list[BoundField]:
        """The two fields of email checkboxes, whose errors the page shows below its tables."""
        return [self["email_kinds"], self["admin_email_kinds"]]

    def groups(self) -> list[tuple[str, list[BoundWidget]]]:
        """The email checkboxes by group (``KIND_GROUPS``), for the page's tables."""
        boxes = {box.data["value"]: box for field in self.kind_fields() for box in field}
        return [(title, [boxes[kind] for kind in kinds]) for title, kinds in KIND_GROUPS]

    def clean(self) -> dict:
        data = super().clean() or {}
        unreadable = self.has_error("quiet_from") or self.has_error("quiet_until")
        if not unreadable:
            errors = quiet_hours_errors(data.get("quiet_from"), data.get("quiet_until"))
            for field, message in errors.items():
                self.add_error(field, message)
        return data

    def preference(self) -> dict:
        """What ``preference_update`` takes: one list of every kind ticked."""
        data = self.cleaned_data
        return {
            "email_kinds": [*data["email_kinds"], *data["admin_email_kinds"]],
            "daily_digest": data["daily_digest"] == DAILY,
            "quiet_hours": (data["quiet_from"], data["quiet_until"]),
        }
