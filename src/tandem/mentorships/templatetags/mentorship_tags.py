import zoneinfo
from datetime import UTC, datetime

from django import template
from django.utils import timezone

from tandem.core.templatetags.readable_dates import day, day_in
from tandem.mentorships import selectors
from tandem.mentorships.models import Meeting, MeetingFormat
from tandem.mentorships.services.agreement_content import EXPECTATION_LABELS, agreement_gaps
from tandem.mentorships.services.attendance import attendance_refusal
from tandem.people.choices import Cadence

register = template.Library()


@register.filter
def in_zone(value, zone):
    """A datetime in another person's zone, e.g. ``{{ meeting.starts_at|in_zone:other_zone }}``."""
    if value is None or zone is None:
        return value
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    # Naive on purpose: Django's ``date`` filter would convert an aware value back into the
    # viewer's zone.
    return value.astimezone(zone).replace(tzinfo=None)


@register.filter
def agreed_dates(mentorship) -> str:
    """The dates a mentorship runs, as its page and both lists show them; one that ended before
    its agreed first day never ran them, so they say that instead (ui review: the page and the
    lists read "10 Dec 2026 – 10 Jun 2027" for a pair that ended on 3 Dec)."""
    if mentorship.ended_before_start:
        ended = day_in(mentorship.ended_at)
        return f"Ended {ended}, before its start on {day(mentorship.starts_on)}"
    if mentorship.starts_on is None or mentorship.ends_on is None:
        return ""
    return f"{day(mentorship.starts_on)} – {day(mentorship.ends_on)}"


@register.filter
def choice_label(value, kind):
    """The words for a stored choice: ``{{ content.cadence|choice_label:"cadence" }}``."""
    choices = {"cadence": Cadence, "format": MeetingFormat}[kind]
    try:
        return choices(value).label
    except ValueError:
        return value


@register.simple_tag
def expectation_label(field: str) -> str:
    """The agreement's words for an expectations field, the same on the page as in the form."""
    return EXPECTATION_LABELS[field]


@register.filter
def gaps(content) -> list[str]:
    """What a version leaves empty that makes an agreement useful (``agreement_gaps``)."""
    return agreement_gaps(content or {})


@register.inclusion_tag("mentorships/_dashboard_section.html", takes_context=True)
def mentorship_dashboard(context):
    """The dashboard's cards below the next steps: my mentorships and upcoming meetings (the
    next steps list the requests, signatures and action items waiting on me)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "user": user,
        "mentorships": list(selectors.mentorship_list_for(user=user, open_only=True)[:10]),
        "upcoming": list(selectors.meetings_upcoming_for(user=user)[:5]),
    }


@register.filter
def rrule_text(rule: str, zone: str = "UTC") -> str:
    """``FREQ=WEEKLY;INTERVAL=2;COUNT=4`` → ``every 2 weeks, 4 meetings``; with ``UNTIL``,
    ``every 2 weeks, until 30 Jun 2027``, the last day in ``zone``, the series' own.

    ``UNTIL`` is the end of the last day in the organiser's zone, stored in UTC: read as a UTC
    date it named the next day west of Greenwich (a Los Angeles series to 30 June read "until
    01/07/2027"), and in a format no other page uses (journeys review)."""
    parts = dict(part.split("=", 1) for part in (rule or "").split(";") if "=" in part)
    unit = {"WEEKLY": "week", "MONTHLY": "month", "DAILY": "day"}.get(parts.get("FREQ", ""), "time")
    interval = int(parts.get("INTERVAL", 1))
    text = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} meetings"
    elif "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        last_day = until.astimezone(zoneinfo.ZoneInfo(zone or "UTC")).date()
        text += f", until {day(last_day)}"
    return text


@register.filter
def has_started(meeting: Meeting) -> bool:
    return meeting.starts_at <= timezone.now()


@register.filter
def markable(meeting: Meeting) -> bool:
    """Whether either of the pair may still say whether ``meeting`` took place (the
    mentorship being open is the template's to check)."""
    return attendance_refusal(meeting, timezone.now()) is None
