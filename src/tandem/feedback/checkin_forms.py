"""The forms of check-ins: answering one (built from the questions it was asked) and a
program's admins editing a kind's questions and timing. Both only shape input; the services
in ``feedback.services.checkins`` and ``checkin_templates`` validate it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import formset_factory

from tandem.core.forms import OneLineField, TextareaField
from tandem.feedback.models import CHECKIN_COMMENT_LIMIT, CheckIn
from tandem.feedback.questions import Question
from tandem.feedback.selectors.checkins import SCALE_HIGH, SCALE_LOW, TemplateSettings
from tandem.feedback.services import checkin_templates
from tandem.feedback.services.checkin_templates import MAX_QUESTIONS

ANSWER_PREFIX = "answer_"
SHARE_PREFIX = "share_"


def _answer_field(question: Question) -> forms.Field:
    required = bool(question.get("required"))
    if question["type"] == "scale":
        low, high = question.get("low", SCALE_LOW), question.get("high", SCALE_HIGH)
        return forms.TypedChoiceField(
            choices=[(point, str(point)) for point in range(low, high + 1)],
            coerce=int,
            required=required,
            widget=forms.RadioSelect,
            label=question["text"],
        )
    if question["type"] == "choice":
        return forms.ChoiceField(
            choices=[(value, label) for value, label in question["choices"]],
            required=required,
            widget=forms.RadioSelect,
            label=question["text"],
        )
    return TextareaField(
        required=False,
        max_length=CHECKIN_COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=question["text"],
        help_text=f"Optional, up to {CHECKIN_COMMENT_LIMIT} characters.",
    )


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    answer: forms.BoundField
    share: forms.BoundField


class CheckInAnswerForm(forms.Form):
    """One radio group or text box per question, each with its "share with <partner>" box
    (unticked unless the author shared that answer), and the separate choice to let the
    program's admins read this check-in."""

    admins = forms.BooleanField(required=False)

    def __init__(self, *args: Any, checkin: CheckIn, partner_name: str, **kwargs: Any) -> None:
        initial = {f"{ANSWER_PREFIX}{key}": value for key, value in checkin.answers.items()}
        initial.update({f"{SHARE_PREFIX}{key}": True for key in checkin.shared_keys})
        initial["admins"] = checkin.shared_with_admins
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.questions: list[Question] = checkin.questions
        for question in self.questions:
            key = question["key"]
            self.fields[f"{ANSWER_PREFIX}{key}"] = _answer_field(question)
            self.fields[f"{SHARE_PREFIX}{key}"] = forms.BooleanField(
                required=False, label=f"Share this answer with {partner_name}"
            )
        self.fields["admins"].label = (
            f"Let the admins of {checkin.mentorship.program.name} read this check-in, "
            "comments included"
        )
        self.order_fields([*self.fields.keys() - {"admins"}, "admins"])

    def rows(self) -> list[QuestionRow]:
        return [
            QuestionRow(
                question=question,
                answer=self[f"{ANSWER_PREFIX}{question['key']}"],
                share=self[f"{SHARE_PREFIX}{question['key']}"],
            )
            for question in self.questions
        ]

    def answers(self) -> dict[str, Any]:
        return {
            question["key"]: self.cleaned_data.get(f"{ANSWER_PREFIX}{question['key']}")
            for question in self.questions
        }

    def shared_keys(self) -> list[str]:
        return [
            question["key"]
            for question in self.questions
            if self.cleaned_data.get(f"{SHARE_PREFIX}{question['key']}")
        ]


# Editing a program's questions -----------------------------------------------------------

TYPE_CHOICES = [("scale", "Scale from 1 to 5"), ("choice", "Choice"), ("text", "Free text")]


class TemplateQuestionForm(forms.Form):
    key = OneLineField(
        max_length=checkin_templates.KEY_LIMIT,
        help_text="Lower case, digits and _; a new key starts a new question.",
    )
    text = OneLineField(max_length=checkin_templates.TEXT_LIMIT, label="Question")
    type = forms.ChoiceField(choices=TYPE_CHOICES, initial="scale")
    low_label = OneLineField(
        max_length=checkin_templates.LABEL_LIMIT, required=False, label="Label at 1 (scale)"
    )
    high_label = OneLineField(
        max_length=checkin_templates.LABEL_LIMIT, required=False, label="Label at 5 (scale)"
    )
    choices = TextareaField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Answers (choice)",
        help_text="One per line, as value: label, for example yes: Yes.",
    )
    required = forms.BooleanField(required=False, initial=True, label="An answer is required")
    compare = forms.BooleanField(
        required=False,
        label="Compare the two sides' answers",
        help_text="A notable difference prompts the pair to talk about expectations.",
    )


KEPT_FOR_HEALTH = (
    "Kept: relationship health reads this answer to notice a mentorship that fades, so it "
    "cannot be removed or renamed and stays a 1 to 5 scale."
)


class BaseTemplateQuestionFormSet(forms.BaseFormSet):
    """The questions in order; those health reads (``protected``) keep their key and type and
    have no "Remove" box."""

    def __init__(self, *args: Any, protected: Iterable[str] = (), **kwargs: Any) -> None:
        self.protected = set(protected)
        super().__init__(*args, **kwargs)

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["DELETE"].label = "Remove this question"
        if form.initial.get("key") in self.protected:
            del form.fields["DELETE"]
            for name in ("key", "type"):
                form.fields[name].disabled = True
            form.fields["key"].help_text = KEPT_FOR_HEALTH


TemplateQuestionFormSet: type[BaseTemplateQuestionFormSet] = formset_factory(  # type: ignore[assignment]
    TemplateQuestionForm,
    formset=BaseTemplateQuestionFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=MAX_QUESTIONS,
    absolute_max=MAX_QUESTIONS,
)


def question_initial(question: Question) -> dict[str, Any]:
    return {
        "key": question["key"],
        "text": question["text"],
        "type": question["type"],
        "low_label": question.get("low_label", ""),
        "high_label": question.get("high_label", ""),
        "choices": "\n".join(f"{value}: {label}" for value, label in question.get("choices", [])),
        "required": bool(question.get("required")),
        "compare": bool(question.get("compare")),
    }


class TemplateTimingForm(forms.Form):
    every_periods = forms.IntegerField(
        min_value=checkin_templates.EVERY_PERIODS_RANGE[0],
        max_value=checkin_templates.EVERY_PERIODS_RANGE[1],
        label="Pulse: one every this many meeting periods",
        help_text="A period is the cadence the pair agreed (a week, two weeks, a month…).",
    )
    delay_days = forms.IntegerField(
        min_value=checkin_templates.DELAY_DAYS_RANGE[0],
        max_value=checkin_templates.DELAY_DAYS_RANGE[1],
        label="Days after the moment it is due",
        help_text="After the first meeting, the mid-point or the end (not used by pulses).",
    )

    @classmethod
    def initial_of(cls, settings: TemplateSettings) -> dict[str, int]:
        return {"every_periods": settings.every_periods, "delay_days": settings.delay_days}
