"""The library, an article and the editor as a program admin uses them: search ranks title
hits first, an untouched save changes nothing, preview saves nothing, hide and reset, a new
article, and nothing an admin writes runs as markup."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.feedback.guidance import shipped_articles
from tandem.feedback.models import GuidanceArticle
from tandem.feedback.services.guidance import BAD_SLUG, SLUG_TAKEN, TITLE_REQUIRED
from tests.feedback.guidance.conftest import site_editor
from tests.web.untouched import untouched

pytestmark = pytest.mark.django_db

ARTICLE = "first-meeting"
SCRIPT_BODY = (
    '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
    "[click](javascript:alert(3)) [ok](https://example.org) [here](/feedback/guidance/)\n"
)


@pytest.fixture
def admin(client, world):
    person = world.people["program admin"]
    client.force_login(person)
    return person


def q(world) -> str:
    return f"?program={world.program.slug}"


def edit_url(world, slug=ARTICLE) -> str:
    return reverse("guidance_edit", args=[slug]) + q(world)


def form_of(client, url) -> dict:
    """The edit form's data as a browser sends it untouched (each name: its values)."""
    data, rejected = untouched(client.get(url).content.decode(), has_field="title")
    assert rejected == []
    return data


def test_the_library_opens_the_first_program_and_searches_titles_first(client, world, admin):
    page = client.get(reverse("guidance_library")).content.decode()
    assert world.program.name in page
    for article in shipped_articles().values():
        assert article.title in page
    found = client.get(reverse("guidance_library"), {"program": world.program.slug, "q": "goals"})
    text = found.content.decode()
    titles = re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', text)
    assert titles[0] == "Setting goals that work"
    assert len(titles) > 1
    assert "match “goals”" in text


@pytest.mark.parametrize("slug", sorted(shipped_articles()))
def test_untouched_save_changes_nothing(client, world, admin, slug):
    """Found by the crawl: the checkboxes send the reason codes in the list's order, not the
    article's (its main code first), and the save wrote a row."""
    url = edit_url(world, slug)
    response = client.post(url, form_of(client, url) | {"action": "save"})
    assert response.status_code == 302
    assert not GuidanceArticle.objects.exists()


def test_save_preview_hide_and_reset(client, world, admin):
    url = edit_url(world)
    data = form_of(client, url)
    previewed = client.post(url, data | {"body": "## Our way\n\nTea first.", "action": "preview"})
    assert "<h2>Our way</h2>" in previewed.content.decode()
    assert not GuidanceArticle.objects.exists()

    client.post(url, data | {"title": "Our first meeting", "action": "save"})
    row = GuidanceArticle.objects.get(program=world.program, slug=ARTICLE)
    assert (row.title, row.updated_by) == ("Our first meeting", admin)
    assert row.body == shipped_articles()[ARTICLE].body

    # Another program and the site-wide library still read the shipped text.
    site = client.get(reverse("guidance_article", args=[ARTICLE])).content.decode()
    assert "Your first meeting" in site

    client.post(url, form_of(client, url) | {"hidden": "on", "action": "save"})
    library = client.get(reverse("guidance_library") + q(world)).content.decode()
    assert "Hidden" in library  # the admin still sees it, marked
    mentee = world.people["mentee"]
    client.force_login(mentee)
    assert (
        "Our first meeting"
        not in client.get(reverse("guidance_library") + q(world)).content.decode()
    )
    assert client.get(reverse("guidance_article", args=[ARTICLE]) + q(world)).status_code == 404

    client.force_login(admin)
    reset = reverse("guidance_reset", args=[ARTICLE]) + q(world)
    confirm = client.get(reset).content.decode()
    assert "Reset to the shipped text" in confirm
    client.post(reset, {"confirm": "yes"})
    assert not GuidanceArticle.objects.exists()


def test_saving_the_replaced_version_removes_the_override(client, world, admin):
    url = edit_url(world)
    data = form_of(client, url)
    client.post(url, data | {"title": "Changed", "action": "save"})
    assert GuidanceArticle.objects.count() == 1
    client.post(url, data | {"action": "save"})
    assert not GuidanceArticle.objects.exists()


def test_a_new_article_needs_a_free_address_and_a_title(client, world, admin):
    url = reverse("guidance_new") + q(world)
    bad = client.post(url, {"slug": "Our Way!", "title": "", "body": "x", "action": "save"})
    text = bad.content.decode()
    assert BAD_SLUG in text and TITLE_REQUIRED in text
    taken = client.post(url, {"slug": ARTICLE, "title": "T", "body": "x", "action": "save"})
    assert SLUG_TAKEN in taken.content.decode()
    client.post(
        url,
        {"slug": "our-tea", "title": "Tea", "body": "Tea.", "stages": ["active"], "action": "save"},
    )
    row = GuidanceArticle.objects.get(slug="our-tea")
    assert (row.program, row.stages) == (world.program, ["active"])
    reset = reverse("guidance_reset", args=["our-tea"]) + q(world)
    assert "Delete this article" in client.get(reset).content.decode()
    client.post(reset, {"confirm": "yes"})
    assert not GuidanceArticle.objects.exists()


def test_nothing_an_admin_writes_runs_as_markup(client, world, admin):
    url = edit_url(world)
    client.post(url, form_of(client, url) | {"body": SCRIPT_BODY, "action": "save"})
    client.force_login(world.people["mentee"])
    response = client.get(reverse("guidance_article", args=[ARTICLE]) + q(world))
    page = response.content.decode()
    assert "<script>alert" not in page and "<img" not in page
    assert "javascript:" not in page.replace("[click](javascript:alert(3))", "")
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in page
    assert '<a href="/feedback/guidance/">here</a>' in page
    # CSP: no inline script or style on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page and "<style" not in page


def test_site_wide_editor_changes_every_program_but_not_their_own_changes(client, world):
    client.force_login(site_editor())
    url = reverse("guidance_edit", args=[ARTICLE])
    client.post(url, form_of(client, url) | {"title": "Site first meeting", "action": "save"})
    client.force_login(world.people["mentee"])
    page = client.get(reverse("guidance_article", args=[ARTICLE]) + q(world)).content.decode()
    assert "Site first meeting" in page


def test_library_page_queries_are_bounded(client, world, admin, django_assert_max_num_queries):
    GuidanceArticle.objects.bulk_create(
        GuidanceArticle(program=world.program, slug=f"extra-{n}", title=f"Extra {n}", body="x")
        for n in range(20)
    )
    with django_assert_max_num_queries(13):  # 13 with the navigation's "ever joined"
        client.get(reverse("guidance_library") + q(world))
