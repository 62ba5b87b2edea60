"""The private background saved untouched changes nothing: the page (whose consent box was
unticked every time, so an untouched save answered 400) and the API (where it reset
``consented_at``) keep the consent already given and its date. Storing anything new still
needs consent, and dates it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.people.models import Identity
from tandem.people.services import IDENTITY_CONSENT_REQUIRED, identity_set
from tandem.people.views.identity import IDENTITY_UNCHANGED
from tests.people.factories import UserFactory
from tests.untouched import nothing_changes, submit_untouched

pytestmark = pytest.mark.django_db

URL = "/api/people/me/identity"


@pytest.fixture
def consented(client) -> Identity:
    """A person who agreed a month ago, logged in."""
    user = UserFactory()
    identity = identity_set(
        user=user, attributes=["Parent", "First-gen graduate"], prefer_shared=True, consent=True
    )
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


def test_the_page_shows_the_consent_given(client, consented):
    page = client.get(reverse("identity_edit")).content.decode()
    assert 'name="consent" id="id_consent" checked' in page


@pytest.mark.parametrize("consent", [True, False])
def test_the_api_sent_back_untouched_changes_nothing(client, consented, consent):
    stored = client.get(URL).json()
    body = {"attributes": stored["attributes"], "prefer_shared": stored["prefer_shared"]}
    with nothing_changes(consented):
        response = client.put(URL, {**body, "consent": consent}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == stored


def test_a_change_still_needs_consent_and_is_dated_anew(consented):
    with pytest.raises(ApplicationError) as error:
        identity_set(user=consented.user, attributes=["Parent"], prefer_shared=True, consent=False)
    assert error.value.fields == {"consent": IDENTITY_CONSENT_REQUIRED}
    changed = identity_set(
        user=consented.user, attributes=["Parent"], prefer_shared=True, consent=True
    )
    assert changed.attributes == ["Parent"]
    assert changed.consented_at > consented.consented_at
