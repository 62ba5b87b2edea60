"""Quiet hours that end when they start (00:00 to 00:00) were accepted on the settings page and
by the API and silently meant none: now a field error on both, saying to leave both empty for
no quiet hours, and the database refuses them too."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django.db import IntegrityError, transaction

from tandem.core.exceptions import ApplicationError
from tandem.notify.kinds import Kind
from tandem.notify.models import NotificationPreference
from tandem.notify.services import QUIET_HOURS_EMPTY, preference_update
from tests.mentorships.factories import UserFactory
from tests.untouched import row_of
from tests.web.untouched import untouched

pytestmark = pytest.mark.django_db

SAME = ["00:00", "22:00", "07:30:15"]


@pytest.fixture
def saved():
    """A person whose quiet hours are 22:00 to 07:00: a refused change keeps them."""
    user = UserFactory()
    preference = preference_update(
        user=user, email_kinds=[Kind.MEETING], daily_digest=False, quiet_hours=(time(22), time(7))
    )
    return user, preference


@pytest.mark.parametrize("moment", SAME)
def test_the_api_refuses_quiet_hours_that_end_when_they_start(client, saved, moment):
    user, preference = saved
    before = row_of(preference)
    client.force_login(user)
    body = {"email_kinds": [], "daily_digest": True, "quiet_from": moment, "quiet_until": moment}
    response = client.put(
        "/api/notifications/preferences", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": QUIET_HOURS_EMPTY,
        "fields": {"quiet_until": QUIET_HOURS_EMPTY},
    }
    assert row_of(preference) == before


@pytest.mark.parametrize("moment", SAME)
def test_the_settings_page_refuses_them_on_the_field(client, saved, moment):
    user, preference = saved
    before = row_of(preference)
    client.force_login(user)
    page = client.get("/notifications/settings/").content.decode()
    data, _ = untouched(page, has_field="daily_digest")
    data["quiet_from"], data["quiet_until"] = [moment], [moment]
    page = client.post("/notifications/settings/", data).content.decode()
    assert 'id="id_quiet_until_error"' in page
    assert "leave both empty for no quiet hours" in page
    assert row_of(preference) == before


def test_both_empty_still_means_none(client, saved):
    user, _ = saved
    preference = preference_update(
        user=user, email_kinds=[], daily_digest=False, quiet_hours=(None, None)
    )
    assert (preference.quiet_from, preference.quiet_until) == (None, None)


def test_the_service_refuses_them(saved):
    user, _ = saved
    with pytest.raises(ApplicationError) as error:
        preference_update(
            user=user, email_kinds=[], daily_digest=False, quiet_hours=(time(0), time(0))
        )
    assert error.value.fields == {"quiet_until": QUIET_HOURS_EMPTY}


def test_the_database_refuses_them(saved):
    _, preference = saved
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.filter(pk=preference.pk).update(
            quiet_from=time(3), quiet_until=time(3)
        )
