"""The personal calendar feed's secret link."""

from django.urls import reverse
from ninja import Router, Schema

from tandem.core.api_types import AuthenticatedRequest
from tandem.mentorships import services
from tandem.notify.services import absolute_url

router = Router()


class FeedOut(Schema):
    url: str


@router.get(
    "/calendar-feed", response=FeedOut, operation_id="tandem_mentorships_api_get_calendar_feed"
)
def get_calendar_feed(request: AuthenticatedRequest):
    feed = services.calendar_feed_ensure(user=request.auth)
    return {"url": _feed_url(feed.token)}


@router.post(
    "/calendar-feed/regenerate",
    response=FeedOut,
    operation_id="tandem_mentorships_api_regenerate_calendar_feed",
)
def regenerate_calendar_feed(request: AuthenticatedRequest):
    feed = services.calendar_feed_regenerate(user=request.auth)
    return {"url": _feed_url(feed.token)}


def _feed_url(token: str) -> str:
    """Under ``SITE_URL``, as the page and emails give it (not the replica's host)."""
    return absolute_url(reverse("calendar_feed", args=[token]))
