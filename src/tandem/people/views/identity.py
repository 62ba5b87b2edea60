"""The opt-in identity page: only its owner sees and changes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tandem.core.exceptions import ApplicationError
from tandem.core.web import form_add_error, require_form_methods
from tandem.people import selectors, services
from tandem.people.forms import (
    IdentityForm,
)
from tandem.people.views.common import FORM_PREFIXES

IDENTITY_SAVED = "Saved. Only you can see this."
IDENTITY_UNCHANGED = "Nothing changed. Only you can see this."
IDENTITY_DELETED = "Deleted. Tandem no longer holds this information about you."


@login_required
@require_form_methods
def identity_edit(request):
    identity = selectors.identity_get_own(user=request.user)
    if request.method == "POST":
        form = IdentityForm(request.POST)
        if form.is_valid():
            try:
                saved, changed = services.identity_set(
                    user=request.user,
                    attributes=form.attribute_list(),
                    consent=form.cleaned_data["consent"],
                )
            except ApplicationError as error:
                form_add_error(form, error, prefixes=FORM_PREFIXES)
            else:
                if not changed:
                    messages.success(request, IDENTITY_UNCHANGED)
                else:  # an emptied box withdraws, as the delete button does
                    messages.success(request, IDENTITY_SAVED if saved else IDENTITY_DELETED)
                return redirect("identity_edit")
        status = 400
    else:
        initial = {}
        if identity:
            # The consent box is never ticked for them: storing anything new needs a fresh tick
            # (a pre-ticked box is no consent); the consent already given shows as its date.
            initial = {"attributes": "\n".join(identity.attributes)}
        form, status = IdentityForm(initial=initial), 200
    return render(
        request, "people/identity.html", {"form": form, "identity": identity}, status=status
    )


@login_required
@require_POST
def identity_withdraw(request):
    if services.identity_withdraw(user=request.user):
        messages.success(request, IDENTITY_DELETED)
    return redirect("identity_edit")
