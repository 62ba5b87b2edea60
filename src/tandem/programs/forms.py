"""Forms only parse input for the pages; the services validate and decide."""

from __future__ import annotations

from django import forms

from tandem.core.forms import (
    DateField,
    DateTimeField,
    DateTimeInput,
    IntegerField,
    OneLineField,
    TextareaField,
)
from tandem.people.choices import Cadence
from tandem.programs.models import (
    DEFAULT_WEIGHTS,
    PARTICIPANT_ROLE_CHOICES,
    EnrolmentStatus,
    MatchingMode,
    Program,
    ProgramType,
    Role,
)
from tandem.programs.selectors.joining import answer_field
from tandem.programs.services import PROGRAM_FIELDS
from tandem.programs.services.admins import MAX_EMAIL
from tandem.programs.services.enrolments import (
    ANSWER_REQUIRED,
    BAD_MAX_USES,
    MAX_ANSWER,
    MAX_INVITATION_USES,
)
from tandem.programs.services.programs import (
    DESCRIPTION_LIMIT,
    MAX_ROLE_LIMIT,
    NAME_LIMIT,
    SETTING_BOUNDS,
    WEIGHT_RANGE,
)

WEIGHT_LABELS = {
    # In words an admin reads (live review F23: "Goals ↔ expertise text similarity",
    # "Seniority direction" were the engine's names).
    "text": "The mentee's goals and the mentor's expertise are about the same things",
    "skills": "The mentor offers skills the mentee wants to learn",
    "availability": "They are free at the same hours each week",
    "cadence": "They want to meet equally often",
    "format": "They want the same meeting format (and city, to meet in person)",
    "seniority": "The mentor is more senior (the mentee, in reverse mentoring)",
    "working_style": "They have similar working styles",
}
QUESTION_ROLES = (Role.MENTEE, Role.MENTOR)
LIMIT_HELP = (
    "Places for {role}s, active or awaiting approval; leave empty for no limit. Who joins when "
    "all are taken waits on the waitlist and gets the next free place. Lowering it removes "
    "nobody."
)
QUESTIONS_HELP = (
    "One question per line. End a line with * to make the answer required, "
    "e.g. “What do you hope to learn? *”."
)


class ProgramForm(forms.Form):
    name = OneLineField(max_length=NAME_LIMIT)
    description = TextareaField(widget=forms.Textarea, required=False, max_length=DESCRIPTION_LIMIT)
    program_type = forms.ChoiceField(label="Type", choices=ProgramType.choices)
    matching_mode = forms.ChoiceField(label="Matching", choices=MatchingMode.choices)
    starts_on = DateField(required=False)
    ends_on = DateField(required=False, help_text="On or after the start date.")
    default_duration_weeks = forms.IntegerField(
        label="Default mentorship length (weeks)",
        min_value=SETTING_BOUNDS["default_duration_weeks"][0],
        max_value=SETTING_BOUNDS["default_duration_weeks"][1],
    )
    default_cadence = forms.ChoiceField(label="Default meeting cadence", choices=Cadence.choices)
    default_capacity = forms.IntegerField(
        label="Default mentor capacity",
        min_value=SETTING_BOUNDS["default_capacity"][0],
        max_value=SETTING_BOUNDS["default_capacity"][1],
        help_text="Mentees one mentor takes at once.",
    )
    avoid_manager = forms.BooleanField(
        required=False, label="Never pair someone with their own manager"
    )
    avoid_same_department = forms.BooleanField(
        required=False, label="Never pair two people from the same department"
    )
    max_open_requests = forms.IntegerField(
        label="Open requests per mentee",
        min_value=SETTING_BOUNDS["max_open_requests"][0],
        max_value=SETTING_BOUNDS["max_open_requests"][1],
    )
    request_expiry_days = forms.IntegerField(
        label="Requests expire after (days)",
        min_value=SETTING_BOUNDS["request_expiry_days"][0],
        max_value=SETTING_BOUNDS["request_expiry_days"][1],
    )
    allow_direct_requests = forms.BooleanField(
        required=False,
        label="Mentees may also send requests directly",
        help_text="Admin-run cohort matching only; in self-serve programs mentees always can.",
    )
    mentee_limit = IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ROLE_LIMIT,
        label="Most mentees",
        help_text=LIMIT_HELP.format(role="mentee"),
    )
    mentor_limit = IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ROLE_LIMIT,
        label="Most mentors",
        help_text=LIMIT_HELP.format(role="mentor"),
    )

    def __init__(self, *args, program: Program | None = None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if program is not None:
            initial.update(
                {
                    name: getattr(program, name)
                    for name in PROGRAM_FIELDS
                    if name != "weights"  # its own fields, below
                }
            )
            weights = {**DEFAULT_WEIGHTS, **(program.weights or {})}
            questions: dict[str, list[str]] = {role: [] for role in QUESTION_ROLES}
            for question in program.questions.all():
                if question.role in questions:
                    questions[question.role].append(
                        question.prompt + (" *" if question.required else "")
                    )
            for role, lines in questions.items():
                initial[f"questions_{role}"] = "\n".join(lines)
        else:
            weights = DEFAULT_WEIGHTS
            initial.setdefault("default_duration_weeks", 26)
            initial.setdefault("default_cadence", Cadence.BIWEEKLY)
            initial.setdefault("default_capacity", 2)
            initial.setdefault("avoid_manager", True)
            initial.setdefault("max_open_requests", 3)
            initial.setdefault("request_expiry_days", 14)
        for key, value in weights.items():
            initial.setdefault(f"weight_{key}", value)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for key in DEFAULT_WEIGHTS:
            self.fields[f"weight_{key}"] = forms.FloatField(
                label=WEIGHT_LABELS.get(key, key),
                min_value=WEIGHT_RANGE[0],
                max_value=WEIGHT_RANGE[1],
                # Any number in the range, as the service takes (the API stored 1.25, which
                # a step of 0.5 made the browser refuse to send back: pages review).
                widget=forms.NumberInput(attrs={"step": "any"}),
            )
        for role in QUESTION_ROLES:
            self.fields[f"questions_{role}"] = TextareaField(
                label=f"Questions for {Role(role).label.lower()}s",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=QUESTIONS_HELP,
            )

    def weight_fields(self):
        return [self[f"weight_{key}"] for key in DEFAULT_WEIGHTS]

    def question_fields(self):
        return [self[f"questions_{role}"] for role in QUESTION_ROLES]

    def setting_fields(self):
        skip = {f"weight_{key}" for key in DEFAULT_WEIGHTS} | {
            f"questions_{role}" for role in QUESTION_ROLES
        }
        return [self[name] for name in self.fields if name not in skip]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        weights = {key: data.pop(f"weight_{key}") for key in DEFAULT_WEIGHTS}
        questions = {}
        for role in QUESTION_ROLES:
            lines = (data.pop(f"questions_{role}") or "").splitlines()
            questions[role] = [
                (line.strip().rstrip("*").strip(), line.strip().endswith("*"))
                for line in lines
                if line.strip().rstrip("*").strip()
            ]
        return {**data, "weights": weights, "questions": questions}


class InvitationForm(forms.Form):
    role = forms.ChoiceField(choices=PARTICIPANT_ROLE_CHOICES)
    expires_at = DateTimeField(
        required=False,
        label="Expires",
        widget=DateTimeInput(attrs={"class": "input-datetime"}),
        help_text="Leave empty for a link that does not expire.",
    )
    # The service's bound and words, not the column's: 1,000,001 passed the form (limits
    # review).
    max_uses = IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_INVITATION_USES,
        error_messages={"min_value": BAD_MAX_USES, "max_value": BAD_MAX_USES},
        label="Most uses",
        help_text="Leave empty for no limit.",
    )
    auto_approve = forms.BooleanField(required=False, label="Approve people who join automatically")


class AdminInviteForm(forms.Form):
    email = forms.EmailField(
        label="Email of the new admin",
        max_length=MAX_EMAIL,
        help_text="They get an email with a link; they become an admin when they accept it, "
        "signed in with this address.",
    )


class JoinForm(forms.Form):
    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[answer_field(question)] = TextareaField(
                label=question.prompt,
                required=question.required,
                error_messages={"required": ANSWER_REQUIRED},
                max_length=MAX_ANSWER,
                widget=forms.Textarea(attrs={"rows": 3}),
            )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Participant file (.csv or .xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text="Save spreadsheets as “CSV UTF-8” or .xlsx; at most 5 MB. Nothing is "
        "written until you confirm on the next page.",
    )


class ParticipantFilterForm(forms.Form):
    q = OneLineField(
        required=False,
        label="Search name or email",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *Role.choices])
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *EnrolmentStatus.choices]
    )
