"""Who reads and who changes a program's guidance library, per role, on the pages and in the
API. Missing and forbidden look the same (404); anonymous is sent to log in (pages) or 401."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.feedback.models import GuidanceArticle
from tests.feedback.guidance.conftest import ROLES

READERS = {"mentor", "mentee", "program admin"}
PROGRAM_EDITORS = {"program admin"}
SITE_EDITORS = {"site admin"}
ARTICLE = "first-meeting"
EDIT = {"title": "Our first meeting", "summary": "", "body": "Meet for coffee.\n"}


def login(client, world, role):
    person = world.people[role]
    if person is not None:
        client.force_login(person)


def expected(role, allowed):
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 404


@pytest.mark.parametrize("role", ROLES)
def test_program_library_and_article_pages(client, world, role):
    login(client, world, role)
    query = {"program": world.program.slug}
    library = client.get(reverse("guidance_library"), query)
    article = client.get(reverse("guidance_article", args=[ARTICLE]), query)
    assert library.status_code == expected(role, READERS)
    assert article.status_code == expected(role, READERS)


@pytest.mark.parametrize("role", ROLES)
def test_program_edit_pages(client, world, role):
    login(client, world, role)
    query = f"?program={world.program.slug}"
    edit = client.get(reverse("guidance_edit", args=[ARTICLE]) + query)
    new = client.get(reverse("guidance_new") + query)
    saved = client.post(reverse("guidance_edit", args=[ARTICLE]) + query, EDIT)
    assert edit.status_code == expected(role, PROGRAM_EDITORS)
    assert new.status_code == expected(role, PROGRAM_EDITORS)
    assert saved.status_code == (302 if role in PROGRAM_EDITORS or role == "anonymous" else 404)
    rows = GuidanceArticle.objects.filter(program=world.program, slug=ARTICLE)
    assert rows.exists() == (role in PROGRAM_EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_site_wide_edit_page(client, world, role):
    login(client, world, role)
    edit = client.get(reverse("guidance_edit", args=[ARTICLE]))
    client.post(reverse("guidance_edit", args=[ARTICLE]), EDIT)
    assert edit.status_code == expected(role, SITE_EDITORS)
    site_rows = GuidanceArticle.objects.filter(program__isnull=True, slug=ARTICLE)
    assert site_rows.exists() == (role in SITE_EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_site_wide_library_is_read_by_anyone_signed_in(client, world, role):
    login(client, world, role)
    response = client.get(reverse("guidance_article", args=[ARTICLE]))
    assert response.status_code == (302 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", ROLES)
def test_api_per_role(client, world, role):
    login(client, world, role)
    query = f"?program={world.program.slug}"
    listed = client.get(f"/api/guidance/{query}")
    read = client.get(f"/api/guidance/{ARTICLE}{query}")
    put = client.put(
        f"/api/guidance/{ARTICLE}{query}", {**EDIT, "stages": []}, content_type="application/json"
    )
    reset = client.delete(f"/api/guidance/{ARTICLE}{query}")
    if role == "anonymous":
        assert {listed.status_code, read.status_code, put.status_code, reset.status_code} == {401}
        return
    assert listed.status_code == read.status_code == (200 if role in READERS else 404)
    assert put.status_code == (200 if role in PROGRAM_EDITORS else 404)
    assert reset.status_code == (204 if role in PROGRAM_EDITORS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_mentorship_page_panel_is_for_the_pair(client, world, role):
    login(client, world, role)
    response = client.get(reverse("mentorship_detail", args=[world.pair.pk]))
    shown = b"Guidance for where you are" in response.content
    assert shown == (role in {"mentor", "mentee"})
