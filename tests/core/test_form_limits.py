"""Every page form's length and number limits are its service's own constants, so the form and
the service cannot drift apart (the API's schema is held to the same ones by
tests/core/test_api_schema_limits.py).

A limits review found the forms repeating the services' limits as bare numbers, and three that
disagreed: sign-up took a 320-character email the service refuses past 150 (it is the
username too), the profile took a manager's email of any length (254), and an invitation
link took up to 2,147,483,647 uses (1,000,000).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django import forms

import tandem.urls  # noqa: F401  (imports every page's forms, views' own included)
from tandem.core.api_types import INT32_MAX
from tandem.feedback.checkin_forms import TemplateQuestionForm, TemplateTimingForm
from tandem.feedback.models import GUIDANCE_BODY_LIMIT, INTERVENTION_NOTE_LIMIT
from tandem.feedback.services import checkin_templates, guidance
from tandem.feedback.views.guidance import ArticleForm
from tandem.feedback.views.health import PairNoteForm
from tandem.matchruns.forms import RerunForm, RunStartForm
from tandem.matchruns.services import MAX_SEED
from tandem.mentorships import forms as mentorship_forms
from tandem.mentorships.forms import meetings as meeting_forms
from tandem.mentorships.models import PROBLEM_TEXT_LIMIT
from tandem.mentorships.models.meetings import NOTES_MAX_LENGTH
from tandem.mentorships.scheduling import MAX_OCCURRENCES
from tandem.mentorships.services import agreement_content, work
from tandem.mentorships.services.ending import END_REASON_LIMIT
from tandem.mentorships.services.lifecycle import REFLECTION_LIMIT
from tandem.mentorships.services.meeting_notes import AGENDA_ITEM_LIMIT, NOTES_VERSION_LENGTH
from tandem.mentorships.services.meeting_places import LOCATION_LIMIT, VIDEO_URL_LIMIT
from tandem.mentorships.services.meetings import MAX_MINUTES, MIN_MINUTES, MIN_OCCURRENCES
from tandem.mentorships.services.requests import DECLINE_REASON_LIMIT, MESSAGE_LIMIT
from tandem.messaging import forms as message_forms
from tandem.messaging import models as messaging
from tandem.people import admin as people_admin
from tandem.people import forms as people_forms
from tandem.people.services.accounts import ACCOUNT_EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from tandem.people.services.manager import MANAGER_EMAIL_MAX_LENGTH, MANAGER_NAME_MAX_LENGTH
from tandem.people.services.profiles import TEXT_LIMITS
from tandem.people.services.tokens import TOKEN_NAME_LIMIT
from tandem.programs import forms as program_forms
from tandem.programs.imports.forms import InviteByEmailForm
from tandem.programs.imports.invitations import MAX_ADDRESSES
from tandem.programs.models import DEFAULT_WEIGHTS, EnrolmentQuestion
from tandem.programs.services.admins import MAX_EMAIL
from tandem.programs.services.enrolments import MAX_ANSWER, MAX_INVITATION_USES
from tandem.programs.services.programs import (
    DESCRIPTION_LIMIT,
    MAX_ROLE_LIMIT,
    NAME_LIMIT,
    SETTING_BOUNDS,
    WEIGHT_RANGE,
)


def _up_to(limit: int) -> dict[str, int]:
    return {"max_length": limit}


def _range(low: int, high: int) -> dict[str, int]:
    return {"min_value": low, "max_value": high}


M, P, A = mentorship_forms, people_forms, agreement_content
# ``{(form, field): limits}``: every limit a page form states, and where it comes from.
LIMITS: dict[tuple[type[forms.BaseForm], str], dict[str, int]] = {
    (M.RequestForm, "message"): _up_to(MESSAGE_LIMIT),
    (M.DeclineForm, "reason"): _up_to(DECLINE_REASON_LIMIT),
    **{(M.AgreementForm, name): _up_to(limit) for name, limit in A.TEXT_FIELDS.items()},
    (M.AgreementForm, "meeting_minutes"): _range(A.MIN_MEETING_MINUTES, A.MAX_MEETING_MINUTES),
    (M.AgreementForm, "based_on"): _range(0, INT32_MAX),  # a version's number
    (M.GoalForm, "title"): _up_to(work.TITLE_LIMIT),
    (M.GoalForm, "measure"): _up_to(work.MEASURE_LIMIT),
    (M.GoalProgressForm, "percent"): _range(0, 100),
    (M.GoalProgressForm, "note"): _up_to(work.PROGRESS_NOTE_LIMIT),
    (M.MilestoneForm, "title"): _up_to(work.TITLE_LIMIT),
    (M.ActionItemForm, "description"): _up_to(work.ACTION_ITEM_LIMIT),
    (M.EndForm, "reason"): _up_to(END_REASON_LIMIT),
    (M.AdminEndForm, "reason"): _up_to(END_REASON_LIMIT),
    (M.CompleteForm, "reflection"): _up_to(REFLECTION_LIMIT),
    (M.ProblemReportForm, "text"): _up_to(PROBLEM_TEXT_LIMIT),
    (meeting_forms.MeetingForm, "duration_minutes"): _range(MIN_MINUTES, MAX_MINUTES),
    (meeting_forms.MeetingForm, "video_url"): _up_to(VIDEO_URL_LIMIT),
    (meeting_forms.MeetingForm, "location"): _up_to(LOCATION_LIMIT),
    (meeting_forms.MeetingForm, "count"): _range(MIN_OCCURRENCES, MAX_OCCURRENCES),
    (meeting_forms.RescheduleForm, "duration_minutes"): _range(MIN_MINUTES, MAX_MINUTES),
    (meeting_forms.AgendaForm, "text"): _up_to(AGENDA_ITEM_LIMIT),
    (meeting_forms.NotesForm, "shared_notes"): _up_to(NOTES_MAX_LENGTH),
    (meeting_forms.NotesForm, "edited_from"): _up_to(NOTES_VERSION_LENGTH),
    (meeting_forms.PrivateNoteForm, "body"): _up_to(NOTES_MAX_LENGTH),
    (message_forms.MessageForm, "body"): _up_to(messaging.MESSAGE_LIMIT),
    (message_forms.MessageForm, "client_id"): _up_to(messaging.CLIENT_ID_LIMIT),
    (message_forms.MessageEditForm, "body"): _up_to(messaging.MESSAGE_LIMIT),
    (message_forms.ReportForm, "reason"): _up_to(messaging.REPORT_REASON_LIMIT),
    (P.SignUpForm, "first_name"): _up_to(NAME_MAX_LENGTH),
    (P.SignUpForm, "last_name"): _up_to(NAME_MAX_LENGTH),
    (P.SignUpForm, "email"): _up_to(ACCOUNT_EMAIL_MAX_LENGTH),
    (P.SignUpForm, "timezone"): _up_to(P.TIMEZONE_MAX_LENGTH),
    **{(P.ProfileForm, name): _up_to(limit) for name, limit in TEXT_LIMITS.items()},
    (P.ProfileForm, "manager"): _range(1, INT32_MAX),  # an account's id
    (P.ProfileForm, "manager_name"): _up_to(MANAGER_NAME_MAX_LENGTH),
    (P.ProfileForm, "manager_email"): _up_to(MANAGER_EMAIL_MAX_LENGTH),
    (P.ProfileForm, "timezone"): _up_to(P.TIMEZONE_MAX_LENGTH),
    (P.ApiTokenForm, "name"): _up_to(TOKEN_NAME_LIMIT),
    (program_forms.ProgramForm, "name"): _up_to(NAME_LIMIT),
    (program_forms.ProgramForm, "description"): _up_to(DESCRIPTION_LIMIT),
    **{
        (program_forms.ProgramForm, name): _range(*bounds)
        for name, bounds in SETTING_BOUNDS.items()
    },
    (program_forms.ProgramForm, "mentee_limit"): _range(1, MAX_ROLE_LIMIT),
    (program_forms.ProgramForm, "mentor_limit"): _range(1, MAX_ROLE_LIMIT),
    (program_forms.InvitationForm, "max_uses"): _range(1, MAX_INVITATION_USES),
    (program_forms.AdminInviteForm, "email"): _up_to(MAX_EMAIL),
    (InviteByEmailForm, "emails"): _up_to(MAX_ADDRESSES * 260),  # the service counts them
    (RunStartForm, "seed"): _range(0, MAX_SEED),
    (RerunForm, "seed"): _range(0, MAX_SEED),
    (TemplateQuestionForm, "key"): _up_to(checkin_templates.KEY_LIMIT),
    (TemplateQuestionForm, "text"): _up_to(checkin_templates.TEXT_LIMIT),
    (TemplateQuestionForm, "low_label"): _up_to(checkin_templates.LABEL_LIMIT),
    (TemplateQuestionForm, "high_label"): _up_to(checkin_templates.LABEL_LIMIT),
    (TemplateTimingForm, "every_periods"): _range(*checkin_templates.EVERY_PERIODS_RANGE),
    (TemplateTimingForm, "delay_days"): _range(*checkin_templates.DELAY_DAYS_RANGE),
    (ArticleForm, "slug"): _up_to(guidance.SLUG_LIMIT),
    (ArticleForm, "title"): _up_to(guidance.TITLE_LIMIT),
    (ArticleForm, "summary"): _up_to(guidance.SUMMARY_LIMIT),
    (ArticleForm, "body"): _up_to(GUIDANCE_BODY_LIMIT),
    (PairNoteForm, "note"): _up_to(INTERVENTION_NOTE_LIMIT),
    # Log-in reads any address: the backend finds no account by a longer one.
    (P.EmailAuthenticationForm, "username"): _up_to(320),
}
# A model form (the site admin's) takes its limits from the model's columns by construction.
assert issubclass(people_admin.UserEditForm, forms.ModelForm)


def _stated(field: forms.Field) -> dict[str, int]:
    keys = ("max_length", "min_value", "max_value")
    return {key: getattr(field, key) for key in keys if getattr(field, key, None) is not None}


@pytest.mark.parametrize(
    ("form", "name", "limits"),
    [(form, name, limits) for (form, name), limits in LIMITS.items()],
    ids=[f"{form.__name__}.{name}" for form, name in LIMITS],
)
def test_each_form_limit_is_its_services(form, name, limits):
    assert _stated(form.base_fields[name]) == limits


def _forms(cls: type = forms.BaseForm) -> Iterator[type[forms.BaseForm]]:
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("tandem."):
            yield sub
        yield from _forms(sub)


def test_every_limited_field_of_every_page_form_is_listed():
    """A limit added to a form without a line above fails here, so it is checked against
    its service from the start."""
    found = {
        (form, name)
        for form in _forms()
        if not issubclass(form, forms.ModelForm)
        for name, field in form.base_fields.items()
        if _stated(field)
    }
    assert len(found) > 50
    assert found == set(LIMITS)


def test_the_fields_forms_add_per_page_state_their_services_limits():
    agreement = M.AgreementForm(objectives=A.MAX_OBJECTIVES + 5)
    assert agreement.rows == A.MAX_OBJECTIVES
    for n in range(1, agreement.rows + 1):
        assert _stated(agreement.fields[f"objective_{n}_goal"]) == _up_to(A.OBJECTIVE_GOAL_LIMIT)
        measure = agreement.fields[f"objective_{n}_measure"]
        assert _stated(measure) == _up_to(A.OBJECTIVE_MEASURE_LIMIT)
    program = program_forms.ProgramForm()
    for key in DEFAULT_WEIGHTS:
        assert _stated(program.fields[f"weight_{key}"]) == _range(*WEIGHT_RANGE)
    question = EnrolmentQuestion(pk=7, prompt="Why?", required=True)
    join = program_forms.JoinForm(questions=[question])
    assert _stated(join.fields["q7"]) == _up_to(MAX_ANSWER)
