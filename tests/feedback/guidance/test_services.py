"""The guidance services' rules, called directly: one row per change, field errors, and the
same 404 for a library the caller may not change."""

from __future__ import annotations

import pytest

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.feedback.guidance import shipped_articles
from tandem.feedback.models import GuidanceArticle
from tandem.feedback.services.guidance import (
    NOTHING_TO_RESET,
    UNKNOWN_STAGE,
    ArticleText,
    guidance_article_reset,
    guidance_article_save,
)

pytestmark = pytest.mark.django_db
SLUG = "ending-well"


def shipped_text(**changes) -> ArticleText:
    article = shipped_articles()[SLUG]
    text = ArticleText(
        article.title, article.summary, article.body, article.stages, article.reason_codes
    )
    return ArticleText(**{**text.__dict__, **changes})


def test_a_second_change_updates_the_one_row(world):
    admin = world.people["program admin"]
    save = {"user": admin, "program_slug": world.program.slug, "slug": SLUG}
    guidance_article_save(**save, text=shipped_text(title="One"))
    first = GuidanceArticle.objects.get()
    guidance_article_save(**save, text=shipped_text(title="Two"))
    second = GuidanceArticle.objects.get()
    assert (second.pk, second.title) == (first.pk, "Two")
    assert second.updated_at > first.updated_at


def test_field_errors_name_their_field(world):
    admin = world.people["program admin"]
    with pytest.raises(ApplicationError) as error:
        guidance_article_save(
            user=admin,
            program_slug=world.program.slug,
            slug=SLUG,
            text=shipped_text(stages=("someday",), summary="x" * 301),
        )
    assert error.value.fields["stages"].startswith(UNKNOWN_STAGE.split("{")[0])
    assert set(error.value.fields) == {"stages", "summary"}


@pytest.mark.parametrize("role", ["mentor", "other program's admin", "site admin"])
def test_only_the_program_admin_changes_the_program_library(world, role):
    with pytest.raises(NotFound):
        guidance_article_save(
            user=world.people[role],
            program_slug=world.program.slug,
            slug=SLUG,
            text=shipped_text(title="Mine"),
        )
    assert not GuidanceArticle.objects.exists()


def test_reset_without_a_change_says_so(world):
    with pytest.raises(ApplicationError, match=NOTHING_TO_RESET):
        guidance_article_reset(
            user=world.people["program admin"], program_slug=world.program.slug, slug=SLUG
        )


def test_title_and_summary_are_kept_on_one_line(world):
    """Live review: a title holding a line break and U+202E was accepted (e-mails naming it
    failed); the title and summary are single-line inputs, kept as ``one_line`` reads them."""
    pasted = "line1\r\nline2\r\n😀\u202e"
    guidance_article_save(
        user=world.people["program admin"],
        program_slug=world.program.slug,
        slug=SLUG,
        text=shipped_text(title=pasted, summary=f"Sum\u202dmary\n{pasted}"),
    )
    saved = GuidanceArticle.objects.get()
    assert (saved.title, saved.summary) == ("line1 line2 😀", "Summary line1 line2 😀")
