import zoneinfo

from django import template
from django.utils import timezone

from tandem.mentorships import selectors

register = template.Library()


@register.filter
def in_zone(value, zone):
    """A datetime in another person's zone, e.g. ``{{ meeting.starts_at|in_zone:other_zone }}``."""
    if value is None or zone is None:
        return value
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    return value.astimezone(zone)


@register.inclusion_tag("mentorships/_dashboard_section.html", takes_context=True)
def mentorship_dashboard(context):
    """The dashboard section: my mentorships, overdue action items, upcoming meetings."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True, "user": user,
        "mentorships": list(selectors.mentorship_list_for(user=user, open_only=True)[:10]),
        "overdue": list(selectors.action_items_overdue_for(user=user)[:10]),
        "upcoming": list(selectors.meetings_upcoming_for(user=user)[:5]),
        "pending_received": selectors.request_list_received(user=user,
                                                            pending_only=True).count(),
        "today": timezone.localdate(),
    }
