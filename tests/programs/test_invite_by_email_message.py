"""Journeys review: inviting one person by email now said "Invited 1: the email goes now; the
emails are on their way.", the same thing twice and in both numbers. The message now says it
once, in the number it counts."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("emails", "said"),
    [
        ("ana@example.org", "Invited 1: the email goes now."),
        ("ana@example.org\nbo@example.org", "Invited 2: the emails go now."),
    ],
)
def test_inviting_now_says_so_once(client, program, admin, emails, said):
    client.force_login(admin)
    url = reverse("program_email_invitations", args=[program.slug])
    response = client.post(url, {"emails": emails, "role": "mentee", "when": "now"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [said]
