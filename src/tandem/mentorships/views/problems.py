"""Reporting a problem to the program's admins (either of the pair), and the admins' lists of
reports with the button that resolves one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.core.exceptions import ApplicationError, Repeated
from tandem.core.pagination import page_of
from tandem.core.web import form_add_error, is_htmx, repeat_shown, require_form_methods, safe_next
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import ProblemReportForm
from tandem.mentorships.views.common import PAGE_SIZE, mentorship_errors
from tandem.programs.selectors import ProgramAccess, access_program, is_program_admin


@login_required
@mentorship_errors
@require_form_methods
def problem_report_new(request, mentorship_id: int):
    """The form, and below it what the caller reported before on this mentorship. When no
    admin but the pair could read a report, the page says so instead of offering the form
    (the service checks again on sending)."""
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    other = mentorship.other(request.user)
    form = ProblemReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_report_create(
                user=request.user, mentorship_id=mentorship_id, text=form.cleaned_data["text"]
            )
        except Repeated as repeat:
            return repeat_shown(request, repeat)
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request,
                f"Sent. The admins of {mentorship.program.name} have been told; "
                f"{other.display_name} has not.",
            )
            return redirect("problem_report_new", mentorship_id)
    reports = selectors.problem_report_list_for_mentorship(user=request.user, mentorship=mentorship)
    readers = selectors.problem_report_readers(mentorship=mentorship)
    return render(
        request,
        "mentorships/problem_report_new.html",
        {
            "mentorship": mentorship,
            "other": other,
            "other_is_admin": is_program_admin(user=other, program_id=mentorship.program_id),
            "form": form,
            "no_reader": selectors.NO_PROBLEM_REPORT_READER if not readers else "",
            "reports": list(reports[:50]),
        },
    )


@login_required
@require_POST
@mentorship_errors
def problem_report_resolve(request, report_id: int):
    report = services.problem_report_resolve(user=request.user, report_id=report_id)
    if is_htmx(request):
        return render(
            request,
            "mentorships/_problem_report.html",
            {"report": report, "can_resolve": True, "show_pair": request.POST.get("show_pair")},
        )
    messages.success(request, "Marked resolved; the person who reported it has been told.")
    return redirect(
        safe_next(request, reverse("mentorship_detail", args=[report.mentorship_id]) + "#problems")
    )


@login_required
@mentorship_errors
@require_safe
def program_problem_reports(request, program_id: int):
    """A program's reported problems for its admins: the open ones, or all."""
    program = access_program(user=request.user, program_id=program_id, need=ProgramAccess.ADMIN)
    show_all = request.GET.get("show") == "all"
    reports = selectors.problem_report_list_for_program(
        user=request.user, program_id=program.pk, open_only=not show_all
    )
    return render(
        request,
        "mentorships/program_problems.html",
        {
            "program": program,
            "page_obj": page_of(request, reports, PAGE_SIZE),
            "show_all": show_all,
            "query_string": "show=all" if show_all else "",
        },
    )
