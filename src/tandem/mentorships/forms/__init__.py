"""Forms for the pages; the rules live in services, these only parse and guide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from tandem.core.forms import DateField, IntegerField, OneLineField, TextareaField, choice_field
from tandem.core.templatetags.readable_dates import when
from tandem.mentorships.models import (
    PROBLEM_TEXT_LIMIT,
    ActionItemStatus,
    AgreementVersion,
    GoalState,
    MeetingFormat,
    MeetingStatus,
)
from tandem.mentorships.models.mentorships import PAIR_END_CATEGORIES, EndCategory
from tandem.mentorships.services import work
from tandem.mentorships.services.agreement_content import (
    EXAMPLES,
    EXPECTATION_LABELS,
    MAX_MEETING_MINUTES,
    MAX_OBJECTIVES,
    MIN_MEETING_MINUTES,
    OBJECTIVE_GOAL_LIMIT,
    OBJECTIVE_MEASURE_LIMIT,
    TEXT_FIELDS,
)
from tandem.mentorships.services.ending import END_REASON_LIMIT
from tandem.mentorships.services.lifecycle import REFLECTION_LIMIT
from tandem.mentorships.services.requests import DECLINE_REASON_LIMIT, MESSAGE_LIMIT
from tandem.people.choices import Cadence

OBJECTIVE_ROWS = 5


class RequestForm(forms.Form):
    """The message to one chosen person: program and recipient come from the ranked list
    (hidden here), so the form offers only them and refuses anyone else."""

    program = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    recipient = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    message = TextareaField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_LIMIT,
        label="Your message",
        help_text="A few sentences: what you want to work on, and why this person. "
        "e.g. “I'm moving into product management and would value your view on "
        "prioritisation and stakeholder conversations.”",
    )

    def __init__(self, *args, program=None, recipient=None, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "program").choices = [(program.pk, program.name)] if program else []
        choice_field(self, "recipient").choices = (
            [(recipient.pk, recipient.display_name)] if recipient else []
        )
        self.initial.setdefault("program", program.pk if program else None)
        self.initial.setdefault("recipient", recipient.pk if recipient else None)


class DeclineForm(forms.Form):
    reason = TextareaField(
        required=False,
        max_length=DECLINE_REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="A kind note (optional)",
        help_text="They will see this. e.g. “I'm fully booked until spring — please ask "
        "again then.”",
    )


class AgreementForm(forms.Form):
    mentor_expectations = TextareaField(
        required=False,
        max_length=TEXT_FIELDS["mentor_expectations"],
        widget=forms.Textarea(attrs={"rows": 3}),
        label=EXPECTATION_LABELS["mentor_expectations"],
        help_text=EXAMPLES["mentor_expectations"],
    )
    mentee_expectations = TextareaField(
        required=False,
        max_length=TEXT_FIELDS["mentee_expectations"],
        widget=forms.Textarea(attrs={"rows": 3}),
        label=EXPECTATION_LABELS["mentee_expectations"],
        help_text=EXAMPLES["mentee_expectations"],
    )
    cadence = forms.ChoiceField(choices=Cadence.choices, label="How often you meet")
    meeting_format = forms.ChoiceField(choices=MeetingFormat.choices, label="Usual format")
    meeting_minutes = forms.IntegerField(
        min_value=MIN_MEETING_MINUTES,
        max_value=MAX_MEETING_MINUTES,
        label="Typical length (minutes)",
        help_text="Most pairs meet for 30-60 minutes.",
    )
    focus_areas = OneLineField(
        required=False,
        max_length=TEXT_FIELDS["focus_areas"],
        label="Focus areas",
        help_text=EXAMPLES["focus_areas"],
    )
    desired_outcomes = TextareaField(
        required=False,
        max_length=TEXT_FIELDS["desired_outcomes"],
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Desired outcomes",
        help_text=EXAMPLES["desired_outcomes"],
    )
    starts_on = DateField(label="Start date")
    ends_on = DateField(label="End date")
    confidentiality = TextareaField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_FIELDS["confidentiality"],
        label="Confidentiality",
    )
    no_fault_exit = TextareaField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_FIELDS["no_fault_exit"],
        label="No-fault exit",
        help_text="Either of you can end it, without blame.",
    )
    # The number of the version the form was filled from (0: none yet), so that a proposal
    # made from an older one is refused instead of replacing a newer one unseen.
    based_on = IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, objectives: int = 0, **kwargs):
        """``objectives``: how many the version shown has; every one gets a row (a version
        made through the API may have more than the usual rows), so none is lost on save."""
        super().__init__(*args, **kwargs)
        self.rows = min(max(OBJECTIVE_ROWS, objectives), MAX_OBJECTIVES)
        for n in range(1, self.rows + 1):
            self.fields[f"objective_{n}_goal"] = OneLineField(
                required=False,
                max_length=OBJECTIVE_GOAL_LIMIT,
                label=f"Goal {n}",
                widget=forms.TextInput(attrs={"placeholder": EXAMPLES["goal"]}),
            )
            self.fields[f"objective_{n}_measure"] = OneLineField(
                required=False,
                max_length=OBJECTIVE_MEASURE_LIMIT,
                label="Measurable outcome",
                widget=forms.TextInput(attrs={"placeholder": EXAMPLES["measure"]}),
            )
            self.fields[f"objective_{n}_target_date"] = DateField(
                required=False,
                label="Target date (optional)",
            )

    def objective_rows(self):
        return [
            (
                self[f"objective_{n}_goal"],
                self[f"objective_{n}_measure"],
                self[f"objective_{n}_target_date"],
            )
            for n in range(1, self.rows + 1)
        ]

    def other_fields(self):
        return [
            self[name]
            for name in self.fields
            if not name.startswith("objective_") and not self[name].is_hidden
        ]

    @classmethod
    def for_version(
        cls, latest: AgreementVersion | None, data: Any = None, *, rows: int = 0
    ) -> AgreementForm:
        """The form filled from ``latest`` (the newest version; None before the first) and
        saying so in ``based_on``; ``data`` is what was sent, ``rows`` the objective rows it
        had."""
        initial = cls.initial_from(latest.content) if latest else {}
        initial["based_on"] = latest.number if latest else 0
        objectives = len(latest.content.get("objectives") or []) if latest else 0
        return cls(data, initial=initial, objectives=max(objectives, rows))

    @classmethod
    def initial_from(cls, content: dict) -> dict:
        initial = {k: v for k, v in content.items() if k != "objectives"}
        for n, objective in enumerate(content.get("objectives", [])[:MAX_OBJECTIVES], start=1):
            initial[f"objective_{n}_goal"] = objective.get("goal", "")
            initial[f"objective_{n}_measure"] = objective.get("measure", "")
            initial[f"objective_{n}_target_date"] = objective.get("target_date") or None
        return initial

    def content(self) -> dict:
        data = self.cleaned_data
        content = {
            k: v for k, v in data.items() if not k.startswith("objective_") and k != "based_on"
        }
        content["starts_on"] = data["starts_on"].isoformat()
        content["ends_on"] = data["ends_on"].isoformat()
        content["objectives"] = [
            {
                "goal": data[f"objective_{n}_goal"],
                "measure": data[f"objective_{n}_measure"],
                "target_date": (
                    data[f"objective_{n}_target_date"].isoformat()
                    if data[f"objective_{n}_target_date"]
                    else ""
                ),
            }
            for n in range(1, self.rows + 1)
        ]
        return content


class GoalForm(forms.Form):
    title = OneLineField(max_length=work.TITLE_LIMIT, label="Goal")
    measure = OneLineField(
        required=False, max_length=work.MEASURE_LIMIT, label="Measurable outcome"
    )
    target_date = DateField(required=False, label="Target date")


class GoalProgressForm(forms.Form):
    state = forms.ChoiceField(choices=GoalState.choices, label="State")
    percent = forms.IntegerField(min_value=0, max_value=100, label="Progress (%)")
    note = OneLineField(required=False, max_length=work.PROGRESS_NOTE_LIMIT, label="Short note")


class MilestoneForm(forms.Form):
    title = OneLineField(max_length=work.TITLE_LIMIT, label="Milestone")
    due_on = DateField(required=False, label="Due")


class ActionItemForm(forms.Form):
    description = OneLineField(
        max_length=work.ACTION_ITEM_LIMIT,
        label="Action item",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Send the outline"}),
    )
    owner = forms.TypedChoiceField(coerce=int, label="Owner")
    due_on = DateField(required=False, label="Due date")
    meeting = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="From meeting (optional)"
    )

    def __init__(self, *args, mentorship=None, meetings=(), fixed_meeting=False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_meeting:
            self.fields["meeting"].widget = forms.HiddenInput()
        if mentorship is not None:
            choice_field(self, "owner").choices = [
                (mentorship.mentee_id, f"{mentorship.mentee.display_name} (mentee)"),
                (mentorship.mentor_id, f"{mentorship.mentor.display_name} (mentor)"),
            ]
        # Each meeting as every page writes it, "Mon 14 Dec, 18:00 IST": "14 Dec 2026 18:00"
        # named no zone, in a pair that often lives in two (journeys review).
        # A cancelled meeting is no source of new work (journeys review), but the form's own
        # current choice stays offered: one sent or shown before it was cancelled still saves.
        current = str(self["meeting"].value() or "")
        choice_field(self, "meeting").choices = [("", "Not from a meeting")] + [
            (m.pk, when(timezone.localtime(m.starts_at)))
            for m in meetings
            if m.status != MeetingStatus.CANCELLED or str(m.pk) == current
        ]


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItemStatus.choices)


class EndForm(forms.Form):
    category = forms.ChoiceField(
        label="What best describes why?",
        choices=[("", "Choose one…")]
        + [choice for choice in EndCategory.choices if choice[0] in PAIR_END_CATEGORIES],
        help_text="The program's admins read it with your reason; in the program's figures "
        "it is counted, never shown with your name.",
    )
    reason = TextareaField(
        max_length=END_REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why are you ending it?",
        help_text="Only the program admins see this. Your partner is "
        "told only that the mentorship ended.",
    )


class AdminEndForm(forms.Form):
    category = forms.ChoiceField(
        label="What best describes why?",
        choices=EndCategory.choices,
        initial=EndCategory.PROGRAM,
        help_text="Counted in the program's figures on early endings.",
    )
    reason = TextareaField(
        max_length=END_REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why does the program end it?",
        help_text="Only the program's admins see this. The pair are told only that the "
        "program ended their mentorship.",
    )


class CompleteForm(forms.Form):
    reflection = TextareaField(
        max_length=REFLECTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Closing reflection",
        help_text="What did you achieve, and what will you take with you?",
    )


class ProblemReportForm(forms.Form):
    text = TextareaField(
        max_length=PROBLEM_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What is the problem?",
        help_text="A few sentences are enough: what happened, and what would help. The other "
        "person in this mentorship will not learn that you sent it.",
    )


class EarlyEndFeedbackForm(forms.Form):
    """In a cohort program, where the admins find the new mentor: whether the mentee would like
    one (in a self-serve one the mentee chooses from the ranked list instead)."""

    wants_new_mentor = forms.BooleanField(
        required=False,
        label="I would like a new mentor",
        help_text="In this program the admins match mentors and mentees: they see this and "
        "can match you with someone else.",
    )

    def answers(self) -> dict:
        return {"wants_new_mentor": self.cleaned_data["wants_new_mentor"]}
