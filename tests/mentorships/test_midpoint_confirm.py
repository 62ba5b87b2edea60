"""Confirming the agreement at the mid-point: only once it is due, and only once."""

import pytest
from django.urls import reverse

from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.models import Mentorship
from tandem.mentorships.services.lifecycle import MIDPOINT_NOT_DUE
from tandem.notify.models import Notification
from tests.mentorships.factories import at_midpoint, call, mentorship

pytestmark = pytest.mark.django_db


def _confirm_url(m: Mentorship) -> str:
    return f"/api/mentorships/{m.pk}/midpoint/confirm"


def _notified(m: Mentorship) -> int:
    return Notification.objects.filter(recipient=m.mentor).count()


def test_confirming_on_day_0_is_refused_and_tells_no_one(client):
    m = mentorship()  # starts today, ends in 12 weeks
    before = _notified(m)
    response = call(client, "post", _confirm_url(m), user=m.mentee)
    assert response.status_code == 409
    midpoint_on = m.starts_on + (m.ends_on - m.starts_on) / 2
    in_words = day_in(midpoint_on)  # as the pages write dates
    assert response.json()["detail"] == MIDPOINT_NOT_DUE.format(midpoint_on=in_words)
    m.refresh_from_db()
    assert m.midpoint_confirmed_at is None
    assert _notified(m) == before


def test_a_second_confirmation_changes_nothing_and_sends_nothing(client):
    m = mentorship()
    at_midpoint(m)
    before = _notified(m)
    assert call(client, "post", _confirm_url(m), user=m.mentee).status_code == 200
    m.refresh_from_db()
    confirmed_at = m.midpoint_confirmed_at
    assert confirmed_at is not None
    assert _notified(m) == before + 1
    for user in (m.mentee, m.mentor):
        assert call(client, "post", _confirm_url(m), user=user).status_code == 200
    m.refresh_from_db()
    assert m.midpoint_confirmed_at == confirmed_at
    assert _notified(m) == before + 1
    assert m.events.filter(kind="midpoint_confirmed").count() == 1


def test_the_page_says_why_an_early_confirmation_is_refused(client):
    m = mentorship()
    client.force_login(m.mentee)
    response = client.post(reverse("midpoint_confirm", args=[m.pk]), follow=True)
    assert "The mid-point review opens on" in response.content.decode()
    m.refresh_from_db()
    assert m.midpoint_confirmed_at is None
