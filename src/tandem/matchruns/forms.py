"""Forms of the match-run pages; they only parse input, the services validate the rules."""

from __future__ import annotations

from django import forms

from tandem.core.forms import choice_field
from tandem.matching.records.languages import LANGUAGES
from tandem.matchruns.models import ConstraintKind, Objective
from tandem.matchruns.services import MAX_SEED
from tandem.people.choices import MeetingFormat


class RunStartForm(forms.Form):
    objective = forms.ChoiceField(
        choices=Objective.choices,
        initial=Objective.OPTIMAL,
        help_text="Optimal matches the most people with the best total; fair lifts the "
        "worst-off mentee; stable leaves no pair who would both rather swap.",
    )
    seed = forms.IntegerField(
        label="Repeat number",
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        initial=0,
        help_text="Leave it at 0 unless you want to repeat an earlier run: the same number "
        "and the same people always give the same pairs.",
    )

    def clean_seed(self) -> int:
        """Optional (live review F18: a required "Seed" was jargon an admin had to fill in)."""
        seed = self.cleaned_data.get("seed")
        return 0 if seed is None else seed


class ConstraintForm(forms.Form):
    mentee_id = forms.TypedChoiceField(label="Mentee", coerce=int)
    mentor_id = forms.TypedChoiceField(label="Mentor", coerce=int)
    kind = forms.ChoiceField(
        label="Decision",
        choices=ConstraintKind.choices,
        widget=forms.RadioSelect,
        initial=ConstraintKind.PIN,
    )

    def __init__(self, *args, mentees=(), mentors=(), labels=None, **kwargs):
        """``labels`` (``review.people_labels``) tell apart people who share a name."""
        super().__init__(*args, **kwargs)
        labels = labels or {}
        # No one is chosen until the admin chooses: saved untouched, the form decides nothing.
        choice_field(self, "mentee_id").choices = [("", "Choose a mentee")] + [
            (p.id, labels.get(p.id, p.name)) for p in mentees
        ]
        choice_field(self, "mentor_id").choices = [("", "Choose a mentor")] + [
            (p.id, labels.get(p.id, p.name)) for p in mentors
        ]


class RerunForm(RunStartForm):
    """A re-run, optionally without some of the run's pins and forbids (removed first)."""

    remove = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.MultipleHiddenInput
    )
    remove_all = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, constraint_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "remove").choices = [(i, i) for i in constraint_ids]


class MentorFilterForm(forms.Form):
    skill = forms.ChoiceField(required=False)
    language = forms.ChoiceField(required=False)
    timezone = forms.ChoiceField(required=False, label="Time zone")
    format = forms.ChoiceField(
        required=False,
        label="Meeting format",
        choices=[
            ("", "Any format"),
            (MeetingFormat.VIRTUAL, "Virtual"),
            (MeetingFormat.IN_PERSON, "In person"),
        ],
    )

    def __init__(self, *args, options=None, **kwargs):
        super().__init__(*args, **kwargs)
        if options is None:
            return
        choice_field(self, "skill").choices = [("", "Any skill")] + [(s, s) for s in options.skills]
        choice_field(self, "language").choices = [("", "Any language")] + [
            (code, LANGUAGES.get(code, code)) for code in options.languages
        ]
        choice_field(self, "timezone").choices = [("", "Any time zone")] + [
            (tz, tz.replace("_", " ")) for tz in options.timezones
        ]
