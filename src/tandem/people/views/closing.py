"""Deleting one's own account: a page that says what is erased and what is kept, the
password typed again, and one button (``core.web.confirm_page``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from tandem.core.exceptions import ApplicationError
from tandem.core.web import confirm_page, confirmed, form_add_error, require_form_methods
from tandem.people.ratelimit import client_ip
from tandem.people.services.closing import account_delete as account_delete_service
from tandem.people.services.closing import account_delete_blockers

# What stays of check-ins (docs/people.md, *Kept, without a name*): the page listed the other
# records the pair shares and said nothing of the answers (ux review).
CHECKINS_KEPT = (
    "Your check-in answers stay too: what you shared stays with whoever you shared it with, the "
    "rest is read by nobody, and the program's figures go on counting them, never by name."
)
ERASED = (
    "Your name and email address are erased, and so is your profile: headline, bio, goals, "
    "expertise, skills, weekly availability, and everything matching kept from them.",
    "Your self-identified background answers, the answers you gave when joining programs, "
    "API tokens, calendar feed address, private meeting notes, notifications and notification "
    "settings are deleted.",
    "You leave every program. Your open requests are withdrawn or declined, and your open "
    "mentorships end: the other person is told, and the program's admins too.",
    "Mentorships you had, their messages, goals, meetings and shared notes stay for the other "
    "person, with you shown as “a former member”. Equity sums already kept stay as they are, "
    "with no name (as the background page says).",
    CHECKINS_KEPT,
    "A participant file that a program's admins uploaded, kept until a day after the upload at "
    "most, loses your rows and your email address wherever another row names it, and a file you "
    "uploaded yourself is deleted. The import's report of problems, which may quote an email "
    "address from a row, stays with the program.",
    "You can no longer log in, and every device signed in to your account is signed out. This "
    "cannot be undone; you may sign up again later as a new member.",
)


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Type it to confirm that it is you.",
    )


@login_required
@require_form_methods
def account_delete(request):
    blockers = account_delete_blockers(user=request.user)
    if blockers:  # said before the password is typed, as the service would refuse
        return render(
            request,
            "people/account_delete_blocked.html",
            {"blockers": blockers},
            status=409 if request.method == "POST" else 200,
        )
    form = AccountDeleteForm(request.POST if confirmed(request) else None)
    status = 400
    if confirmed(request) and form.is_valid():
        try:
            account_delete_service(
                user=request.user, password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except ApplicationError as error:
            form_add_error(form, error)
            status = error.status
        else:
            logout(request)
            return redirect("account_deleted")
    response = confirm_page(
        request,
        title="Delete your account?",
        consequences=list(ERASED),
        button="Delete my account",
        back=reverse("account"),
        keep="Keep my account",
        form=form,
    )
    if form.is_bound and form.errors:
        response.status_code = status
    return response


@require_safe
def account_deleted(request):
    return render(request, "people/account_deleted.html")
