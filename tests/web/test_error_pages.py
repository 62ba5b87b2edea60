"""The error pages a person may meet with DEBUG off are Tandem's own."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.mentorships.factories import action_item, mentorship

pytestmark = pytest.mark.django_db


def test_a_form_that_fails_the_csrf_check_gets_tandems_page():
    """A live deployment review: a stale log-in form got Django's bare "Forbidden (403) CSRF
    verification failed. Request aborted." page, with advice for the site's developers."""
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")  # sets the cookie; the form's token is left out below
    response = client.post("/login/", {"username": "a@example.com", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired · Tandem" in page
    assert "Go back, reload the page and send it again." in page
    assert "CSRF verification failed" not in page


def test_a_request_the_page_cannot_read_gets_tandems_page(client):
    """A live API review: a post a page's buttons never send (a check box's ``done=maybe``)
    is a 400 that changes nothing, and it showed Django's bare "Bad Request (400)"."""
    pair = mentorship()
    client.force_login(pair.mentor)
    item = action_item(pair)
    response = client.post(reverse("action_item_toggle", args=[item.pk]), {"done": "maybe"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "That request was not understood · Tandem" in page
    assert "Nothing was changed." in page
