"""Leaving a program: the page that says what will happen (or what to do first) and, on its
confirm button, ``services.leaving.enrolment_leave``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.core.web import confirm_page, confirmed, not_found_as_404, require_form_methods
from tandem.programs.selectors import program_admin_person_ids
from tandem.programs.services.leaving import LeavePlan, enrolment_leave, leave_plan

# Leaving takes a person's mentee and mentor roles only (services.leaving): an admin who also
# takes part reads that they still run the program, and where that role is given up.
STAY_ADMIN = (
    "You stay an admin of {program}: leaving ends only your part as a participant. To stop "
    "running it, remove yourself on its Participants page (the last admin cannot)."
)


def _consequences(plan: LeavePlan, *, admin: bool) -> list[str]:
    roles = " and ".join(sorted({e.get_role_display().lower() for e in plan.enrolments}))
    name = plan.program.name
    return [
        f"You are no longer a {roles} in {name}: its pages for participants close to you, and "
        "nobody can send you a request or match you in it.",
        *([STAY_ADMIN.format(program=name)] if admin else []),
        *plan.consequences,
        "Your past mentorships there, with their messages and notes, stay as they are, for "
        "you and for the other person.",
        f"The admins of {name} see that you left. To come back, use an invitation link to "
        "the program again.",
        "Your profile and your account stay. To delete your account, go to Account.",
    ]


@login_required
@not_found_as_404
@require_form_methods
def program_leave(request, slug: str):
    plan = leave_plan(user=request.user, slug=slug)
    program = plan.program
    back = reverse("program_detail", args=[program.slug])
    if not plan.enrolments:
        messages.info(request, f"You have left {program.name}.")
        return redirect("dashboard")
    if plan.blockers:
        return render(request, "programs/leave_blocked.html", {"plan": plan, "back": back})
    if confirmed(request):
        try:
            enrolment_leave(user=request.user, slug=slug)
        except ApplicationError as error:  # a mentorship began meanwhile: say what to do
            messages.error(request, error.message)
            return redirect(request.path)
        messages.success(request, f"You left {program.name}.")
        return redirect("dashboard")
    admin_ids = program_admin_person_ids(program_id=program.pk, person_ids=[request.user.pk])
    return confirm_page(
        request,
        title=f"Leave {program.name}?",
        consequences=_consequences(plan, admin=bool(admin_ids)),
        button="Leave the program",
        back=back,
        keep="Stay in the program",
    )
