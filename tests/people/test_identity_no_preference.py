"""The identity page and API no longer offer "prefer a mentor who shares my background"
(rpriv F2: the preference steering a run's pairs let the program admin read who holds which
item). Tandem's matching never uses identity; the record feeds the equity figures only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.models import Identity
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/people/me/identity"


def test_the_api_refuses_the_old_preference_and_stores_nothing(client):
    client.force_login(UserFactory())
    body = {"attributes": ["Parent"], "prefer_shared": True, "consent": True}
    response = client.put(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["prefer_shared"]
    assert not Identity.objects.exists()


def test_the_api_answers_without_a_preference(client):
    client.force_login(UserFactory())
    body = {"attributes": ["Parent"], "consent": True}
    saved = client.put(URL, body, content_type="application/json").json()
    assert set(saved) == {"attributes", "consented_at"}


def test_the_page_offers_no_preference_and_says_why(client):
    client.force_login(UserFactory())
    page = client.get(reverse("identity_edit")).content.decode()
    assert "prefer_shared" not in page and "prefer people who share" not in page
    assert "Not used in matching" in page
    assert "can re-run it as often as they like" in page


def test_a_posted_preference_is_not_kept(client):
    user = UserFactory()
    client.force_login(user)
    data = {"attributes": "Parent", "prefer_shared": "on", "consent": "on"}
    assert client.post(reverse("identity_edit"), data).status_code == 302
    stored = Identity.objects.values().get(user=user)
    assert "prefer_shared" not in stored and stored["attributes"] == ["Parent"]
