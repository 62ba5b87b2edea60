"""A meeting's link and place are refused past their columns' lengths, in words on the field,
as the API's schema states them (``maxLength``).

An API review: Django's URL check takes links of 2,048 characters, so a link past the column's
300 was a database error on PostgreSQL (a 500) and a place past 200 was cut without a word.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import Meeting
from tandem.mentorships.services import meeting_places as M
from tests.mentorships.factories import call, mentorship

pytestmark = pytest.mark.django_db


def _schedule(pair, **texts):
    starts_at = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    return services.meeting_schedule(
        user=pair.mentee,
        mentorship_id=pair.pk,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        format="video",
        **texts,
    )


def _link(length: int) -> str:
    base = "https://zoom.us/j/"
    return base + "1" * (length - len(base))


def test_a_link_and_a_place_at_their_limits_are_kept():
    meeting = _schedule(
        mentorship(), video_url=_link(M.VIDEO_URL_LIMIT), location="p" * M.LOCATION_LIMIT
    )
    assert len(meeting.video_url) == M.VIDEO_URL_LIMIT
    assert len(meeting.location) == M.LOCATION_LIMIT


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("video_url", _link(M.VIDEO_URL_LIMIT + 1), M.URL_TOO_LONG),
        ("location", "p" * (M.LOCATION_LIMIT + 1), M.LOCATION_TOO_LONG),
    ],
)
def test_one_past_the_limit_is_refused_on_its_field(field, value, message):
    with pytest.raises(ApplicationError) as error:
        _schedule(mentorship(), **{field: value})
    assert error.value.fields == {field: message}
    assert not Meeting.objects.exists()


def test_the_api_refuses_a_long_link_with_a_400_naming_it(client):
    pair = mentorship()
    starts_at = timezone.now() + timedelta(days=1)
    body = {
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(minutes=45)).isoformat(),
        "format": "video",
        "video_url": _link(2000),
    }
    response = call(client, "post", f"/api/mentorships/{pair.pk}/meetings", pair.mentee, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"video_url": M.URL_TOO_LONG}
