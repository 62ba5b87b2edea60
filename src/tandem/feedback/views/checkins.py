"""Check-in pages: mine, answering one, a program's aggregates and its question editor, and
the check-ins section of the mentorship page (``checkin_panel``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.exceptions import ApplicationError
from tandem.core.pagination import page_of
from tandem.core.web import (
    confirm_page,
    confirmed,
    form_add_error,
    friendly_errors,
    require_form_methods,
)
from tandem.feedback.checkin_forms import (
    ANSWER_PREFIX,
    CheckInAnswerForm,
    TemplateQuestionFormSet,
    TemplateTimingForm,
    question_initial,
)
from tandem.feedback.models import EDIT_WINDOW, CheckInKind
from tandem.feedback.selectors import checkin_figures
from tandem.feedback.selectors import checkins as selectors
from tandem.feedback.services import checkin_templates
from tandem.feedback.services.checkins import Answered
from tandem.feedback.services.checkins import checkin_answer as answer_service
from tandem.mentorships.models import Mentorship
from tandem.mentorships.panels import Panel
from tandem.mentorships.selectors import Viewer, pairs_of
from tandem.people.models import User
from tandem.programs.models import Program
from tandem.programs.selectors import ProgramAccess, access_program

PAGE_SIZE = 20
checkin_errors = friendly_errors(back="checkin_list")


@login_required
@checkin_errors
@require_safe
def checkin_list(request: HttpRequest) -> HttpResponse:
    checkins = selectors.checkin_list_for(user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "feedback/checkin_list.html",
        {"page_obj": page_of(request, checkins, PAGE_SIZE), "now": timezone.now()},
    )


def _saved_message(request: HttpRequest, result: Answered, partner: str) -> None:
    if not result.changed:
        messages.info(request, "Nothing changed: your answers are as they were.")
    elif result.next_url:
        messages.success(request, "Saved. Propose the change to your agreement here.")
    else:
        messages.success(request, f"Thank you: your check-in is saved. {_readers(result, partner)}")


def _readers(result: Answered, partner: str) -> str:
    """Who can read the answers just saved (the "Who reads your answers" list, for this one)."""
    checkin = result.checkin
    readers = [
        *([f"{partner} can read the answers you shared"] if checkin.shared_keys else []),
        *(["the program's admins can read this check-in"] if checkin.shared_with_admins else []),
    ]
    if not readers:
        return "Only you can read your answers."
    said = " and ".join(readers)
    return said[0].upper() + said[1:] + "."


@login_required
@checkin_errors
@require_form_methods
def checkin_answer(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """The form: each question with its answers, each answer with "share with <partner>",
    under a minute. Changes are taken within a day of the first answer."""
    checkin = selectors.access_checkin(user=request.user, checkin_id=checkin_id)
    partner = checkin.mentorship.other(request.user)
    form = CheckInAnswerForm(
        request.POST or None, checkin=checkin, partner_name=partner.display_name
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = answer_service(
                user=request.user,  # type: ignore[arg-type]
                checkin_id=checkin.pk,
                answers=form.answers(),
                shared_keys=form.shared_keys(),
                shared_with_admins=form.cleaned_data["admins"],
            )
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"": ANSWER_PREFIX})
        else:
            _saved_message(request, result, partner.display_name)
            return redirect(
                result.next_url or reverse("mentorship_detail", args=[checkin.mentorship_id])
            )
    editable_until = checkin.answered_at + EDIT_WINDOW if checkin.answered_at else None
    return render(
        request,
        "feedback/checkin_answer.html",
        {
            "checkin": checkin,
            "partner": partner,
            "form": form,
            "editable_until": editable_until,
            "locked": editable_until is not None and timezone.now() > editable_until,
        },
    )


def _admin_program(request: HttpRequest, program_id: int) -> Program:
    return access_program(user=request.user, program_id=program_id, need=ProgramAccess.ADMIN)


@login_required
@checkin_errors
@require_safe
def program_checkins(request: AuthenticatedRequest, program_id: int) -> HttpResponse:
    """A program's admins: per kind, how many are due and answered, the average and the spread
    of each scale and choice (hidden below five answers), and the check-ins their authors
    chose to share with the admins. Never anyone's comments otherwise."""
    program = _admin_program(request, program_id)
    shared = page_of(
        request,
        checkin_figures.checkin_list_shared_with_admins(program=program, viewer=request.user),
        PAGE_SIZE,
    )
    return render(
        request,
        "feedback/checkin_program.html",
        {
            "program": program,
            "aggregates": checkin_figures.checkin_aggregates_for_program(
                program=program, reader=request.user
            ),
            "own_pairs_left_out": pairs_of(user=request.user, program_ids=[program.pk]).exists(),
            "minimum": checkin_figures.AGGREGATE_MIN,
            "page_obj": shared,
            "shared": [(checkin, selectors.answer_rows(checkin)) for checkin in shared],
        },
    )


def _question_forms_valid(formset: Any, timing: TemplateTimingForm) -> bool:
    return bool(formset.is_valid()) & timing.is_valid()


def _template_error(formset: Any, timing: TemplateTimingForm, error: ApplicationError) -> list[str]:
    """Put the service's errors by field: ``questions.<n>.<part>`` on the n-th question kept,
    the timing on its form; the rest returned to show above the questions."""
    kept = formset.ordered_forms
    general = []
    for name, message in (error.fields or {"questions": error.message}).items():
        parts = name.split(".")
        if parts[0] == "questions" and len(parts) == 3 and int(parts[1]) <= len(kept):
            form = kept[int(parts[1]) - 1]
            form.add_error(parts[2] if parts[2] in form.fields else None, message)
        elif name in timing.fields:
            timing.add_error(name, message)
        else:
            general.append(message)
    return general


@login_required
@checkin_errors
@require_form_methods
def checkin_template_edit(request: HttpRequest, program_id: int, kind: str) -> HttpResponse:
    """A kind's questions for the program: text, type, scale labels, choices, compared or not,
    order (a number per question), removal; and its timing. Saved untouched: no change."""
    program = _admin_program(request, program_id)
    if kind not in CheckInKind.values:
        raise ApplicationError(checkin_templates.UNKNOWN_KIND, status=404)
    settings = selectors.checkin_template_for(program_id=program.pk, kind=kind)
    initial = [question_initial(question) for question in settings.questions]
    formset = TemplateQuestionFormSet(
        request.POST or None,
        initial=initial,
        prefix="q",
        protected=checkin_templates.protected_keys_for(kind),
    )
    timing = TemplateTimingForm(
        request.POST or None, initial=TemplateTimingForm.initial_of(settings)
    )
    general: list[str] = []
    if request.method == "POST" and _question_forms_valid(formset, timing):
        questions = [form.cleaned_data for form in formset.ordered_forms]
        try:
            saved = checkin_templates.checkin_template_update(
                user=request.user,  # type: ignore[arg-type]
                program_id=program.pk,
                kind=kind,
                questions=questions,
                every_periods=timing.cleaned_data["every_periods"],
                delay_days=timing.cleaned_data["delay_days"],
            )
        except ApplicationError as error:
            general = _template_error(formset, timing, error)
        else:
            done = "Saved." if saved != settings else "Nothing changed."
            messages.success(request, f"{done} New check-ins use these questions.")
            return redirect("checkin_template_edit", program.pk, kind)
    return render(
        request,
        "feedback/checkin_template.html",
        {
            "program": program,
            "settings": settings,
            "formset": formset,
            "timing": timing,
            "general": general,
            "is_pulse": kind == CheckInKind.PULSE,
        },
    )


@login_required
@checkin_errors
@require_form_methods
def checkin_template_reset(request: HttpRequest, program_id: int, kind: str) -> HttpResponse:
    program = _admin_program(request, program_id)
    back = reverse("checkin_template_edit", args=[program.pk, kind])
    if not confirmed(request):
        return confirm_page(
            request,
            title="Go back to the built-in questions?",
            consequences=[
                "This kind of check-in gets Tandem's own questions and timing again; your "
                "edits are gone.",
                "Check-ins already sent keep the questions they were asked.",
            ],
            button="Reset to the built-in questions",
            back=back,
        )
    checkin_templates.checkin_template_reset(
        user=request.user,  # type: ignore[arg-type]
        program_id=program.pk,
        kind=kind,
    )
    messages.success(request, "Back to the built-in questions.")
    return redirect(back)


# The mentorship page's section -------------------------------------------------------------


def checkin_panel(mentorship: Mentorship, viewer: Viewer, user: User) -> Panel | None:
    """One of the pair: the check-ins waiting for them here, what the other shared, and a
    divergence's prompt. An admin of the program: counts and whether a divergence exists."""
    if not viewer.is_participant:
        counts = selectors.checkin_counts_for(mentorship=mentorship)
        return Panel(
            "feedback/checkin_panel_admin.html",
            {"counts": counts, "program": mentorship.program},
        )
    waiting = list(selectors.checkins_waiting_for(user=user, mentorship=mentorship)[:3])
    shared = selectors.shared_answers_for(mentorship=mentorship, user=user)
    # Talking about expectations is for a pair still working together, not an ended one.
    divergence = (
        selectors.open_divergence_for(mentorship=mentorship) if mentorship.is_open else None
    )
    if not (waiting or shared or divergence):
        return None
    return Panel(
        "feedback/checkin_panel.html",
        {
            "waiting": waiting,
            "shared": shared,
            "partner": mentorship.other(user),
            "divergence": divergence,
            "topics": selectors.divergence_topics_for(divergence) if divergence else [],
            "guide_url": selectors.expectations_guide_url(mentorship),
        },
    )
