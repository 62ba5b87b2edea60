"""The mentee's ranked list of mentors in a self-serve program."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from tandem.core.pagination import page_of
from tandem.matchruns import selectors
from tandem.matchruns.forms import MentorFilterForm
from tandem.matchruns.views.runs import run_errors
from tandem.mentorships.selectors import request_list_sent
from tandem.programs.selectors import ProgramAccess, access_program
from tandem.programs.views.standing import shows_own_standing

MENTORS_PER_PAGE = 12


def _optional_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
@require_safe
@shows_own_standing
@run_errors
def program_mentors(request, slug: str):
    program = access_program(user=request.user, slug=slug, need=ProgramAccess.MENTEE)
    filters = selectors.MentorFilters(
        **{
            name: request.GET.get(name, "").strip()[:64]
            for name in ("skill", "language", "timezone", "format")
        }
    )
    result = selectors.mentor_recommendations(user=request.user, program=program, filters=filters)
    form = MentorFilterForm(request.GET or None, options=result.options)
    page = page_of(request, result.items, MENTORS_PER_PAGE)
    waiting = {
        r.recipient_id: r.pk
        for r in request_list_sent(user=request.user, pending_only=True).filter(program=program)
    }
    cards = [
        {
            "mentor": item,
            "profile_url": _optional_url("profile_detail", item.mentor_id),
            "request_url": _request_url(program, item.mentor_id),
            "asked_url": (
                reverse("request_detail", args=[waiting[item.mentor_id]])
                if item.mentor_id in waiting
                else None
            ),
        }
        for item in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "matchruns/mentors.html",
        {
            "program": program,
            "form": form,
            "page_obj": page,
            "cards": cards,
            "query_string": query.urlencode(),
            "filtered": any(vars(filters).values()),
            "preparing": result.preparing,
        },
    )


def _request_url(program, mentor_id: int) -> str | None:
    """Mentorships' request form, preset to this program and mentor (if that app has one)."""
    base = _optional_url("request_new")
    return f"{base}?{urlencode({'program': program.pk, 'to': mentor_id})}" if base else None
