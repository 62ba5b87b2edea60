"""An invitation link is under ``SITE_URL``, not the address of the replica that answered.

Behind a load balancer the request's host is the replica's own (``10.0.0.5:8000``): the
invitations page and ``POST /api/programs/{slug}/invitations`` handed admins links to it to
share (a deployment's live check on two ``tandem serve`` processes).
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from tandem.people.services import api_token_create

pytestmark = pytest.mark.django_db

SITE = "https://mentoring.example.org"
REPLICA = {"HTTP_HOST": "10.0.0.5:8000"}


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["10.0.0.5"])
def test_invitation_links_are_under_the_sites_address(client, program, admin):
    _, secret = api_token_create(user=admin, name="tests")
    made = client.post(
        f"/api/programs/{program.slug}/invitations",
        {"role": "mentor", "max_uses": 2},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        **REPLICA,
    ).json()
    assert made["url"] == f"{SITE}/programs/join/{made['token']}/"
    client.force_login(admin)
    page = client.get(reverse("program_invitations", args=[program.slug]), **REPLICA)
    assert page.status_code == 200
    text = page.content.decode()
    assert SITE + "/programs/join/" in text and "10.0.0.5" not in text
