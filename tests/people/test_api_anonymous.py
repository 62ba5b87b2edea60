"""Live review: on a real server an anonymous write to the API answered 403 "CSRF check Failed"
(the test client skips CSRF, so the suite saw 401). Without a session there is nothing to
forge: it is a 401 with the log-in hint; a signed-in session still needs its CSRF token."""

import pytest
from django.test import Client

from tandem.people.auth import NOT_AUTHENTICATED
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/people/me"),
        ("post", "/api/people/me/tokens"),
        ("post", "/api/mentorships/1/pauses"),
    ],
)
def test_an_anonymous_write_is_401_not_a_csrf_403(method, path):
    response = getattr(Client(enforce_csrf_checks=True), method)(
        path, data={}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["detail"] == NOT_AUTHENTICATED


def test_a_signed_in_write_without_its_csrf_token_is_still_403():
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())
    response = browser.patch("/api/people/me", data={"city": "X"}, content_type="application/json")
    assert response.status_code == 403
