"""Changes to the guidance library: an admin changes, adds or hides an article for their
program (or, with the site-wide right, for every program), and resets it to the version it
replaced. The shipped files are never written; a change is a ``GuidanceArticle`` row.

Saving what is already there changes nothing; saving exactly the version an override replaced
removes the override (the same as a reset), so the library keeps no rows that change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from tandem.core.exceptions import ApplicationError
from tandem.core.text import clean_text, one_line
from tandem.feedback.guidance import STAGES
from tandem.feedback.health.reasons import REASONS
from tandem.feedback.models import GUIDANCE_BODY_LIMIT, GuidanceArticle
from tandem.feedback.selectors.guidance import (
    Article,
    access_guidance_library,
    guidance_article,
    guidance_inherited,
    guidance_library,
)
from tandem.people.models import User
from tandem.programs.models import Program

TITLE_LIMIT = 200
SUMMARY_LIMIT = 300
SLUG_LIMIT = 80
# Paths of the library's own pages, which an article's address must not take.
RESERVED_SLUGS = frozenset({"new", "preview"})

TITLE_REQUIRED = "Give the article a title."
TITLE_TOO_LONG = f"Keep the title under {TITLE_LIMIT} characters."
SUMMARY_TOO_LONG = f"Keep the summary under {SUMMARY_LIMIT} characters."
BODY_REQUIRED = "Write the article's text."
BODY_TOO_LONG = f"Keep the text under {GUIDANCE_BODY_LIMIT:,} characters."
BAD_SLUG = (
    f"Give a short address of lowercase letters, digits and hyphens (at most {SLUG_LIMIT}), "
    "for example how-we-meet."
)
SLUG_TAKEN = "An article already has this address here; change that one instead, or pick another."
UNKNOWN_STAGE = "Choose stages among: {choices}."
UNKNOWN_REASON = "Unknown health reason {code!r}."
NOTHING_TO_RESET = "This article has no change here to undo."
SAVED_AT_ONCE = "Someone saved this article at the same moment; reload it and try again."


@dataclass(frozen=True)
class ArticleText:
    """What an editor writes: the fields of an article, as a form or the API sends them."""

    title: str
    summary: str
    body: str
    stages: tuple[str, ...]
    reason_codes: tuple[str, ...]
    hidden: bool = False

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> ArticleText:
        """From what a form or the API received (lists where this holds tuples)."""
        return cls(
            title=fields["title"],
            summary=fields.get("summary", ""),
            body=fields["body"],
            stages=tuple(fields.get("stages", ())),
            reason_codes=tuple(fields.get("reason_codes", ())),
            hidden=bool(fields.get("hidden", False)),
        )

    @classmethod
    def of(cls, article: Article) -> ArticleText:
        return cls(
            article.title,
            article.summary,
            article.body,
            article.stages,
            article.reason_codes,
            article.hidden,
        )

    def in_order_of(self, article: Article) -> ArticleText:
        """With the reason codes ``article`` has kept in its order (its first is its main
        one), new ones after: a form's checkboxes send them in the list's order instead."""
        kept = [code for code in article.reason_codes if code in self.reason_codes]
        added = [code for code in self.reason_codes if code not in kept]
        return replace(self, reason_codes=(*kept, *added))

    def cleaned(self) -> ArticleText:
        """Trimmed, de-duplicated and in a fixed order, or an ``ApplicationError`` by field."""
        text = ArticleText(
            title=one_line(self.title),
            summary=one_line(self.summary),
            body=clean_text(self.body) + "\n",
            stages=tuple(stage for stage in STAGES if stage in self.stages),
            reason_codes=tuple(dict.fromkeys(code.strip() for code in self.reason_codes)),
            hidden=self.hidden,
        )
        errors: dict[str, str] = {}
        if not text.title:
            errors["title"] = TITLE_REQUIRED
        elif len(text.title) > TITLE_LIMIT:
            errors["title"] = TITLE_TOO_LONG
        if len(text.summary) > SUMMARY_LIMIT:
            errors["summary"] = SUMMARY_TOO_LONG
        if not text.body.strip():
            errors["body"] = BODY_REQUIRED
        elif len(text.body) > GUIDANCE_BODY_LIMIT:
            errors["body"] = BODY_TOO_LONG
        if set(self.stages) - set(STAGES):
            errors["stages"] = UNKNOWN_STAGE.format(choices=", ".join(STAGES))
        unknown = [code for code in text.reason_codes if code not in REASONS]
        if unknown:
            errors["reason_codes"] = UNKNOWN_REASON.format(code=unknown[0])
        if errors:
            raise ApplicationError(next(iter(errors.values())), fields=errors)
        return text


def check_new_slug(slug: str) -> str:
    cleaned = slug.strip()
    if (
        not cleaned
        or len(cleaned) > SLUG_LIMIT
        or slugify(cleaned) != cleaned
        or cleaned in RESERVED_SLUGS
    ):
        raise ApplicationError(BAD_SLUG, fields={"slug": BAD_SLUG})
    return cleaned


def guidance_article_save(
    *,
    user: User,
    program_slug: str | None,
    slug: str,
    text: ArticleText,
    new: bool = False,
) -> Article:
    """Change (or, with a slug not in the library, add) the article ``slug`` of a program's
    library, or of the site-wide one without ``program_slug``. ``new``: only add, never
    replace. Returns the article as it now reads."""
    scope = access_guidance_library(user=user, program_slug=program_slug, need_edit=True)
    slug = check_new_slug(slug) if new else slug
    cleaned = text.cleaned()
    with transaction.atomic():
        current = {a.slug: a for a in guidance_library(program=scope.program, include_hidden=True)}
        existing = current.get(slug)
        if existing is None and not new:
            slug = check_new_slug(slug)
        if new and existing is not None:
            raise ApplicationError(SLUG_TAKEN, fields={"slug": SLUG_TAKEN}, status=409)
        if existing is not None:
            cleaned = cleaned.in_order_of(existing)
            if ArticleText.of(existing).cleaned() == cleaned:
                return existing
        inherited = guidance_inherited(program=scope.program, slug=slug)
        override = GuidanceArticle.objects.filter(program=scope.program, slug=slug)
        if inherited is not None and ArticleText.of(inherited).cleaned() == cleaned.in_order_of(
            inherited
        ):
            override.delete()
        else:
            _write(override, program=scope.program, slug=slug, text=cleaned, user=user)
    return guidance_article(scope=scope, slug=slug)


def _write(
    override: QuerySet[GuidanceArticle],
    *,
    program: Program | None,
    slug: str,
    text: ArticleText,
    user: User,
) -> None:
    fields = {
        "title": text.title,
        "summary": text.summary,
        "body": text.body,
        "stages": list(text.stages),
        "reason_codes": list(text.reason_codes),
        "hidden": text.hidden,
        "updated_by": user,
        "updated_at": timezone.now(),  # ``update()`` skips ``auto_now``
    }
    try:
        with transaction.atomic():
            if not override.update(**fields):
                GuidanceArticle.objects.create(program=program, slug=slug, **fields)
    except IntegrityError:
        raise ApplicationError(SAVED_AT_ONCE, status=409) from None


def guidance_article_reset(*, user: User, program_slug: str | None, slug: str) -> Article | None:
    """Undo the program's (or the site-wide) change to ``slug``: back to the version it
    replaced (returned), or, for an article added here, gone (None)."""
    scope = access_guidance_library(user=user, program_slug=program_slug, need_edit=True)
    with transaction.atomic():
        deleted, _ = GuidanceArticle.objects.filter(program=scope.program, slug=slug).delete()
    if not deleted:
        raise ApplicationError(NOTHING_TO_RESET, status=409)
    return guidance_inherited(program=scope.program, slug=slug)
