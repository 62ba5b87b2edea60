"""Pages for mentorship requests: the inbox, a new request, and the answers to one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.core.exceptions import ApplicationError
from tandem.core.pagination import page_of
from tandem.core.web import form_add_error, require_form_methods
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import DeclineForm, RequestForm
from tandem.mentorships.selectors.lists import programs_to_find_a_mentor
from tandem.mentorships.selectors.request_page import request_page, request_target
from tandem.mentorships.views.common import PAGE_SIZE, back_to_mentorship, mentorship_errors


@login_required
@require_safe
def request_inbox(request):
    box = request.GET.get("box", "received")
    if box == "sent":
        qs = selectors.request_list_sent(user=request.user)
    else:
        box, qs = "received", selectors.request_list_received(user=request.user)
    page_obj = page_of(request, qs, PAGE_SIZE)
    return render(
        request,
        "mentorships/request_inbox.html",
        {
            "box": box,
            "page_obj": page_obj,
            "query_string": f"box={box}",
            # Only someone who may choose a mentor somewhere is offered "Find a mentor" (live
            # review F11: it was the one primary button on a mentor-only person's inbox).
            "can_find_a_mentor": bool(programs_to_find_a_mentor(user=request.user)),
            "pending_received": selectors.request_list_received(
                user=request.user, pending_only=True
            ).count(),
        },
    )


RECIPIENT_UNAVAILABLE = (
    "You cannot ask this person in this program now: they are not an active mentor here, or "
    "they have no free place. Choose someone on the list of mentors."
)


def _chosen(programs: list, wanted: str | None):
    """The program asked for (None if it takes no requests from ``user``), or when none is
    asked for, the only one there is."""
    if wanted:
        return next((p for p in programs if str(p.pk) == wanted), None)
    return programs[0] if len(programs) == 1 else None


@login_required
@mentorship_errors
@require_form_methods
def request_new(request):
    """The message to a mentor chosen on the ranked list; without one, the way to that list."""
    memberships = list(selectors.request_programs_for(user=request.user))
    # Admin-matched programs that keep direct requests off are not offered (the service says
    # why if someone posts one anyway); the page names them, so nobody wonders where they went.
    programs = [p for p in memberships if p.takes_direct_requests]
    matched_only = [p for p in memberships if not p.takes_direct_requests]
    source = request.POST if request.method == "POST" else request.GET
    program = _chosen(programs, source.get("program"))
    recipient_id = source.get("recipient") or source.get("to") or ""
    finding = programs_to_find_a_mentor(user=request.user)
    if program is None or not recipient_id.isdigit():
        if program in finding or (program is None and len(finding) == 1):
            return redirect("program_mentors", (program or finding[0]).slug)
        return render(
            request,
            "mentorships/request_new.html",
            {"finding": finding, "programs": programs, "matched_only": matched_only},
        )
    target = request_target(user=request.user, program=program, recipient_id=int(recipient_id))
    if target is None:
        return render(
            request,
            "mentorships/request_new.html",
            {"program": program, "unavailable": RECIPIENT_UNAVAILABLE},
        )
    if request.method != "POST":
        try:
            services.request_pair_check(
                program=program, sender=request.user, recipient=target.person
            )
        except ApplicationError as error:
            return render(
                request,
                "mentorships/request_new.html",
                {"program": program, "unavailable": error.message},
            )
    form = RequestForm(request.POST or None, program=program, recipient=target.person)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(
                sender=request.user,
                program_id=form.cleaned_data["program"],
                recipient_id=form.cleaned_data["recipient"],
                message=form.cleaned_data["message"],
            )
        except ApplicationError as error:
            form_add_error(form, error)
        else:
            messages.success(request, "Request sent. We'll let you know when they answer.")
            return redirect(f"{reverse('request_inbox')}?box=sent")
    return render(
        request,
        "mentorships/request_new.html",
        {
            "form": form,
            "program": program,
            "target": target,
            "finding": finding,
            "programs": programs,
            "matched_only": matched_only,
        },
    )


@login_required
@mentorship_errors
@require_safe
def request_detail(request, request_id: int):
    """One request with what its mentor needs to decide; its two people and the program's
    admins read it (admins without the message)."""
    page = request_page(user=request.user, request_id=request_id)
    return render(request, "mentorships/request_detail.html", {"page": page, "r": page.request})


@login_required
@require_POST
@mentorship_errors
def request_accept(request, request_id: int):
    mentorship = services.request_accept(user=request.user, request_id=request_id)
    return back_to_mentorship(
        request, mentorship.pk, "Accepted. Next: agree how you'll work together, then both sign."
    )


@login_required
@mentorship_errors
@require_form_methods
def request_decline(request, request_id: int):
    found = selectors.access_request(user=request.user, request_id=request_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_decline(
            user=request.user, request_id=request_id, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Declined. We let them know kindly.")
        return redirect("request_inbox")
    return render(
        request, "mentorships/request_decline.html", {"form": form, "mentorship_request": found}
    )


@login_required
@require_POST
@mentorship_errors
def request_withdraw(request, request_id: int):
    services.request_withdraw(user=request.user, request_id=request_id)
    messages.success(request, "Request withdrawn.")
    return redirect(f"{reverse('request_inbox')}?box=sent")
