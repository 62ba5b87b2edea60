"""Where a meeting takes place: its video link (pasted, or a private room made for it) and
its place, each checked as the meetings' services take them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from tandem.core.exceptions import ApplicationError
from tandem.core.text import one_line
from tandem.mentorships.models import Meeting

BAD_URL = "Paste a full meeting link starting with https:// (Zoom, Meet, Teams, Jitsi...)."
# The columns' lengths: Django's URL check takes links of 2,048 characters, and a longer
# link than the column holds was a database error on PostgreSQL (a 500), not a 400.
VIDEO_URL_LIMIT = Meeting._meta.get_field("video_url").max_length or 300
URL_TOO_LONG = f"Keep the meeting link under {VIDEO_URL_LIMIT} characters."
LOCATION_LIMIT = Meeting._meta.get_field("location").max_length or 200
LOCATION_TOO_LONG = f"Keep the place under {LOCATION_LIMIT} characters."


def video_room_url() -> str:
    base = getattr(settings, "TANDEM_VIDEO_BASE_URL", "https://meet.jit.si").rstrip("/")
    return f"{base}/tandem-{secrets.token_urlsafe(12).replace('_', 'x').replace('-', 'y')}"


def check_video_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ApplicationError(BAD_URL, fields={"video_url": BAD_URL}) from None
    if len(url) > VIDEO_URL_LIMIT:
        raise ApplicationError(URL_TOO_LONG, fields={"video_url": URL_TOO_LONG})
    return url


def check_location(location: str) -> str:
    """The place was cut to the column's length without a word; it is refused instead."""
    location = one_line(location)
    if len(location) > LOCATION_LIMIT:
        raise ApplicationError(LOCATION_TOO_LONG, fields={"location": LOCATION_TOO_LONG})
    return location
