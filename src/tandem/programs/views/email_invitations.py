"""Inviting people by email without a file: the form (addresses, a role, now or at a chosen
time), the invitations not sent yet (held by an import or scheduled) with "Send now", and
cancelling one before it goes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.core.api_types import storable_id
from tandem.core.exceptions import ApplicationError
from tandem.core.pagination import page_of
from tandem.core.web import (
    confirm_page,
    confirmed,
    flash_outcome,
    form_add_error,
    not_found_as_404,
    require_form_methods,
)
from tandem.programs import selectors
from tandem.programs.imports import invitations as invitation_services
from tandem.programs.imports.forms import InviteByEmailForm
from tandem.programs.selectors import ProgramAccess

PAGE_SIZE = 50
RECENT = 20


def _outcome_messages(request, outcome, send_at) -> None:
    invited = outcome.invited
    if invited:
        # One sentence in the number it counts: "Invited 1: the email goes now; the emails are
        # on their way." said the same twice, and in both numbers (journeys review).
        emails = "the email goes" if len(invited) == 1 else "the emails go"
        when = f"at {invitation_services.when_text(send_at)}" if send_at else "now"
        messages.success(request, f"Invited {len(invited)}: {emails} {when}.")
    if outcome.already_in_program:
        messages.info(
            request,
            "Already in the program, so not invited: " + ", ".join(outcome.already_in_program),
        )
    if outcome.already_invited:
        messages.info(
            request,
            "Already invited and not answering yet, so not sent again: "
            + ", ".join(
                f"{invitation.email} (sent {invitation_services.when_text(invitation.sent_at)})"
                for invitation in outcome.already_invited
            )
            + ". To mail one again, use its Resend under Recently sent.",
        )


@login_required
@not_found_as_404
@require_form_methods
def program_email_invitations(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = InviteByEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        send_at = form.cleaned_data["send_at"]
        try:
            outcome = invitation_services.participant_invitations_invite(
                user=request.user,
                program_id=program.pk,
                emails=form.cleaned_data["emails"],
                role=form.cleaned_data["role"],
                send_at=send_at,
            )
        except ApplicationError as error:
            form_add_error(
                form,
                error,
                renames={name: "emails" for name in error.fields if name.startswith("emails.")},
            )
        else:
            _outcome_messages(request, outcome, send_at)
            return redirect("program_email_invitations", slug=program.slug)
    unsent = invitation_services.participant_invitation_list_unsent(program=program)
    sent = selectors.participant_invitation_list(program=program).filter(sent_at__isnull=False)
    return render(
        request,
        "programs/email_invitations.html",
        {
            "program": program,
            "form": form,
            "page_obj": page_of(request, unsent, PAGE_SIZE),
            "sent": sent.order_by("-sent_at")[:RECENT],
            # Resend is offered where it would be taken (an hour after the last email).
            "resend_before": timezone.now() - invitation_services.RESEND_AFTER,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@not_found_as_404
@require_POST
def program_email_invitations_send(request, slug):
    """Send now the ticked invitations, or every one not sent yet."""
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    ids = None
    if request.POST.get("send") != "all":
        ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit() and len(pk) < 19]
    flash_outcome(
        request,
        lambda: invitation_services.participant_invitations_send_now(
            user=request.user, program_id=program.pk, invitation_ids=ids
        ),
        lambda count: f"Sending {count} invitation email{'s' if count != 1 else ''} now.",
    )
    return redirect("program_email_invitations", slug=program.slug)


@login_required
@not_found_as_404
@require_form_methods
def program_email_invitation_cancel(request, slug, invitation_id):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    back = reverse("program_email_invitations", args=[program.slug])
    waiting = invitation_services.participant_invitation_list_unsent(program=program)
    invitation = waiting.filter(pk=invitation_id).first() if storable_id(invitation_id) else None
    if invitation is None and request.method != "POST":
        raise Http404("That invitation is not waiting to be sent.")
    if invitation is not None and not confirmed(request):
        return confirm_page(
            request,
            title=f"Cancel the invitation to {invitation.email}?",
            consequences=[
                "Its email is not sent; nothing else in the program changes.",
                "Invite them again from this page if you change your mind.",
            ],
            button="Cancel the invitation",
            keep="Keep it",
            back=back,
        )
    flash_outcome(
        request,
        lambda: invitation_services.participant_invitation_cancel(
            user=request.user, program_id=program.pk, invitation_id=invitation_id
        ),
        lambda cancelled: f"Cancelled the invitation to {cancelled.email}; no email went.",
    )
    return redirect("program_email_invitations", slug=program.slug)


@login_required
@not_found_as_404
@require_POST
def program_email_invitation_resend(request, slug, invitation_id):
    """Send a sent invitation's email again (the same link), from Recently sent."""
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    flash_outcome(
        request,
        lambda: invitation_services.participant_invitation_resend(
            user=request.user, program_id=program.pk, invitation_id=invitation_id
        ),
        lambda resent: f"Sending the invitation to {resent.email} again, with the same link.",
    )
    return redirect("program_email_invitations", slug=program.slug)
