"""The personal calendar feed: its settings page, a new secret link, and the feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from tandem.mentorships import calendar as ics
from tandem.mentorships import selectors, services
from tandem.notify.services import absolute_url


@login_required
@require_safe
def calendar_settings(request):
    feed = services.calendar_feed_ensure(user=request.user)
    # Under SITE_URL, as in emails: behind a proxy the request's host is the replica's own.
    url = absolute_url(reverse("calendar_feed", args=[feed.token]))
    return render(
        request,
        "mentorships/calendar.html",
        {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


@login_required
@require_POST
def calendar_regenerate(request):
    services.calendar_feed_regenerate(user=request.user)
    messages.success(
        request,
        "New calendar link created. The old link no longer works: update your calendar app.",
    )
    return redirect("calendar_settings")


@require_safe
def calendar_feed(request, token: str):
    user = selectors.calendar_feed_user(token=token)
    if user is None:
        raise Http404("No such calendar.")
    series, meetings = selectors.calendar_meetings_for(user=user)
    response = HttpResponse(
        ics.feed_ics(series=series, meetings=meetings), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
