"""Links to a program that people share, under ``SITE_URL`` (not the host that answered)."""

from django import template
from django.urls import reverse

from tandem.notify.services import absolute_url

register = template.Library()


@register.simple_tag
def join_url(token: str) -> str:
    """An invitation link's address, as the API's ``url`` gives it."""
    return absolute_url(reverse("program_join", args=[token]))
