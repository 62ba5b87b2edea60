"""Participant files: upload, check and confirm an import (the check and the write run in the
background; the page polls the status), answer an import's invitation, and export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from tandem.core.exceptions import ApplicationError
from tandem.core.streaming import streamed_download
from tandem.core.web import form_add_error, not_found_as_404, require_form_methods
from tandem.matching.sheets import MAX_ROWS
from tandem.programs import selectors
from tandem.programs.exports import export_csv_lines, export_xlsx
from tandem.programs.forms import ImportForm, JoinForm
from tandem.programs.imports import services as import_services
from tandem.programs.imports.forms import ImportConfirmForm
from tandem.programs.imports.problems import problem_file_name, problem_file_type
from tandem.programs.imports.reading import MAX_UPLOAD_BYTES
from tandem.programs.models import IMPORT_RETENTION_HOURS, EnrolmentStatus, Role
from tandem.programs.selectors import ProgramAccess
from tandem.programs.selectors.joining import participant_invitation_questions

NO_ANSWER = "answer: send accept or decline. Nothing was changed."


@login_required
@not_found_as_404
@require_form_methods
def program_import(request, slug):
    # A request over the one size limit never gets here (tandem.core.body_limit: a 413); a
    # file over the import's own limit is a form error from the service.
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            batch = import_services.import_preview(
                user=request.user, program_id=program.pk, filename=upload.name, content=content
            )
        except ApplicationError as error:
            form.add_error("file", error.fields.get("file", error.message))
        else:
            return redirect("program_import_preview", slug=program.slug, batch_id=batch.pk)
    return _import_page(request, program, form)


def _import_page(request, program, form):
    context = {
        "program": program,
        "form": form,
        "recent": selectors.import_batch_list(program=program).defer("problem_rows")[:5],
        "invitations": selectors.participant_invitation_list(program=program)[:20],
        "retention_hours": IMPORT_RETENTION_HOURS,
        "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
        "max_rows": MAX_ROWS,
    }
    return render(request, "programs/import.html", context)


@login_required
@not_found_as_404
@require_form_methods
def program_import_preview(request, slug, batch_id):
    batch = selectors.access_import_batch(user=request.user, slug=slug, batch_id=batch_id)
    program = batch.program
    form = ImportConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            import_services.import_confirm(
                user=request.user, program_id=program.pk, batch_id=batch.pk, **form.cleaned_data
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("program_import_preview", slug=program.slug, batch_id=batch.pk)
    report = batch.report
    return render(
        request,
        "programs/import_preview.html",
        {
            "program": program,
            "batch": batch,
            "report": report,
            "form": form,
            "problem_rows_file": problem_file_name(batch.filename, b"")
            if import_services.import_problem_rows_kept(batch=batch)
            else "",
            "retention_hours": IMPORT_RETENTION_HOURS,
        },
    )


@login_required
@not_found_as_404
@require_safe
def program_import_problem_rows(request, slug, batch_id):
    """The rows with problems as a file to fix, in the upload's own format."""
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    name, content = import_services.import_problem_rows(
        user=request.user, program_id=program.pk, batch_id=batch_id
    )
    response = HttpResponse(content, content_type=problem_file_type(name))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@not_found_as_404
@require_safe
def program_import_status(request, slug, batch_id):
    """The polled progress partial; once the work stops, htmx reloads the page."""
    batch = selectors.access_import_batch(user=request.user, slug=slug, batch_id=batch_id)
    program = batch.program
    response = render(request, "programs/_import_status.html", {"program": program, "batch": batch})
    if not batch.in_progress and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@not_found_as_404
@require_form_methods
def participant_invitation(request, token):
    """An import's personal invitation: the invited person accepts, answering the role's join
    questions, or declines."""
    invitation = selectors.access_participant_invitation(user=request.user, token=token)
    questions, given = participant_invitation_questions(user=request.user, invitation=invitation)
    form = JoinForm(request.POST or None, questions=questions, initial=given)
    answer = request.POST.get("answer")
    if request.method == "POST" and answer not in ("accept", "decline"):
        # Not a decline (live review: a post without its button's answer, or answer=maybe,
        # declined the invitation; the API takes only its two operations).
        raise BadRequest(NO_ANSWER)
    accept = answer == "accept"
    # Declining asks nothing, and a closed invitation is said so whatever was typed.
    if request.method == "POST" and (
        form.is_valid() or not accept or invitation.state != "pending"
    ):
        try:
            enrolment = import_services.participant_invitation_answer(
                user=request.user,
                token=token,
                accept=accept,
                answers=form.cleaned_data if accept else None,
            )
        except ApplicationError as error:
            if not error.fields:
                messages.error(request, error.message)
                return redirect("participant_invitation", token=token)
            form_add_error(form, error)
        else:
            return _answered(request, invitation, enrolment)
    closed = None
    if invitation.state != "pending":
        closed = import_services.invitation_closed_message(invitation)
    return render(
        request,
        "programs/participant_invitation.html",
        {"invitation": invitation, "closed": closed, "form": form},
        status=400 if form.errors else 200,
    )


def _answered(request, invitation, enrolment) -> HttpResponse:
    """Where an answered invitation leads, saying what it did."""
    program = invitation.program
    if enrolment is None:
        messages.success(request, "You declined the invitation. Nothing was changed.")
        return redirect("participant_invitation", token=invitation.token)
    if enrolment.status == EnrolmentStatus.PENDING:
        messages.info(request, import_services.RETURN_AWAITS_APPROVAL.format(program=program))
    elif enrolment.role == Role.ADMIN:
        messages.success(request, f"You are now an admin of {program.name}.")
    else:
        messages.success(request, f"You joined {program.name}.")
    return redirect("program_detail", slug=program.slug)


@login_required
@not_found_as_404
@require_safe
def program_export(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    if request.GET.get("format") == "xlsx":
        workbook = HttpResponse(
            export_xlsx(program=program),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        workbook["Content-Disposition"] = f'attachment; filename="{program.slug}.xlsx"'
        return workbook
    return streamed_download(
        request,
        export_csv_lines(program=program),
        content_type="text/csv; charset=utf-8",
        filename=f"{program.slug}.csv",
    )
