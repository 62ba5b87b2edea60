"""Identity is input to the core only: no page or response shows it per person."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.matching.sentences import IDENTITY_NOT, IDENTITY_SHARED
from tandem.matchruns import services
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import (
    ProgramFactory,
    UserFactory,
    admin,
    mentee,
    mentor,
    run_pages,
)

pytestmark = pytest.mark.django_db
SECRETS = ("Zorblaxian", "Quenyan heritage")


def assert_private(text: str) -> None:
    for secret in (*SECRETS, *(s.lower() for s in SECRETS), IDENTITY_SHARED, IDENTITY_NOT):
        assert secret not in text


def test_run_pages_api_and_admin_never_show_identity(client, run_tasks):
    program = ProgramFactory()
    boss = admin(program)
    for k in range(3):
        mentee(program, goals=f"learn topic {k}", identity=[SECRETS[k % 2]])
    for _ in range(2):
        mentor(program, capacity=2, identity=[SECRETS[0]], expertise="topic")
    with run_tasks():
        first = services.match_run_start(user=boss, program=program)
    with run_tasks():
        second = services.match_run_start(user=boss, program=program, objective="fair")
    first.refresh_from_db()
    assert first.pairs.count() == 3

    client.force_login(boss)
    slug = program.slug
    for url in (
        *run_pages(slug, first, second),
        f"/api/match-runs/{slug}/runs",
        f"/api/match-runs/{slug}/runs/{first.pk}",
        f"/api/match-runs/{slug}/runs/{first.pk}/pairs",
        f"/api/match-runs/{slug}/runs/{first.pk}/unmatched",
        f"/api/match-runs/{slug}/runs/{first.pk}/compare/{second.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private(response.content.decode())

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(reverse("admin:matchruns_matchrun_change", args=[first.pk]))
    assert page.status_code == 200
    assert_private(page.content.decode())


def test_recommendations_never_show_identity(client):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me = mentee(program, goals="design systems", identity=[SECRETS[0]])
    for secret in SECRETS:
        mentor(program, expertise="design systems", identity=[secret])
    client.force_login(me)
    page = client.get(reverse("program_mentors", args=[program.slug]))
    api = client.get(f"/api/match-runs/{program.slug}/recommendations")
    assert page.content.count(b'class="card mentor-card"') == 2
    assert_private(page.content.decode())
    assert_private(api.content.decode())
