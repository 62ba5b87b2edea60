"""Account and profile pages. Thin: parse with a form, call one service, render.

Unverified accounts may log in, edit their profile, manage tokens and use programs; every
people page shows a "verify your email" notice with a resend button until they do.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.web import form_add_error
from tandem.matching.records.availability import format_windows_joined
from tandem.matching.records.cells import WORKING_STYLE_QUESTIONS, skill_slug
from tandem.matching.records.languages import LANGUAGES
from tandem.matching.records.timezones import timezone_names
from tandem.people import selectors, services
from tandem.people.forms import (
    WEEKDAY_CHOICES,
    ApiTokenForm,
    EmailAuthenticationForm,
    IdentityForm,
    ProfileForm,
    SignUpForm,
    availability_rows_from_post,
)
from tandem.people.ratelimit import client_ip, email_send_allowed, email_throttle_message
from tandem.people.tasks import password_reset_send

# Working-style answers are ``working_style.<key>`` in the service, ``ws_<key>`` on the form.
FORM_PREFIXES = {"working_style.": "ws_"}

SKILL_SUGGESTIONS = 10


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- accounts ------------------------------------------------------------------------------
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
                )
            except ApplicationError as error:
                form_add_error(form, error, prefixes=FORM_PREFIXES)
            else:
                target = reverse("signup_sent")
                next_url = _safe_next(request, "")
                return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": _safe_next(request, "")},
        status=status,
    )


@require_GET
def signup_sent(request):
    return render(request, "registration/signup_sent.html", {"next": _safe_next(request, "")})


@require_GET
def verify_email(request, token: str):
    try:
        user = services.user_verify_email(token=token)
    except ApplicationError as error:
        return render(request, "people/verify_email.html", {"error": error.message}, status=400)
    return render(request, "people/verify_email.html", {"verified_user": user})


@login_required
@require_POST
def verify_email_resend(request):
    if request.user.email_verified_at:
        messages.info(request, "Your email address is already confirmed.")
    else:
        services.user_send_verification(user=request.user)
        messages.success(request, f"We sent a new confirmation link to {request.user.email}.")
    return redirect(_safe_next(request, reverse("account")))


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); the nav's log-out button is a form."""


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


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        # Opening the emailed link proves the address, so it counts as verified too.
        services.user_mark_email_verified(user=form.user)
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.html"


@login_required
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


# --- profile -------------------------------------------------------------------------------
def _profile_initial(profile) -> dict:
    initial = {
        "first_name": profile.user.first_name,
        "last_name": profile.user.last_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "goals": profile.goals,
        "expertise": profile.expertise,
        "skills_offered": ", ".join(s.name for s in profile.skills_offered.all()),
        "skills_wanted": ", ".join(s.name for s in profile.skills_wanted.all()),
        "seniority": profile.seniority,
        "department": profile.department,
        "manager_email": profile.manager_contact,
        "city": profile.city,
        "timezone": profile.timezone,
        "languages": profile.languages,
        "meeting_format": profile.meeting_format,
        "cadence": profile.cadence,
    }
    for key, value in (profile.working_style or {}).items():
        initial[f"ws_{key}"] = value
    return initial


def _windows(profile) -> list[str]:
    return format_windows_joined(
        (w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()
    )


def _window_rows(profile) -> list[dict]:
    rows = []
    for text in _windows(profile):
        day, times = text.split(" ")
        start, end = times.split("-")
        rows.append({"day": day, "start": start, "end": "00:00" if end == "24:00" else end})
    return rows


@lru_cache(maxsize=1)
def _timezone_names() -> list[str]:
    return sorted(timezone_names())


@login_required
def profile_edit(request):
    profile = selectors.profile_get_own(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        rows, windows, row_error = availability_rows_from_post(request.POST)
        availability_error = row_error
        if form.is_valid() and not row_error:
            data = form.cleaned_data
            try:
                services.profile_update(
                    profile=profile,
                    actor=request.user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    headline=data["headline"],
                    bio=data["bio"],
                    goals=data["goals"],
                    expertise=data["expertise"],
                    skills_offered=data["skills_offered"],
                    skills_wanted=data["skills_wanted"],
                    seniority=data["seniority"],
                    department=data["department"],
                    manager_email=data["manager_email"],
                    city=data["city"],
                    timezone=data["timezone"],
                    availability=windows,
                    languages=data["languages"],
                    meeting_format=data["meeting_format"],
                    cadence=data["cadence"],
                    working_style=form.working_style(),
                )
            except ApplicationError as error:
                availability_error = error.fields.get("availability")
                form_add_error(form, error, prefixes=FORM_PREFIXES)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("profile_edit")
        status = 400
    else:
        form = ProfileForm(initial=_profile_initial(profile))
        rows, availability_error, status = _window_rows(profile), None, 200
    rows = rows + [{"day": "", "start": "", "end": ""}]
    return render(
        request,
        "people/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "rows": rows,
            "weekday_choices": WEEKDAY_CHOICES,
            "availability_error": availability_error,
            "completeness": selectors.profile_completeness(profile=profile),
            "timezones": _timezone_names(),
            "skill_fields": [form["skills_offered"], form["skills_wanted"]],
            "language_names": [LANGUAGES.get(code, code) for code in profile.languages],
            "error_summary": _error_summary(form, availability_error),
        },
        status=status,
    )


def _error_summary(form, availability_error) -> list[dict]:
    """Every error with a link to its field, shown at the top of a long form."""
    items = [
        {"label": form[name].label, "message": errors[0], "anchor": form[name].auto_id}
        for name, errors in form.errors.items()
        if name in form.fields and errors
    ]
    if availability_error:
        items.append(
            {
                "label": "Weekly availability",
                "message": availability_error,
                "anchor": "availability-label",
            }
        )
    return items


@login_required
@require_GET
def availability_row(request):
    """htmx: one more empty availability row."""
    return render(
        request,
        "people/_availability_row.html",
        {"row": {"day": "", "start": "", "end": ""}, "weekday_choices": WEEKDAY_CHOICES},
    )


@login_required
@require_GET
def skill_suggest(request):
    """htmx: ``<option>``s completing the last comma-separated entry of a skills field.

    Each option's value is the whole field with the last entry completed, so the browser's
    ``<datalist>`` offers it while the person types.
    """
    field = request.GET.get("field", "")
    text = request.GET.get(field, "") if field in {"skills_offered", "skills_wanted"} else ""
    head, _, last = text.rpartition(",")
    prefix = " ".join(last.split())
    already = {skill_slug(name) for name in head.split(",") if name.strip()}
    options = []
    if prefix:
        for skill in selectors.skill_search(prefix=prefix)[: SKILL_SUGGESTIONS + len(already)]:
            if skill.slug in already:
                continue
            options.append(
                {
                    "value": (head.strip() + ", " if head.strip() else "") + skill.name,
                    "label": skill.name,
                }
            )
            if len(options) == SKILL_SUGGESTIONS:
                break
    return render(request, "people/_skill_options.html", {"options": options})


@login_required
def profile_detail(request, user_id: int):
    try:
        profile = selectors.access_profile(viewer=request.user, user_id=user_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "people/profile_detail.html",
        {
            "profile": profile,
            "is_owner": profile.user_id == request.user.pk,
            "windows": _windows(profile),
            "language_names": [LANGUAGES.get(code, code) for code in profile.languages],
            "working_style": _working_style_rows(profile),
            "completeness": selectors.profile_completeness(profile=profile),
        },
    )


def _working_style_rows(profile) -> list[dict]:
    return [
        {"left": left, "right": right, "value": profile.working_style.get(key)}
        for key, (left, right) in WORKING_STYLE_QUESTIONS.items()
        if profile.working_style.get(key)
    ]


# --- identity (owner only) -----------------------------------------------------------------
@login_required
def identity_edit(request):
    identity = selectors.identity_get_own(user=request.user)
    if request.method == "POST":
        form = IdentityForm(request.POST)
        if form.is_valid():
            try:
                services.identity_set(
                    user=request.user,
                    attributes=form.attribute_list(),
                    prefer_shared=form.cleaned_data["prefer_shared"],
                    consent=form.cleaned_data["consent"],
                )
            except ApplicationError as error:
                form_add_error(form, error, prefixes=FORM_PREFIXES)
            else:
                messages.success(request, "Saved. Only you can see this.")
                return redirect("identity_edit")
        status = 400
    else:
        initial = {}
        if identity:
            initial = {
                "attributes": "\n".join(identity.attributes),
                "prefer_shared": identity.prefer_shared,
            }
        form, status = IdentityForm(initial=initial), 200
    return render(
        request, "people/identity.html", {"form": form, "identity": identity}, status=status
    )


@login_required
@require_POST
def identity_withdraw(request):
    if services.identity_withdraw(user=request.user):
        messages.success(request, "Deleted. Tandem no longer holds this information about you.")
    return redirect("identity_edit")
