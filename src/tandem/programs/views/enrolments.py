"""Who is in a program: the participants page and its row actions (htmx partials), the
invitation links, and joining through one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.core.exceptions import ApplicationError, NotFound, Repeated
from tandem.core.pagination import page_of
from tandem.core.web import (
    confirm_page,
    confirmed,
    form_add_error,
    not_found_as_404,
    repeat_shown,
    require_form_methods,
    safe_next,
)
from tandem.programs import selectors, services
from tandem.programs.forms import (
    AdminInviteForm,
    InvitationForm,
    JoinForm,
    ParticipantFilterForm,
)
from tandem.programs.models import ADMIN_INVITATION_DAYS, EnrolmentStatus
from tandem.programs.selectors import ProgramAccess
from tandem.programs.selectors.joining import answers_in_question_order, join_questions
from tandem.programs.selectors.waitlist import (
    enrolments_mark_waitlist_position,
    program_places,
    role_is_full,
    waitlist_position,
)

PAGE_SIZE = 25
WAITING = (EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED)
WAITLISTED_ON_JOIN = (
    "All places in {program} are taken for now: you are number {position} on its waitlist. "
    "You will get a notification when a place is yours."
)
BULK_DECLINE_WHO = {
    frozenset({False}): "awaiting approval",
    frozenset({True}): "on the waitlist",
    frozenset({False, True}): "awaiting approval or on the waitlist",
}
BULK_NOT_NUMBERS = "Nothing was changed: these are not participant ids: {values}. Reload the page."


@login_required
@not_found_as_404
@require_safe
def program_participants(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    return participants_page(request, program)


@login_required
@not_found_as_404
@require_POST
def participants_bulk(request, slug):
    """Approve, decline or admit the ticked people awaiting approval or on the waitlist; the
    filters and page the admin was on come along in the query string, so they land back where
    they were."""
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    action = request.POST.get("action", "")
    given = request.POST.getlist("ids")
    ids = [int(pk) for pk in given if _is_id(pk)]
    not_numbers = [pk for pk in given if not _is_id(pk)]
    if not_numbers:
        message = BULK_NOT_NUMBERS.format(values=", ".join(repr(pk[:20]) for pk in not_numbers))
        error = ApplicationError(message, fields={"ids": message})
        return participants_page(request, program, bulk_error=error, selected=set(ids))
    asked = None
    if action == "decline" and ids and not confirmed(request):
        asked = _confirm_bulk_decline(request, program, ids)
    if asked is not None:
        return asked
    try:
        changed = services.enrolment_set_status_bulk(
            user=request.user, program_id=program.pk, enrolment_ids=ids, action=action
        )
    except NotFound:
        raise
    except ApplicationError as error:
        return participants_page(request, program, bulk_error=error, selected=set(ids))
    done = {"approve": "Approved", "decline": "Declined", "admit": "Admitted"}[action]
    messages.success(request, f"{done} {len(changed)} {_people(len(changed))}.")
    back = reverse("program_participants", args=[program.slug])
    return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)


def _confirm_bulk_decline(request, program, ids):
    """Names the ticked people of this program awaiting approval or on the waitlist; anyone
    else ticked is left to the service, which refuses the whole batch and says why (at once
    when none is)."""
    waiting = selectors.participant_list(program=program).filter(status__in=WAITING)
    ticked = list(waiting.filter(pk__in=ids).order_by("pk")[:50])
    names = [e.person.display_name for e in ticked]
    if not names:
        return None
    on_waitlist = {e.status == EnrolmentStatus.WAITLISTED for e in ticked}
    shown = ", ".join(names) + (f" and {len(ids) - len(names)} more" if len(ids) > 50 else "")
    back = reverse("program_participants", args=[program.slug])
    return confirm_page(
        request,
        title=f"Decline {len(ids)} {_people(len(ids))} {BULK_DECLINE_WHO[frozenset(on_waitlist)]}?",
        consequences=[
            f"Their requests to join {program.name} are declined: {shown}.",
            "Nobody is told: they get no email or notice about it.",
            "Their profiles and join answers are kept; Reactivate on the people page undoes it "
            "for each one.",
        ],
        button="Decline them",
        back=f"{back}?{request.GET.urlencode()}" if request.GET else back,
        carry={"ids": [str(pk) for pk in ids], "action": ["decline"]},
    )


def _is_id(value: str) -> bool:
    """Only ASCII digits are an id ("²".isdigit() is true too, and int() refuses it), and
    not thousands of them (int() refuses those as well)."""
    return value.isascii() and value.isdigit() and len(value) <= 19


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def participants_page(
    request, program, *, bulk_error=None, selected=frozenset(), admin_form=None, status=200
):
    """The people page, also shown again with a failed bulk decision or admin invitation."""
    filters = ParticipantFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    queryset = selectors.participant_list(
        program=program,
        role=data.get("role", ""),
        status=data.get("status", ""),
        search=data.get("q", ""),
    )
    page = page_of(request, queryset.values_list("pk", flat=True), PAGE_SIZE)
    page.object_list = enrolments_mark_waitlist_position(
        enrolments=selectors.participant_rows(ids=list(page.object_list), viewer=request.user)
    )
    admin_ids = selectors.program_admin_person_ids(
        program_id=program.pk, person_ids=[e.person_id for e in page.object_list]
    )
    query = {key: value for key, value in data.items() if value}
    return render(
        request,
        "programs/participants.html",
        {
            "program": program,
            "page_obj": page,
            "filters": filters,
            "query_string": urlencode(query),
            "pending_on_page": sum(e.status == EnrolmentStatus.PENDING for e in page.object_list),
            "places": program_places(program=program),
            "waitlisted_on_page": sum(
                e.status == EnrolmentStatus.WAITLISTED for e in page.object_list
            ),
            "bulk_error": bulk_error,
            "selected": selected,
            "admin_person_ids": admin_ids,
            "admin_form": admin_form or AdminInviteForm(),
            "admin_invitations": selectors.admin_invitation_list(program=program)[:10],
            "invitation_days": ADMIN_INVITATION_DAYS,
        },
        status=bulk_error.status if bulk_error else status,
    )


@login_required
@not_found_as_404
@require_form_methods
def participant_action(request, slug, enrolment_id, action):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    if action == "remove" and not confirmed(request):
        asked = _confirm_removal(request, program, enrolment_id)
        if asked is not None:
            return asked
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    error = None
    try:
        enrolment = services.enrolment_set_status(
            user=request.user, program_id=program.pk, enrolment_id=enrolment_id, action=action
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        error = exc.message
        # An unknown action is refused before the service looks the enrolment up.
        enrolment = selectors.access_enrolment(
            user=request.user, program_id=program.pk, enrolment_id=enrolment_id
        )
    context: dict[str, object] = {"program": program, "enrolment": enrolment, "error": error}
    if request.headers.get("HX-Request"):
        selectors.participants_mark_profile_visible(
            enrolments=answers_in_question_order([enrolment]), viewer=request.user
        )
        enrolments_mark_waitlist_position(enrolments=[enrolment])
        context["admin_person_ids"] = selectors.program_admin_person_ids(
            program_id=program.pk, person_ids=[enrolment.person_id]
        )
        return render(request, "programs/_participant_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            f"{enrolment.person.display_name} ({enrolment.get_role_display().lower()}) is now "
            f"{enrolment.get_status_display().lower()}.",
        )
    # Back where the admin came from (the admin home passes ``next``), else the people page.
    return redirect(safe_next(request, reverse("program_participants", args=[program.slug])))


def _joined_with(uses: int) -> str:
    if not uses:
        return "Nobody has joined with it yet."
    people = "1 person" if uses == 1 else f"{uses} people"
    return f"The {people} who joined with it stay in the program."


def _confirm_removal(request, program, enrolment_id):
    """Removing (declining a request to join) asks first; ``None`` when there is nothing to
    remove, so the service says why not. "Keep" goes back where the admin came from."""
    enrolment = selectors.access_enrolment(
        user=request.user, program_id=program.pk, enrolment_id=enrolment_id
    )
    back = safe_next(request, reverse("program_participants", args=[program.slug]))
    if enrolment.status == EnrolmentStatus.REMOVED:
        return None
    name, role = enrolment.person.display_name, enrolment.get_role_display().lower()
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        return confirm_page(
            request,
            title=f"Remove {name} from the waitlist of {program.name}?",
            consequences=[
                f"{name} no longer waits for a place as {role}; everyone behind them moves up.",
                f"Nobody is told: {name} gets no email or notice about it.",
                "Their profile and join answers are kept; Reactivate on the people page brings "
                "them back when a place is free.",
            ],
            button="Remove from the waitlist",
            back=back,
        )
    pending = enrolment.status == EnrolmentStatus.PENDING
    return confirm_page(
        request,
        title=(
            f"Decline {name}'s request to join {program.name}?"
            if pending
            else f"Remove {name} ({role}) from {program.name}?"
        ),
        consequences=[
            f"{name}'s enrolment as {role} is marked removed"
            + (": they do not join the program." if pending else "."),
            f"Nobody is told: {name} gets no email or notice about it.",
            *([] if pending else ["Mentorships they already have are not ended by this."]),
            "Their profile and join answers are kept; Reactivate on the people page undoes it.",
        ],
        button="Decline the request" if pending else f"Remove {name}",
        back=back,
    )


@login_required
@not_found_as_404
@require_form_methods
def program_invitations(request, slug):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                user=request.user, program_id=program.pk, **form.cleaned_data
            )
        except Repeated as repeat:
            return repeat_shown(request, repeat)
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
        },
    )


@login_required
@not_found_as_404
@require_form_methods
def invitation_revoke(request, slug, invitation_id):
    program = selectors.access_program(user=request.user, slug=slug, need=ProgramAccess.ADMIN)
    invitation = selectors.access_invitation(
        user=request.user, program_id=program.pk, invitation_id=invitation_id
    )
    if invitation.revoked_at is None and not confirmed(request):
        return confirm_page(
            request,
            title="Revoke this invitation link?",
            consequences=[
                f"The link stops working at once: nobody else can join {program.name} with it.",
                _joined_with(invitation.uses),
                "Nobody is told; anyone who opens the link is told it no longer works.",
                "It cannot be undone: make a new link to invite people again.",
            ],
            button="Revoke the link",
            back=reverse("program_invitations", args=[program.slug]),
        )
    services.invitation_revoke(
        user=request.user, program_id=program.pk, invitation_id=invitation_id
    )
    messages.success(request, "Revoked the link; it no longer lets anyone join.")
    return redirect("program_invitations", slug=program.slug)


@not_found_as_404
@require_form_methods
def program_join(request, token):
    invitation = selectors.access_invitation(user=request.user, token=token)
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
    # Someone who left by themself may come back by a link (the service re-opens that
    # enrolment): only an enrolment they still hold leaves nothing to do here.
    existing = [
        e
        for e in selectors.enrolment_list_for_user_in_program(user=request.user, program=program)
        if e.role == invitation.role and e.status != EnrolmentStatus.LEFT
    ]
    questions = join_questions(program=program, role=invitation.role)
    posted = request.POST if request.method == "POST" else None  # bound even when empty
    form = JoinForm(posted, questions=questions)
    if request.method == "POST" and not problem and not existing and form.is_valid():
        try:
            enrolment = services.enrolment_join_by_invitation(
                user=request.user, token=token, answers=form.cleaned_data
            )
        except ApplicationError as error:
            form_add_error(form, error, prefixes={"weights.": "weight_"})
        else:
            if enrolment.status == EnrolmentStatus.ACTIVE:
                messages.success(request, f"Welcome to {program.name}!")
            elif enrolment.status == EnrolmentStatus.WAITLISTED:
                position = waitlist_position(enrolment=enrolment)
                messages.success(
                    request, WAITLISTED_ON_JOIN.format(program=program.name, position=position)
                )
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
            "role_full": role_is_full(program=program, role=invitation.role),
        },
    )
