"""The personal calendar feed's secret link."""

from django.urls import reverse
from ninja import Router, Schema

from tandem.core.api_types import AuthenticatedRequest
from tandem.mentorships import services

router = Router()


class FeedOut(Schema):
    url: str


@router.get(
    "/calendar-feed", response=FeedOut, operation_id="tandem_mentorships_api_get_calendar_feed"
)
def get_calendar_feed(request: AuthenticatedRequest):
    feed = services.calendar_feed_ensure(user=request.auth)
    return {"url": request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))}


@router.post(
    "/calendar-feed/regenerate",
    response=FeedOut,
    operation_id="tandem_mentorships_api_regenerate_calendar_feed",
)
def regenerate_calendar_feed(request: AuthenticatedRequest):
    feed = services.calendar_feed_regenerate(user=request.auth)
    return {"url": request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))}
