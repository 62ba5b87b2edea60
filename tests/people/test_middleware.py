import zoneinfo

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tandem.people.middleware import TimezoneMiddleware
from tests.people.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _active_zone(user):
    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone()
        return None

    request = RequestFactory().get("/")
    request.user = user
    TimezoneMiddleware(view)(request)
    return seen["tz"], timezone.get_current_timezone()


def test_activates_the_profile_time_zone_and_resets_after():
    user = ProfileFactory(timezone="Asia/Tokyo").user
    during, after = _active_zone(user)
    assert during == zoneinfo.ZoneInfo("Asia/Tokyo")
    assert str(after) == "UTC"


def test_user_without_profile_or_anonymous_gets_utc():
    from django.contrib.auth.models import AnonymousUser

    assert str(_active_zone(UserFactory())[0]) == "UTC"
    assert str(_active_zone(AnonymousUser())[0]) == "UTC"


def test_invalid_stored_zone_falls_back():
    user = ProfileFactory(timezone="Not/AZone").user
    assert str(_active_zone(user)[0]) == "UTC"
