from django import template

from tandem.messaging.selectors import unread_total_for

register = template.Library()


@register.inclusion_tag("messaging/_nav_link.html", takes_context=True)
def messaging_nav_link(context: template.Context) -> dict[str, object]:
    """The navigation's "Messages" link with the exact number of unread messages."""
    request = context.get("request")
    user = getattr(request, "user", None)
    current = getattr(getattr(request, "resolver_match", None), "app_name", "")
    url_name = getattr(getattr(request, "resolver_match", None), "url_name", "")
    return {
        "unread": unread_total_for(user=user) if user is not None else 0,
        # live.js counts a new message from someone else on the badge as it arrives.
        "me": getattr(user, "pk", None) or "",
        "is_current": url_name in {"conversation_list", "mentorship_messages", "request_messages"}
        or current == "messaging",
    }
