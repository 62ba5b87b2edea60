"""The guidance library over HTTP: list and search a program's articles (or the site-wide
ones), read one with its HTML, and, for who may change the library, change or add an article
(PUT) and undo a change (DELETE: back to the version it replaced, or gone if added here).
``?program=<slug>`` picks the program; without it, the site-wide library. The same rules as
the pages: a library you may not read or change is a 404, the same as a missing one."""

from typing import Annotated

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import ApiBool, AuthenticatedRequest, InputSchema, OneOf
from tandem.core.openapi import ErrorOut
from tandem.core.pagination import PageNumberPagination
from tandem.feedback.guidance import STAGES
from tandem.feedback.guidance.render import render_markdown
from tandem.feedback.models import GUIDANCE_BODY_LIMIT
from tandem.feedback.selectors.guidance import (
    Article,
    access_guidance_library,
    guidance_article,
    guidance_library,
    guidance_search,
)
from tandem.feedback.services.guidance import (
    SLUG_LIMIT,
    SUMMARY_LIMIT,
    TITLE_LIMIT,
    ArticleText,
    guidance_article_reset,
    guidance_article_save,
)

router = Router(tags=["feedback"])

ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ProgramSlug = Annotated[
    str | None, Field(max_length=100, description="A program's slug; none: the site-wide library.")
]
Words = Annotated[str, Field(max_length=200, description="Words every article found must hold.")]


class ArticleSummaryOut(Schema):
    slug: str
    title: str
    summary: str
    stages: list[str]
    reason_codes: list[str]
    hidden: bool = Field(description="Shown only to who may change the library.")
    origin: str = Field(description="shipped, site (changed site-wide) or program.")
    shipped: bool = Field(description="Tandem ships an article with this slug.")
    url: str


class ArticleOut(ArticleSummaryOut):
    body: str = Field(description="Markdown.")
    html: str = Field(description="The body as safe HTML (no raw HTML, safe links only).")


class ArticleIn(InputSchema):
    title: str = Field(max_length=TITLE_LIMIT * 2)
    summary: str = Field("", max_length=SUMMARY_LIMIT * 2)
    body: str = Field(max_length=GUIDANCE_BODY_LIMIT * 2)
    stages: list[Annotated[str, OneOf(*STAGES)]] = Field([], max_length=len(STAGES) * 2)
    reason_codes: list[str] = Field([], max_length=50)
    hidden: ApiBool = False


Slug = Annotated[str, Field(max_length=SLUG_LIMIT * 2)]


def _out(article: Article, *, with_body: bool) -> dict[str, object]:
    out: dict[str, object] = {
        **{name: getattr(article, name) for name in ArticleSummaryOut.model_fields},
        "stages": list(article.stages),
        "reason_codes": list(article.reason_codes),
    }
    if with_body:
        out.update(body=article.body, html=render_markdown(article.body))
    return out


@router.get(
    "/guidance/",
    response={200: list[ArticleSummaryOut], **ERRORS},
    operation_id="tandem_feedback_api_guidance_list",
)
@paginate(PageNumberPagination, page_size=50)
def guidance_list(
    request: AuthenticatedRequest, program: ProgramSlug = None, q: Words = ""
) -> list[dict[str, object]]:
    """The library's articles by title, or those holding every word of ``q`` (title hits
    first); hidden ones too for who may change the library."""
    scope = access_guidance_library(user=request.auth, program_slug=program or None)
    library = guidance_library(program=scope.program, include_hidden=scope.can_edit)
    return [_out(article, with_body=False) for article in guidance_search(library, q)]


@router.get(
    "/guidance/{slug}",
    response={200: ArticleOut, **ERRORS},
    operation_id="tandem_feedback_api_guidance_get",
)
def guidance_get(
    request: AuthenticatedRequest, slug: Slug, program: ProgramSlug = None
) -> dict[str, object]:
    found = access_guidance_library(user=request.auth, program_slug=program or None)
    return _out(guidance_article(scope=found, slug=slug), with_body=True)


@router.put(
    "/guidance/{slug}",
    response={200: ArticleOut, **ERRORS},
    operation_id="tandem_feedback_api_guidance_update",
)
def guidance_put(
    request: AuthenticatedRequest, slug: Slug, payload: ArticleIn, program: ProgramSlug = None
) -> dict[str, object]:
    """Change the article for the program (or site-wide), or add it if the slug is new.
    Sending what is there changes nothing; sending the version it replaced undoes the change."""
    saved = guidance_article_save(
        user=request.auth,
        program_slug=program or None,
        slug=slug,
        text=ArticleText.from_fields(payload.dict()),
    )
    return _out(saved, with_body=True)


@router.delete(
    "/guidance/{slug}",
    response={204: None, **ERRORS},
    operation_id="tandem_feedback_api_guidance_reset",
)
def guidance_delete(
    request: AuthenticatedRequest, slug: Slug, program: ProgramSlug = None
) -> HttpResponse:
    """Undo the program's (or the site-wide) change: back to the version it replaced, or the
    article is gone if it was added here. Nothing to undo: 409."""
    guidance_article_reset(user=request.auth, program_slug=program or None, slug=slug)
    return HttpResponse(status=204)
