"""The profile's manager picker: a search among the people the person can already see, and
the chosen one shown back on the form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tandem.people import selectors
from tandem.people.models import Profile, User
from tandem.people.ratelimit import lookup_allowed

MANAGER_SUGGESTIONS = 10
LOOKUP_THROTTLED = "Too many searches in a short time. Wait a minute and try again."


NO_LONGER_VISIBLE = "Your manager (no longer in a program with you)"


def person_label(person: User) -> dict:
    """What tells two people apart in the list without showing an email: the name and the
    department."""
    profile = getattr(person, "profile", None)
    return {
        "id": person.pk,
        "name": person.get_full_name(),
        "department": profile.department if profile else "",
    }


def visible_person_label(*, viewer: User, user_id: int | None) -> dict | None:
    """``person_label`` of ``user_id`` if ``viewer`` may see them, else ``None`` (ids come from
    the browser, so this is checked on every render)."""
    if not user_id or user_id not in selectors.profiles_visible_to(
        viewer=viewer, user_ids=[user_id]
    ):
        return None
    return person_label(User.objects.select_related("profile").get(pk=user_id))


def chosen_manager(*, profile: Profile, viewer: User, chosen_id: int | None = None) -> dict | None:
    """The manager picked from the list (an account link without a typed email), shown as a
    ticked choice. One the owner can no longer see stays linked and shows by the name stored
    with it, never by the account's email (which the owner may not read)."""
    if chosen_id is None and profile.manager_email:
        return None  # typed as a name and email: the form shows those
    wanted = profile.manager_id if chosen_id is None else chosen_id
    label = visible_person_label(viewer=viewer, user_id=wanted)
    still_linked = bool(wanted) and wanted == profile.manager_id and not profile.manager_email
    if label is None and still_linked:
        return {"id": wanted, "name": NO_LONGER_VISIBLE, "department": ""}
    return label


@login_required
@require_safe
def manager_suggest(request):
    """htmx: up to ten people the viewer can see whose name contains what was typed (at
    least two characters)."""
    if not lookup_allowed(purpose="people", user_id=request.user.pk):
        return render(
            request, "people/_manager_options.html", {"error": LOOKUP_THROTTLED}, status=429
        )
    query = " ".join(request.GET.get("q", "").split())
    people = selectors.people_search_visible_to(
        viewer=request.user, query=query, limit=MANAGER_SUGGESTIONS
    )
    return render(
        request,
        "people/_manager_options.html",
        {
            "people": [person_label(person) for person in people],
            "too_short": len(query) < selectors.PEOPLE_SEARCH_MIN_LENGTH,
            "min_length": selectors.PEOPLE_SEARCH_MIN_LENGTH,
        },
    )
