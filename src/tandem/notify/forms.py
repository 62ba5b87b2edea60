from django import forms

from tandem.core.forms import TimeInput
from tandem.notify.kinds import ADMIN_KINDS, PARTICIPANT_KINDS, Kind
from tandem.notify.selectors import Preference
from tandem.notify.services import QUIET_HOURS_BOTH


def _choices(kinds: list[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Kind.choices if value in kinds]


class PreferenceForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        choices=_choices(PARTICIPANT_KINDS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Email me about",
        help_text="Everything also appears on your notifications page.",
    )
    admin_email_kinds = forms.MultipleChoiceField(
        choices=_choices(ADMIN_KINDS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="As a program admin, email me when",
        help_text="Only the admins of a program receive these; they never quote what a pair "
        "wrote to each other.",
    )
    daily_digest = forms.BooleanField(
        required=False,
        label="Bundle emails into one daily digest",
        help_text="One email each morning instead of one per event.",
    )

    quiet_from = forms.TimeField(
        required=False,
        widget=TimeInput(),
        label="Quiet hours from",
        help_text="In your own time zone. No message emails between these times; they wait "
        "until the quiet hours end. Leave both empty for none.",
    )
    quiet_until = forms.TimeField(required=False, widget=TimeInput(), label="Quiet hours until")

    @classmethod
    def initial_for(cls, current: Preference) -> dict:
        return {
            "email_kinds": [kind for kind in current.email_kinds if kind in PARTICIPANT_KINDS],
            "admin_email_kinds": [kind for kind in current.email_kinds if kind in ADMIN_KINDS],
            "daily_digest": current.daily_digest,
            "quiet_from": current.quiet_from,
            "quiet_until": current.quiet_until,
        }

    def clean(self) -> dict:
        data = super().clean() or {}
        if (data.get("quiet_from") is None) != (data.get("quiet_until") is None):
            self.add_error("quiet_until", QUIET_HOURS_BOTH)
        return data

    def preference(self) -> dict:
        """What ``preference_update`` takes: one list of every kind ticked."""
        data = self.cleaned_data
        return {
            "email_kinds": [*data["email_kinds"], *data["admin_email_kinds"]],
            "daily_digest": data["daily_digest"],
            "quiet_hours": (data["quiet_from"], data["quiet_until"]),
        }
