"""Live API review: a program named "Join" got the slug ``join``, and the addresses beside a
program's own took its pages: ``GET /api/programs/join/export`` and ``/insights`` answered 405
(they are ``POST /api/programs/join/{token}``), ``POST .../join/email-invitations`` was a join
with the token "email-invitations", and ``/programs/join/edit/`` was a 404; "Invited" lost its
pages to ``/programs/invited/<token>/``, and "New" its detail page to ``/programs/new/``. Those
first parts of an address are no program's slug now, from the app or the site admin."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.programs import services
from tandem.programs.models import Program
from tandem.programs.services.programs import RESERVED_SLUGS, SLUG_RESERVED
from tests.programs.factories import UserFactory, program_creator

PROGRAM_ROOTS = ("programs/", "api/programs/")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_fixed_address_beside_a_programs_is_reserved():
    fixed = {
        route[len(root) :].split("/")[0]
        for route in _routes(get_resolver().url_patterns)
        for root in PROGRAM_ROOTS
        if route.startswith(root)
    }
    assert {first for first in fixed if first and "<" not in first} == RESERVED_SLUGS


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Join", "invited", "NEW"])
def test_a_program_named_so_gets_another_slug_and_keeps_its_pages(client, name):
    creator = program_creator()
    program = services.program_create(user=creator, name=name)
    assert program.slug == f"{name.lower()}-2"
    client.force_login(creator)
    for path in (f"/api/programs/{program.slug}/export", f"/programs/{program.slug}/edit/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_the_site_admin_refuses_a_reserved_slug(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "name": "Join",
        "slug": "join",
        "program_type": "classic",
        "matching_mode": "self_serve",
        "default_duration_weeks": "12",
        "default_cadence": "biweekly",
        "default_capacity": "2",
        "max_open_requests": "3",
        "request_expiry_days": "14",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    refused = client.post("/admin/programs/program/add/", form)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {"slug": [SLUG_RESERVED.format(slug="join")]}
    assert not Program.objects.exists()
    assert (
        client.post("/admin/programs/program/add/", {**form, "slug": "join-us"}).status_code == 302
    )
