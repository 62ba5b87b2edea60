"""Program pages: thin views over the selectors and services (htmx partials for row actions)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.pagination import page_of
from tandem.core.web import form_add_error, not_found_as_404
from tandem.matching.sheets import MAX_ROWS
from tandem.programs import selectors, services
from tandem.programs.exports import export_csv_lines, export_xlsx
from tandem.programs.forms import (
    ImportForm,
    InvitationForm,
    JoinForm,
    ParticipantFilterForm,
    ProgramForm,
)
from tandem.programs.imports import services as import_services
from tandem.programs.imports.reading import MAX_UPLOAD_BYTES
from tandem.programs.models import IMPORT_RETENTION_HOURS, EnrolmentQuestion, EnrolmentStatus
from tandem.programs.selectors import ProgramAccess

PAGE_SIZE = 25


@login_required
def program_list(request):
    page = page_of(request, selectors.program_list_for_user(user=request.user), 20)
    return render(request, "programs/program_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request):
    if not request.user.is_staff:
        raise DjangoPermissionDenied(services.ONLY_STAFF_CREATE)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(user=request.user, **form.service_kwargs())
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"weights.": "weight_"})
        else:
            messages.success(request, f"Created {program.name}. Invite people next.")
            return redirect("program_detail", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "creating": True})


@login_required
@not_found_as_404
def program_detail(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.VIEW)
    is_admin = selectors.is_program_admin(user=request.user, program_id=program.pk)
    context = {
        "program": program,
        "is_admin": is_admin,
        "my_enrolments": selectors.enrolment_list_for_user_in_program(
            user=request.user, program=program
        ),
    }
    if is_admin:
        context["counts"] = selectors.program_counts(program=program)
        context["invitations"] = selectors.invitation_list(program=program)[:10]
        context["weights"] = program.weights
    return render(request, "programs/program_detail.html", context)


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def program_edit(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = ProgramForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(
                user=request.user, program_id=program.pk, **form.service_kwargs()
            )
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"weights.": "weight_"})
        else:
            messages.success(request, "Saved the program settings.")
            return redirect("program_detail", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@login_required
@not_found_as_404
def program_participants(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    filters = ParticipantFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    queryset = selectors.participant_list(
        program=program,
        role=data.get("role", ""),
        status=data.get("status", ""),
        search=data.get("q", ""),
    )
    page = page_of(request, queryset.values_list("pk", flat=True), PAGE_SIZE)
    page.object_list = selectors.participant_rows(ids=list(page.object_list), viewer=request.user)
    query = {key: value for key, value in data.items() if value}
    return render(
        request,
        "programs/participants.html",
        {
            "program": program,
            "page_obj": page,
            "filters": filters,
            "query_string": urlencode(query),
        },
    )


@login_required
@not_found_as_404
@require_POST
def participant_action(request, slug, enrolment_id, action):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    error = None
    try:
        enrolment = services.enrolment_set_status(
            user=request.user, program_id=program.pk, enrolment_id=enrolment_id, action=action
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        error = exc.message
        enrolment = selectors.participant_list(program=program).filter(pk=enrolment_id).first()
        if enrolment is None:  # an unknown action is refused before the enrolment is looked up
            raise NotFound(selectors.ENROLMENT_NOT_FOUND) from None
    context = {"program": program, "enrolment": enrolment, "error": error}
    if request.headers.get("HX-Request"):
        selectors.participants_mark_profile_visible(enrolments=[enrolment], viewer=request.user)
        return render(request, "programs/_participant_row.html", context)
    if error:
        messages.error(request, error)
    return redirect("program_participants", slug=program.slug)


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def program_invitations(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                user=request.user, program_id=program.pk, **form.cleaned_data
            )
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"weights.": "weight_"})
        else:
            messages.success(request, "Created the invitation link. Copy it and share it.")
            return redirect("program_invitations", slug=program.slug)
    page = page_of(request, selectors.invitation_list(program=program), PAGE_SIZE)
    return render(
        request,
        "programs/invitations.html",
        {
            "program": program,
            "form": form,
            "page_obj": page,
            "join_base": request.build_absolute_uri(reverse("program_join", args=["TOKEN"])),
        },
    )


@login_required
@not_found_as_404
@require_POST
def invitation_revoke(request, slug, invitation_id):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    services.invitation_revoke(
        user=request.user, program_id=program.pk, invitation_id=invitation_id
    )
    messages.success(request, "Revoked the link; it no longer lets anyone join.")
    return redirect("program_invitations", slug=program.slug)


@not_found_as_404
@require_http_methods(["GET", "POST"])
def program_join(request, token):
    invitation = selectors.invitation_get_by_token(token=token)
    program = invitation.program
    problem = services.invitation_problem(invitation)
    if not request.user.is_authenticated:
        return render(
            request,
            "programs/join.html",
            {
                "invitation": invitation,
                "program": program,
                "problem": problem,
                "next": request.get_full_path(),
            },
        )
    existing = [
        e
        for e in selectors.enrolment_list_for_user_in_program(user=request.user, program=program)
        if e.role == invitation.role
    ]
    questions = list(EnrolmentQuestion.objects.filter(program=program, role=invitation.role))
    form = JoinForm(request.POST or None, questions=questions)
    if request.method == "POST" and not problem and not existing and form.is_valid():
        try:
            enrolment = services.enrolment_join_by_invitation(
                user=request.user, token=token, answers=form.cleaned_data
            )
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"weights.": "weight_"})
        else:
            if enrolment.status == "active":
                messages.success(request, f"Welcome to {program.name}!")
            else:
                messages.success(
                    request,
                    f"Thanks! A program admin of {program.name} will approve your request soon.",
                )
            return redirect("program_detail", slug=program.slug)
    return render(
        request,
        "programs/join.html",
        {
            "invitation": invitation,
            "program": program,
            "problem": problem,
            "form": form,
            "existing": existing[0] if existing else None,
        },
    )


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
        "recent": selectors.import_batch_list(program=program)[:5],
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
    if request.method == "POST":
        try:
            import_services.import_confirm(
                user=request.user, program_id=program.pk, batch_id=batch.pk
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("program_import_preview", slug=program.slug, batch_id=batch.pk)
    return render(
        request,
        "programs/import_preview.html",
        {
            "program": program,
            "batch": batch,
            "report": batch.report,
            "retention_hours": IMPORT_RETENTION_HOURS,
        },
    )


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
            if enrolment is not None:
                messages.success(request, f"You joined {program.name}.")
                return redirect("program_detail", slug=program.slug)
            messages.success(request, "You declined the invitation. Nothing was changed.")
        return redirect("participant_invitation", token=token)
    return render(request, "programs/participant_invitation.html", {"invitation": invitation})


@login_required
@not_found_as_404
def program_export(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            export_xlsx(program=program),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{program.slug}.xlsx"'
        return response
    response = StreamingHttpResponse(
        export_csv_lines(program=program), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{program.slug}.csv"'
    return response
