"""A program's admins add admins from the people page: make a participant an admin, or invite
someone by email to join as one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tandem.core.api_types import storable_id
from tandem.core.exceptions import ApplicationError
from tandem.core.web import (
    confirm_page,
    confirmed,
    error_text,
    flash_outcome,
    form_add_error,
    not_found_as_404,
    require_form_methods,
)
from tandem.programs import selectors, services
from tandem.programs.forms import AdminInviteForm
from tandem.programs.models import Role
from tandem.programs.selectors import MEMBER_STATUSES, ProgramAccess
from tandem.programs.views.enrolments import participants_page


@login_required
@not_found_as_404
@require_form_methods
def participant_make_admin(request, slug, enrolment_id):
    """Asks first (live review: a one-click button on every row gave a mis-tapped mentee the
    run of the program); the service refuses what it cannot do, so the question is asked only
    of a member who is not an admin yet."""
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    if not confirmed(request):
        asked = _confirm_make_admin(request, program, enrolment_id)
        if asked is not None:
            return asked
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        admin = services.program_admin_promote(
            user=request.user, program_id=program.pk, enrolment_id=enrolment_id
        )
    except ApplicationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            f"{admin.person.display_name} is now an admin of {program.name}: they can approve "
            "people, run matching and add admins. Remove their admin row to undo it.",
        )
    return redirect("program_participants", slug=program.slug)


def _confirm_make_admin(request, program, enrolment_id):
    enrolment = selectors.access_enrolment(
        user=request.user, program_id=program.pk, enrolment_id=enrolment_id
    )
    already = selectors.program_admin_person_ids(
        program_id=program.pk, person_ids=[enrolment.person_id]
    )
    if enrolment.role == Role.ADMIN or enrolment.status not in MEMBER_STATUSES or already:
        return None
    name, role = enrolment.person.display_name, enrolment.get_role_display().lower()
    return confirm_page(
        request,
        title=f"Make {name} an admin of {program.name}?",
        consequences=[
            f"{name} can then do everything you can here: approve and remove people, read "
            "their join answers, run matching, see how every mentorship is going and the "
            "problems reported, and add or remove admins.",
            f"The other admins get a notice saying you made {name} an admin.",
            f"Their enrolment as {role} stays. To undo it, remove their admin row (filter "
            "the role by Program admin).",
        ],
        button=f"Make {name} an admin",
        back=reverse("program_participants", args=[program.slug]),
    )


@login_required
@not_found_as_404
@require_POST
def program_admin_invite(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = AdminInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.program_admin_invite(
                user=request.user, program_id=program.pk, email=form.cleaned_data["email"]
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request,
                f"Invited {invitation.email} to be an admin; the email is on its way. They "
                "become an admin when they accept it, signed in with that address.",
            )
            return redirect("program_participants", slug=program.slug)
    return participants_page(request, program, admin_form=form, status=400)


@login_required
@not_found_as_404
@require_form_methods
def program_admin_invitation_withdraw(request, slug, invitation_id):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    waiting = selectors.admin_invitation_list(program=program)
    invitation = waiting.filter(pk=invitation_id).first() if storable_id(invitation_id) else None
    # An answered, withdrawn or missing one goes straight to the service, which says why not.
    if invitation is not None and not confirmed(request):
        return confirm_page(
            request,
            title="Withdraw this admin invitation?",
            consequences=[
                f"The link sent to {invitation.email} stops working at once; if they open it "
                "they are told the invitation was withdrawn. No other email is sent.",
                f"Nothing else in {program.name} changes.",
                "It cannot be undone: invite them again to send a new link.",
            ],
            button="Withdraw the invitation",
            back=reverse("program_participants", args=[program.slug]),
        )
    flash_outcome(
        request,
        lambda: services.program_admin_invitation_withdraw(
            user=request.user, program_id=program.pk, invitation_id=invitation_id
        ),
        lambda withdrawn: (
            f"Withdrew the invitation to {withdrawn.email}: its link no longer "
            "works. Invite them again to send a new one."
        ),
    )
    return redirect("program_participants", slug=program.slug)


@login_required
@not_found_as_404
@require_POST
def program_admin_invitation_resend(request, slug, invitation_id):
    """The explicit way to send an admin invitation's email again (inviting the same address
    while it waits says when it was sent instead of mailing twice)."""
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    flash_outcome(
        request,
        lambda: services.program_admin_invitation_resend(
            user=request.user, program_id=program.pk, invitation_id=invitation_id
        ),
        lambda sent: (
            f"Sent {sent.email} a new link; the email is on its way and the old link "
            "no longer works."
        ),
    )
    return redirect(reverse("program_participants", args=[program.slug]) + "#admins")
