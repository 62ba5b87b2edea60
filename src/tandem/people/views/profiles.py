"""Profile pages: editing one's own profile (with its availability rows and skill suggestions)
and seeing someone's."""

from __future__ import annotations

from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.web import form_add_error, require_form_methods
from tandem.matching.records.availability import format_windows_joined
from tandem.matching.records.cells import WORKING_STYLE_QUESTIONS, skill_slug
from tandem.matching.records.languages import LANGUAGES
from tandem.matching.records.timezones import timezone_names
from tandem.people import selectors, services
from tandem.people.forms import (
    WEEKDAY_CHOICES,
    ProfileForm,
    availability_rows_from_post,
)
from tandem.people.views.common import FORM_PREFIXES
from tandem.people.views.manager import chosen_manager

SKILL_SUGGESTIONS = 10
PROFILE_SAVED = "Your profile is saved."
PROFILE_UNCHANGED = "Nothing changed: your profile is as it was."


def _profile_initial(profile, chosen: dict | None) -> dict:
    initial = {
        "first_name": profile.user.first_name,
        "last_name": profile.user.last_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "goals": profile.goals,
        "expertise": profile.expertise,
        "skills_offered": ", ".join(selectors.skill_labels(profile, "skills_offered")),
        "skills_wanted": ", ".join(selectors.skill_labels(profile, "skills_wanted")),
        "seniority": profile.seniority,
        "department": profile.department,
        "manager": chosen["id"] if chosen else None,
        "manager_name": profile.manager_name,
        "manager_email": "" if chosen else profile.manager_contact,
        "city": profile.city,
        "timezone": profile.timezone,
        "languages": profile.languages,
        "first_language": profile.languages[0] if profile.languages else "",
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
@require_form_methods
def profile_edit(request):
    profile = selectors.profile_get_own(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        rows, windows, row_error = availability_rows_from_post(request.POST)
        availability_error = row_error
        if form.is_valid() and not row_error:
            data = form.cleaned_data
            try:
                _, changed = services.profile_update(
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
                    manager=data["manager"],
                    manager_name=data["manager_name"],
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
                messages.success(request, PROFILE_SAVED if changed else PROFILE_UNCHANGED)
                return redirect("profile_edit")
        status = 400
        chosen = chosen_manager(
            profile=profile, viewer=request.user, chosen_id=form.cleaned_data.get("manager")
        )
    else:
        chosen = chosen_manager(profile=profile, viewer=request.user)
        form = ProfileForm(initial=_profile_initial(profile, chosen))
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
            "manager_chosen": chosen,
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
@require_safe
def availability_row(request):
    """htmx: one more empty availability row."""
    return render(
        request,
        "people/_availability_row.html",
        {"row": {"day": "", "start": "", "end": ""}, "weekday_choices": WEEKDAY_CHOICES},
    )


@login_required
@require_safe
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
            if skill["slug"] in already:
                continue
            options.append(
                {
                    "value": (head.strip() + ", " if head.strip() else "") + skill["suggested_as"],
                    "label": skill["suggested_as"],
                }
            )
            if len(options) == SKILL_SUGGESTIONS:
                break
    return render(request, "people/_skill_options.html", {"options": options})


@login_required
@require_safe
def profile_detail(request, user_id: int):
    try:
        profile = selectors.access_profile(user=request.user, user_id=user_id)
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
