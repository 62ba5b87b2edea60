"""Account pages: sign-up, log-in, email verification, password reset, the account page
and its API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.web import form_add_error, require_form_methods, safe_next
from tandem.people import selectors, services
from tandem.people.forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    NewPasswordForm,
    SignUpForm,
)
from tandem.people.ratelimit import client_ip, email_send_allowed, email_throttle_message
from tandem.people.tasks import password_reset_send
from tandem.people.views.common import FORM_PREFIXES


@require_form_methods
def signup(request):
    """Whether or not the email already has an account, a valid form leads to the same "check
    your email" page: the new account's owner gets a confirmation link, an existing one a note
    (see ``services.user_sign_up``)."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not email_send_allowed(purpose="signup", email=email, ip=client_ip(request)):
            form.add_error(None, email_throttle_message())
            status = 429
        else:
            try:
                services.user_sign_up(
                    email=email,
                    password=form.cleaned_data["password"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    timezone=form.cleaned_data["timezone"],
                    next_path=safe_next(request, ""),
                )
            except ApplicationError as error:
                form_add_error(form, error, prefixes=FORM_PREFIXES)
            else:
                target = reverse("signup_sent")
                next_url = safe_next(request, "")
                return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": safe_next(request, "")},
        status=status,
    )


@require_safe
def signup_sent(request):
    return render(request, "registration/signup_sent.html", {"next": safe_next(request, "")})


@require_safe
def verify_email(request, token: str):
    try:
        user = services.user_verify_email(token=token)
    except ApplicationError as error:
        return render(request, "people/verify_email.html", {"error": error.message}, status=400)
    # The link of a sign-up made from an invitation carries where to go on (the join page).
    next_url = safe_next(request, "")
    return render(request, "people/verify_email.html", {"verified_user": user, "next": next_url})


@login_required
@require_POST
def verify_email_resend(request):
    if request.user.email_verified_at:
        messages.info(request, "Your email address is already confirmed.")
    else:
        services.user_send_verification(user=request.user)
        messages.success(request, f"We sent a new confirmation link to {request.user.email}.")
    return redirect(safe_next(request, reverse("account")))


@method_decorator(require_form_methods, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        # The site's one rule for ``next``: Django's own let ``next=abc`` through, and the
        # browser resolved it to /login/abc (a 404) after a successful log-in.
        return safe_next(request or self.request, "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["for_invitation"] = leads_to_invitation(context.get("next", ""))
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = 429
        return response


@method_decorator(require_POST, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); the nav's log-out button is a form."""


@method_decorator(require_form_methods, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Counted per email address and per client address, and sent by the worker, the same
    way whether or not an account exists (``tasks.password_reset_send``)."""

    template_name = "people/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email, ip = form.cleaned_data["email"], client_ip(self.request)
        if not email_send_allowed(purpose="password-reset", email=email, ip=ip):
            form.add_error(None, email_throttle_message())
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        password_reset_send.enqueue(email)
        return redirect(self.get_success_url())


@method_decorator(require_safe, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.html"


@method_decorator(require_form_methods, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "people/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, *args, **kwargs):
        # Django swaps the emailed link for a token-free address and drops its query: the
        # ``next`` (an import's invitation) goes along, and on to the log-in after saving.
        response = super().dispatch(*args, **kwargs)
        next_url = safe_next(self.request, "")
        if next_url and self.request.method == "GET" and isinstance(response, HttpResponseRedirect):
            response["Location"] = with_next(response["Location"], next_url)
        return response

    def get_success_url(self) -> str:
        return with_next(super().get_success_url(), safe_next(self.request, ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["for_invitation"] = leads_to_invitation(safe_next(self.request, ""))
        return context

    def form_valid(self, form):
        # Through the service, not ``form.save()``: a new password also revokes the API tokens
        # and replaces the calendar feed's address (services.passwords). Every session ends.
        with transaction.atomic():
            services.user_password_set(user=form.user, password=form.cleaned_data["new_password1"])
            # Opening the emailed link proves the address, so it counts as verified too.
            services.user_mark_email_verified(user=form.user)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())


@method_decorator(require_safe, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = next_url = safe_next(self.request, "")
        context["for_invitation"] = leads_to_invitation(next_url)
        return context


def with_next(url: str, next_url: str) -> str:
    """``url`` carrying ``next_url`` (already checked with ``safe_next``) on, if there is one."""
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def leads_to_invitation(next_url: str) -> bool:
    """Whether the page after log-in is an import's invitation: the log-in and password pages
    then say why they are asked for (journeys review: a bare "Log in" named no invitation, and
    the set-password flow ended on the dashboard, far from the invitation)."""
    if not next_url:
        return False
    try:
        return resolve(urlsplit(next_url).path).url_name == "participant_invitation"
    except Resolver404:
        return False


@login_required
@require_form_methods
def account(request):
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_secret = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ApplicationError as error:
            form_add_error(form, error, prefixes=FORM_PREFIXES)
        else:
            form = ApiTokenForm()
            messages.success(
                request, f"Token “{token.name}” created. Copy it now: it will not be shown again."
            )
    return render(
        request,
        "people/account.html",
        {
            "form": form,
            "new_secret": new_secret,
            "tokens": selectors.api_token_list(user=request.user)[:50],
        },
    )


@login_required
@require_POST
def api_token_revoke(request, token_id: int):
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("account")
