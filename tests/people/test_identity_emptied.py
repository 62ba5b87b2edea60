"""A background emptied is a background withdrawn: no record is made of nothing
(docs/people.md). A live review found ``PUT /me/identity`` with ``[]`` (or ``["", ""]``) over a
stored record answer 200 and keep an empty record with a new consent date; the page's emptied
box did the same. Both now delete the record, as withdrawing does, consent or not. And the API's
400 says what is wrong in the API's words, not the page's "errors below"."""

import pytest
from django.urls import reverse

from tandem.people.models import Identity
from tandem.people.services import IDENTITY_CONSENT_REQUIRED, identity_set
from tandem.people.views.identity import IDENTITY_DELETED
from tests.people.factories import UserFactory
from tests.untouched import untouched_data

pytestmark = pytest.mark.django_db

URL = "/api/people/me/identity"


@pytest.fixture
def stored(client) -> Identity:
    user = UserFactory()
    identity, _ = identity_set(user=user, attributes=["Parent"], consent=True)
    client.force_login(user)
    return identity


# Invisible characters alone are nothing too (live review: ["\u200b"] was saved as a record).
EMPTIES = [[], ["", ""], ["  "], ["\u200b"], ["\u202e", "\ufeff\u00ad"]]


@pytest.mark.parametrize("attributes", EMPTIES)
@pytest.mark.parametrize("consent", [True, False])
def test_the_api_sent_empty_deletes_the_record(client, stored, attributes, consent):
    body = {"attributes": attributes, "consent": consent}
    response = client.put(URL, body, content_type="application/json")
    assert response.status_code == 204, response.content
    assert not Identity.objects.filter(user=stored.user).exists()
    assert client.get(URL).status_code == 404
    again = client.put(URL, body, content_type="application/json")
    assert again.status_code == 204  # idempotent, as DELETE is
    assert not Identity.objects.filter(user=stored.user).exists()


@pytest.mark.parametrize("attributes", EMPTIES)
def test_the_api_sent_empty_with_nothing_stored_is_204(client, attributes):
    user = UserFactory()
    client.force_login(user)
    body = {"attributes": attributes, "consent": False}
    assert client.put(URL, body, content_type="application/json").status_code == 204
    assert not Identity.objects.filter(user=user).exists()


@pytest.mark.parametrize("box", [" \n ", "\u200b\n\u202e"])
@pytest.mark.parametrize("tick", [False, True])
def test_the_page_emptied_deletes_the_record(client, stored, tick, box):
    page = reverse("identity_edit")
    data = {**untouched_data(client, page, page), "attributes": [box]}
    response = client.post(page, {**data, "consent": ["on"]} if tick else data, follow=True)
    assert response.status_code == 200
    assert IDENTITY_DELETED in response.content.decode()
    assert not Identity.objects.filter(user=stored.user).exists()


def test_the_apis_refusal_names_the_field_in_its_own_words(client, stored):
    body = {"attributes": ["Carer"], "consent": False}
    response = client.put(URL, body, content_type="application/json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["fields"] == {"consent": IDENTITY_CONSENT_REQUIRED}
    assert "below" not in answer["detail"] and "consent" in answer["detail"]
    assert Identity.objects.get(user=stored.user).attributes == ["Parent"]
