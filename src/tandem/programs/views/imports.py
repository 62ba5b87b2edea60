"""Participant files: upload, check and confirm an import (the check and the write run in the
background; the page polls the status), answer an import's invitation, and export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tandem.core.exceptions import ApplicationError
from tandem.core.streaming import streamed_download
from tandem.core.web import not_found_as_404
from tandem.matching.sheets import MAX_ROWS
from tandem.programs import selectors
from tandem.programs.exports import export_csv_lines, export_xlsx
from tandem.programs.forms import ImportForm
from tandem.programs.imports import services as import_services
from tandem.programs.imports.forms import ImportConfirmForm
from tandem.programs.imports.problems import problem_file_name, problem_file_type
from tandem.programs.imports.reading import MAX_UPLOAD_BYTES
from tandem.programs.models import IMPORT_RETENTION_HOURS, EnrolmentStatus, Role
from tandem.programs.selectors import ProgramAccess


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
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
@require_http_methods(["GET", "POST"])
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
@require_http_methods(["GET", "POST"])
def participant_invitation(request, token):
    """An import's personal invitation: the invited person accepts or declines it."""
    invitation = selectors.access_participant_invitation(user=request.user, token=token)
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        try:
            enrolment = import_services.participant_invitation_answer(
                user=request.user, token=token, accept=accept
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            program = invitation.program
            if enrolment is not None and enrolment.status == EnrolmentStatus.PENDING:
                messages.info(
                    request, import_services.RETURN_AWAITS_APPROVAL.format(program=program)
                )
                return redirect("program_detail", slug=program.slug)
            if enrolment is not None and enrolment.role == Role.ADMIN:
                messages.success(request, f"You are now an admin of {program.name}.")
                return redirect("program_detail", slug=program.slug)
            if enrolment is not None:
                messages.success(request, f"You joined {program.name}.")
                return redirect("program_detail", slug=program.slug)
            messages.success(request, "You declined the invitation. Nothing was changed.")
        return redirect("participant_invitation", token=token)
    closed = None
    if invitation.state != "pending":
        closed = import_services.invitation_closed_message(invitation)
    return render(
        request,
        "programs/participant_invitation.html",
        {"invitation": invitation, "closed": closed},
    )


@login_required
@not_found_as_404
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
