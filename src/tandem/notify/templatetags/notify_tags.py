from django import template

from tandem.notify.selectors import notification_unread_count

register = template.Library()


@register.inclusion_tag("notify/_nav_link.html", takes_context=True)
def notify_nav_link(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    count = notification_unread_count(user=user) if user and user.is_authenticated else 0
    current = getattr(getattr(request, "resolver_match", None), "url_name", "")
    return {"unread_count": count, "is_current": current == "notification_list"}
