"""The private background saved untouched changes nothing: the page (whose consent box is
never pre-ticked) and the API (where it reset ``consented_at``) keep the consent already given
and its date, and an empty page saved where nothing is stored makes no row. Storing anything new
still needs the box ticked afresh, and dates it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.people.models import Identity
from tandem.people.services import IDENTITY_CONSENT_REQUIRED, identity_set
from tandem.people.views.identity import IDENTITY_SAVED, IDENTITY_UNCHANGED
from tests.people.factories import UserFactory
from tests.untouched import nothing_changes, submit_untouched, untouched_data

pytestmark = pytest.mark.django_db

URL = "/api/people/me/identity"


@pytest.fixture
def consented(client) -> Identity:
    """A person who agreed a month ago, logged in."""
    user = UserFactory()
    identity, _ = identity_set(user=user, attributes=["Parent", "First-gen graduate"], consent=True)
    Identity.objects.filter(pk=identity.pk).update(consented_at=timezone.now() - timedelta(days=30))
    identity.refresh_from_db()
    client.force_login(user)
    return identity


def test_the_page_saved_untouched_changes_nothing(client, consented):
    page = reverse("identity_edit")
    with nothing_changes(consented):
        response = submit_untouched(client, page, page)
    assert response.status_code == 200
    assert IDENTITY_UNCHANGED in response.content.decode()


def test_the_page_never_pre_ticks_the_consent_box(client, consented):
    page = client.get(reverse("identity_edit")).content.decode()
    assert 'name="consent"' in page
    assert 'name="consent" id="id_consent" checked' not in page


def test_a_change_on_the_page_needs_the_box_ticked_afresh(client, consented):
    page = reverse("identity_edit")
    data = untouched_data(client, page, page)
    data["attributes"] = ["Parent"]
    with nothing_changes(consented):
        refused = client.post(page, data)
    assert refused.status_code == 400
    assert refused.context["form"].errors["consent"] == [IDENTITY_CONSENT_REQUIRED]
    saved = client.post(page, {**data, "consent": ["on"]}, follow=True)
    assert IDENTITY_SAVED in saved.content.decode()
    stored = Identity.objects.get(pk=consented.pk)
    assert stored.attributes == ["Parent"] and stored.consented_at > consented.consented_at


@pytest.mark.parametrize("tick", [False, True])
def test_the_empty_page_saved_where_nothing_is_stored_makes_no_row(client, tick):
    client.force_login(UserFactory())
    page = reverse("identity_edit")
    data = untouched_data(client, page, page)
    response = client.post(page, {**data, "consent": ["on"]} if tick else data, follow=True)
    assert response.status_code == 200
    assert IDENTITY_UNCHANGED in response.content.decode()
    assert not Identity.objects.exists()


def test_the_api_sent_empty_where_nothing_is_stored_makes_no_row(client):
    client.force_login(UserFactory())
    body = {"attributes": [], "consent": True}
    response = client.put(URL, body, content_type="application/json")
    assert response.status_code == 204  # as DELETE answers (test_identity_emptied)
    assert not Identity.objects.exists()


@pytest.mark.parametrize("consent", [True, False])
def test_the_api_sent_back_untouched_changes_nothing(client, consented, consent):
    stored = client.get(URL).json()
    body = {"attributes": stored["attributes"]}
    with nothing_changes(consented):
        response = client.put(URL, {**body, "consent": consent}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == stored


def test_a_change_still_needs_consent_and_is_dated_anew(consented):
    with pytest.raises(ApplicationError) as error:
        identity_set(user=consented.user, attributes=["Parent"], consent=False)
    assert error.value.fields == {"consent": IDENTITY_CONSENT_REQUIRED}
    changed, wrote = identity_set(user=consented.user, attributes=["Parent"], consent=True)
    assert wrote and changed is not None and changed.attributes == ["Parent"]
    assert changed.consented_at > consented.consented_at
