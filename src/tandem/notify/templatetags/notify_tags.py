from django import template

from tandem.notify.selectors import notification_unread_count

register = template.Library()


def unread_count_for(request) -> int:
    """The signed-in person's unread count, counted once per request (the navigation link and
    the phone's menu button both show it)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return 0
    if not hasattr(request, "_tandem_unread_count"):
        request._tandem_unread_count = notification_unread_count(user=user)
    return request._tandem_unread_count


@register.inclusion_tag("notify/_nav_link.html", takes_context=True)
def notify_nav_link(context):
    request = context.get("request")
    current = getattr(getattr(request, "resolver_match", None), "url_name", "")
    return {"unread_count": unread_count_for(request), "is_current": current == "notification_list"}


@register.simple_tag(takes_context=True)
def notify_unread_count(context) -> int:
    return unread_count_for(context.get("request"))
