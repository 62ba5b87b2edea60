"""Pages for the agreement: propose a version, read one, sign it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from tandem.core.exceptions import ApplicationError
from tandem.core.pagination import page_of
from tandem.core.web import form_add_error, require_form_methods
from tandem.mentorships import selectors, services
from tandem.mentorships.forms import AgreementForm
from tandem.mentorships.services.agreement import agreement_seen
from tandem.mentorships.services.agreement_content import EXAMPLES
from tandem.mentorships.views.common import back_to_mentorship, mentorship_errors

AGREEMENT_UNCHANGED = (
    "Nothing changed: this is version {number} as it stands, so no new version was made. "
    "Change something to propose one, or sign this one if it reads right."
)


@login_required
@mentorship_errors
@require_form_methods
def agreement_edit(request, mentorship_id: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    agreement_seen(user=request.user, mentorship=mentorship)
    latest = selectors.agreement_version_latest(mentorship=mentorship)
    form = AgreementForm.for_version(latest, request.POST or None)
    newer, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            version, created = services.agreement_propose(
                user=request.user,
                mentorship_id=mentorship_id,
                content=form.content(),
                based_on=form.cleaned_data["based_on"],
            )
        except services.AgreementChangedMeanwhile as error:
            form, newer, status = _changed_meanwhile(request, form, error), error.latest, 409
            latest = newer
        except ApplicationError as error:
            # The service names ``objectives.2.goal``; the form has a flat ``objective_2_goal``.
            form_add_error(
                form,
                error,
                prefixes={"objectives.": "objective_"},
                renames={"objectives": "objective_1_goal"},
            )
        else:
            if not created:
                messages.info(request, AGREEMENT_UNCHANGED.format(number=version.number))
                return redirect("agreement_version", mentorship.pk, version.number)
            messages.success(
                request,
                f"Saved as version {version.number}. Sign it when it "
                "reads right; it takes effect when you both have.",
            )
            return redirect("agreement_version", mentorship.pk, version.number)
    return render(
        request,
        "mentorships/agreement_edit.html",
        {
            "mentorship": mentorship,
            "form": form,
            "latest": latest,
            "newer": newer,
            "examples": EXAMPLES,
        },
        status=status,
    )


def _changed_meanwhile(
    request, form: AgreementForm, error: services.AgreementChangedMeanwhile
) -> AgreementForm:
    """What was typed, kept, in a form that now says it was made from the newer version (so
    saving it again is a deliberate choice), with the refusal on top."""
    data = request.POST.copy()
    data["based_on"] = error.latest.number
    again = AgreementForm.for_version(error.latest, data, rows=form.rows)
    again.is_valid()
    again.add_error(None, error.message)
    return again


@login_required
@mentorship_errors
@require_safe
def agreement_version(request, mentorship_id: int, number: int):
    mentorship = selectors.access_mentorship(user=request.user, mentorship_id=mentorship_id)
    viewer = selectors.Viewer(is_participant=True, is_admin=False)
    versions = selectors.agreement_version_list(mentorship=mentorship)
    version = versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    latest = selectors.agreement_version_latest(mentorship=mentorship)
    agreement_seen(user=request.user, mentorship=mentorship)
    signed_by_me = (
        version.signed_by_mentor_at
        if request.user.pk == mentorship.mentor_id
        else version.signed_by_mentee_at
    )
    return render(
        request,
        "mentorships/agreement_version.html",
        {
            "mentorship": mentorship,
            "viewer": viewer,
            "version": version,
            "page_obj": page_of(request, versions, selectors.AGREEMENT_VERSIONS_PAGE),
            "is_latest": latest is not None and version.number == latest.number,
            "signed_by_me": signed_by_me,
        },
    )


@login_required
@require_POST
@mentorship_errors
def agreement_sign(request, mentorship_id: int, number: int):
    version = services.agreement_sign(user=request.user, mentorship_id=mentorship_id, number=number)
    return back_to_mentorship(
        request,
        mentorship_id,
        f"Signed. Version {number} is now in effect."
        if version.fully_signed
        else f"Signed version {number}. It takes effect when your partner signs too.",
    )
