from django import forms

from tandem.notify.kinds import Kind


class PreferenceForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Email me about",
        help_text="Everything also appears on your notifications page.",
    )
    daily_digest = forms.BooleanField(
        required=False,
        label="Bundle emails into one daily digest",
        help_text="One email each morning instead of one per event.",
    )
