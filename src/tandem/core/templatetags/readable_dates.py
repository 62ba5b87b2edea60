"""Dates and times as people read them ("8 Dec 2026", "Tue 8 Dec, 14:00 CET"), never ISO and never
"None": ``{% load readable_dates %}`` then ``{{ value|day }}``, ``|day_short``, ``|when``; texts
written outside a template (notifications, emails) use ``when_in`` and ``day_in`` so they read
like the pages.

A value may be a date, an aware date-time (the template turns it into the viewer's zone first,
as for Django's ``date`` filter: ``expects_localtime``), a naive one (already in the zone
meant, e.g. from ``in_zone``) or an ISO string (as an agreement version stores its dates)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

register = template.Library()


def _value(value: object) -> date | datetime | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    return None


@register.filter(expects_localtime=True)
def day(value: object) -> str:
    """``8 Dec 2026``."""
    found = _value(value)
    return date_filter(found, "j M Y") if found else ""


@register.filter(expects_localtime=True)
def day_short(value: object) -> str:
    """``3 Nov`` in the current year, ``3 Nov 2025`` otherwise."""
    found = _value(value)
    if not found:
        return ""
    return date_filter(found, "j M" if found.year == timezone.localdate().year else "j M Y")


@register.filter(expects_localtime=True)
def when(value: object) -> str:
    """``Tue 8 Dec, 14:00 CET`` (and the year when it is not this year's).

    An aware time names the viewer's zone: the two people of a mentorship often live in
    different ones, so a bare "14:00" leaves each guessing whose it is. A naive time (from
    ``in_zone``) is the caller's to label, since Django would name the server's zone."""
    found = _value(value)
    if not isinstance(found, datetime):
        return day(value)
    same_year = found.year == timezone.localdate().year
    shown = date_filter(found, "D j M, H:i" if same_year else "D j M Y, H:i")
    return f"{shown} {date_filter(found, 'T')}" if timezone.is_aware(found) else shown


def day_in(value: date, zone: tzinfo | None = None) -> str:
    """``value``'s day as the ``day`` filter shows it ("8 Dec 2026"), for texts written outside
    a template (notifications, emails, messages, refusals), so a date reads the same in the
    bell, an email and on the page (leftovers review: "08 December 2026", "8 December" and
    "8 Dec 2026" for the same kind of date). An aware date-time is read in ``zone`` (the
    recipient's), or the current zone when none is given."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, zone).date()
    return day(value)


def when_in(moment: datetime, zone: tzinfo) -> str:
    """``moment`` as the ``when`` filter shows it, in ``zone``: a notification or an email is
    written for its recipient, whose zone is not the one of the request that sends it, so a
    meeting reads "Tue 8 Dec, 10:00 EST" in the bell, the email and on the page alike."""
    with timezone.override(zone):
        return when(timezone.localtime(moment))
