"""Program pages: the list, creating one, its page and its settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from tandem.core.exceptions import ApplicationError, Repeated
from tandem.core.pagination import page_of
from tandem.core.web import form_add_error, not_found_as_404, repeat_shown, require_form_methods
from tandem.programs import selectors, services
from tandem.programs.forms import ProgramForm
from tandem.programs.models import OPEN_STATUSES, PARTICIPANT_ROLES, EnrolmentStatus
from tandem.programs.selectors import ProgramAccess
from tandem.programs.selectors.waitlist import program_limit_notes
from tandem.programs.views.standing import shows_own_standing


@login_required
@require_safe
def program_list(request):
    page = page_of(request, selectors.program_list_for_user(user=request.user), 20)
    return render(request, "programs/program_list.html", {"page_obj": page})


@login_required
@require_form_methods
def program_create(request):
    if not services.program_can_create(user=request.user):
        return render(
            request,
            "programs/create_not_allowed.html",
            {"reason": services.CREATE_NOT_ALLOWED},
            status=403,
        )
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(user=request.user, **form.service_kwargs())
        except Repeated as repeat:
            return repeat_shown(request, repeat)
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"weights.": "weight_"})
        else:
            messages.success(request, f"Created {program.name}. Invite people next.")
            return redirect("program_detail", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "creating": True})


@login_required
@shows_own_standing
@not_found_as_404
@require_safe
def program_detail(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.VIEW)
    is_admin = selectors.is_program_admin(user=request.user, program_id=program.pk)
    mine = selectors.enrolment_list_for_user_in_program(user=request.user, program=program)
    context = {
        "program": program,
        "is_admin": is_admin,
        "my_enrolments": mine,
        "pending": [e for e in mine if e.status == EnrolmentStatus.PENDING],
        "can_leave": any(e.role in PARTICIPANT_ROLES and e.status in OPEN_STATUSES for e in mine),
    }
    if is_admin:
        context["counts"] = selectors.program_counts(program=program)
        context["invitations"] = selectors.invitation_list(program=program)[:10]
        context["weights"] = program.weights
    return render(request, "programs/program_detail.html", context)


@login_required
@not_found_as_404
@require_form_methods
def program_edit(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = ProgramForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_update(
                user=request.user, program_id=program.pk, **form.service_kwargs()
            )
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"weights.": "weight_"})
        else:
            messages.success(request, "Saved the program settings.")
            for note in program_limit_notes(program=program):
                messages.warning(request, note)
            return redirect("program_detail", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "program": program})
