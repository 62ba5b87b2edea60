"""Quiet hours are times of day in the person's own time zone: the API refuses one with a UTC
offset with a 422 naming the field and saves nothing (it saved the row with the offset dropped,
then failed with a 500 saying nothing was saved)."""

import json

import pytest

from tandem.core.api_types import TIME_WITH_FRACTION, TIME_WITH_OFFSET
from tandem.notify.kinds import Kind
from tandem.notify.models import NotificationPreference
from tandem.notify.services import QUIET_HOURS_BOTH, preference_update
from tests.mentorships.factories import UserFactory
from tests.untouched import row_of

pytestmark = pytest.mark.django_db

URL = "/api/notifications/preferences"


def _put(client, body: dict):
    return client.put(URL, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "given",
    [
        {"quiet_from": "22:00:00+02:00"},
        {"quiet_until": "07:00:00Z"},
        {"email_kinds": [], "quiet_from": "00:00:00Z"},
    ],
    ids=["from-with-offset", "until-in-utc", "with-emptied-kinds"],
)
def test_a_time_with_an_offset_is_refused_and_nothing_saved(client, given):
    me = UserFactory()
    preference = preference_update(user=me, email_kinds=[Kind.MEETING], daily_digest=False)
    before = row_of(preference)
    client.force_login(me)
    body = {"email_kinds": [Kind.MEETING], "daily_digest": True, **given}
    response = _put(client, body)
    assert response.status_code == 422
    (field,) = given.keys() - {"email_kinds"}
    assert field in response.content.decode()
    assert TIME_WITH_OFFSET in response.content.decode()
    assert row_of(preference) == before


def test_a_time_without_an_offset_is_saved(client):
    me = UserFactory()
    client.force_login(me)
    response = _put(
        client,
        {"email_kinds": [], "daily_digest": False, "quiet_from": "22:00", "quiet_until": "07:00"},
    )
    assert response.status_code == 200
    assert response.json()["quiet_from"] == "22:00:00"
    saved = NotificationPreference.objects.get(user=me)
    assert (saved.quiet_from.hour, saved.quiet_until.hour) == (22, 7)


def test_a_time_with_a_fraction_of_a_second_is_refused(client):
    me = UserFactory()
    client.force_login(me)
    body = {"email_kinds": [], "daily_digest": False, "quiet_from": "22:00:00.123456"}
    response = _put(client, {**body, "quiet_until": "07:00"})
    assert response.status_code == 422
    assert "quiet_from" in response.content.decode()
    assert TIME_WITH_FRACTION in response.content.decode()
    assert not NotificationPreference.objects.filter(user=me).exists()


@pytest.mark.parametrize("given", ["quiet_from", "quiet_until"])
def test_one_end_of_the_quiet_hours_is_a_422_naming_the_missing_one(client, given):
    me = UserFactory()
    client.force_login(me)
    response = _put(client, {"email_kinds": [], "daily_digest": False, given: "22:00"})
    assert response.status_code == 422
    (missing,) = {"quiet_from", "quiet_until"} - {given}
    assert response.json()["fields"] == {missing: QUIET_HOURS_BOTH}
