from django import forms

from tandem.notify.kinds import ADMIN_KINDS, PARTICIPANT_KINDS, Kind


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

    @classmethod
    def initial_for(cls, *, email_kinds: list[str], daily_digest: bool) -> dict:
        return {
            "email_kinds": [kind for kind in email_kinds if kind in PARTICIPANT_KINDS],
            "admin_email_kinds": [kind for kind in email_kinds if kind in ADMIN_KINDS],
            "daily_digest": daily_digest,
        }

    def preference(self) -> dict:
        """What ``preference_update`` takes: one list of every kind ticked."""
        data = self.cleaned_data
        return {
            "email_kinds": [*data["email_kinds"], *data["admin_email_kinds"]],
            "daily_digest": data["daily_digest"],
        }
