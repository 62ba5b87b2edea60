"""Reads of the guidance library: the articles a program's people read (the shipped files,
changed or hidden by the site's and the program's admins), search, and the articles that fit a
mentorship's stage and health reasons (``guidance_for``, used by the mentorship page, nudges,
alerts and divergence prompts).

Who reads what: the articles are general advice, never anyone's data. A program's library is
read by its members and admins; the site-wide library (no program) by anyone signed in. A
program's admins change its articles (``is_program_admin``, the one rule); the site-wide
versions are changed by whoever holds Django's ``feedback.change_guidancearticle`` permission
(a superuser, or someone a site admin granted it to): the staff flag alone gives nothing, as
everywhere in Tandem.

Layering, later wins: shipped file < site-wide row (``program`` empty) < program row. A row
may also add an article with a new slug, or hide one (``hidden``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import NotFound
from tandem.feedback.guidance import LAST, ShippedArticle, shipped_articles
from tandem.feedback.models import GuidanceArticle, MentorshipHealth
from tandem.feedback.selectors.health_reads import health_known_by
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.people.models import User
from tandem.people.selectors import is_signed_in
from tandem.programs.models import Enrolment, Program
from tandem.programs.selectors import NEEDS, ProgramAccess, access_program, is_program_admin

ARTICLE_NOT_FOUND = "No such guidance article here."
SITE_EDIT_PERMISSION = "feedback.change_guidancearticle"
# The last days of a dated mentorship read as "ending"; the days after its mid-point, until
# the pair confirms the agreement, as "midpoint".
ENDING_DAYS = 28
MIDPOINT_DAYS = 28
DEFAULT_LIMIT = 3

Origin = Literal["shipped", "site", "program"]


@dataclass(frozen=True)
class Article:
    """One article as a program's people read it, and where that version comes from."""

    slug: str
    title: str
    summary: str
    body: str
    stages: tuple[str, ...]
    reason_codes: tuple[str, ...]
    hidden: bool
    origin: Origin
    # A shipped file has this slug: "reset" goes back to it (else the article is an addition).
    shipped: bool
    program_slug: str | None
    # The library's reading order (the shipped article's, kept by its changed versions).
    order: int = LAST

    @property
    def url(self) -> str:
        return _with_program(reverse("guidance_article", args=[self.slug]), self.program_slug)

    @property
    def edit_url(self) -> str:
        return _with_program(reverse("guidance_edit", args=[self.slug]), self.program_slug)


def _with_program(path: str, program_slug: str | None) -> str:
    return f"{path}?{urlencode({'program': program_slug})}" if program_slug else path


@dataclass(frozen=True)
class GuidanceScope:
    """Whose library a caller reads: a program's, or the site-wide one (``program`` None);
    ``can_edit`` when the caller may change it."""

    program: Program | None
    can_edit: bool

    @property
    def program_slug(self) -> str | None:
        return self.program.slug if self.program is not None else None


def can_edit_site_guidance(*, user: User | AnonymousUser) -> bool:
    return is_signed_in(user) and user.is_active and user.has_perm(SITE_EDIT_PERMISSION)


def access_guidance_library(
    *, user: User | AnonymousUser, program_slug: str | None, need_edit: bool = False
) -> GuidanceScope:
    """The library ``user`` asked for: a program's (members and admins) or, without a slug,
    the site-wide one (anyone signed in). ``need_edit``: only for who may change it. Missing
    and forbidden raise the same ``NotFound``."""
    if not is_signed_in(user):
        raise NotFound(ARTICLE_NOT_FOUND)
    if program_slug:
        program = access_program(user=user, slug=program_slug, need=ProgramAccess.MEMBER)
        scope = GuidanceScope(program, is_program_admin(user=user, program_id=program.pk))
    else:
        scope = GuidanceScope(None, can_edit_site_guidance(user=user))
    if need_edit and not scope.can_edit:
        raise NotFound(ARTICLE_NOT_FOUND)
    return scope


def guidance_programs_for(*, user: User) -> QuerySet[Program]:
    """The programs whose library ``user`` reads (as a member or an admin), by name."""
    member = Enrolment.objects.filter(NEEDS[ProgramAccess.MEMBER], person=user)
    return Program.objects.filter(pk__in=member.values("program_id")).order_by("name", "pk")


def guidance_rows(*, program: Program | None) -> QuerySet[GuidanceArticle]:
    """The rows that shape ``program``'s library: site-wide ones, then the program's."""
    scope = Q(program__isnull=True)
    if program is not None:
        scope |= Q(program=program)
    return GuidanceArticle.objects.filter(scope).order_by("program_id", "pk")


def _from_shipped(shipped: ShippedArticle, program_slug: str | None) -> Article:
    return Article(
        slug=shipped.slug,
        title=shipped.title,
        summary=shipped.summary,
        body=shipped.body,
        stages=shipped.stages,
        reason_codes=shipped.reason_codes,
        hidden=False,
        origin="shipped",
        shipped=True,
        program_slug=program_slug,
        order=shipped.order,
    )


def _from_row(row: GuidanceArticle, program_slug: str | None) -> Article:
    shipped = shipped_articles().get(row.slug)
    return Article(
        slug=row.slug,
        title=row.title,
        summary=row.summary,
        body=row.body,
        stages=tuple(row.stages),
        reason_codes=tuple(row.reason_codes),
        hidden=row.hidden,
        origin="site" if row.program_id is None else "program",
        shipped=shipped is not None,
        program_slug=program_slug,
        order=shipped.order if shipped else LAST,
    )


def guidance_library(*, program: Program | None, include_hidden: bool = False) -> list[Article]:
    """Every article of ``program``'s library (site-wide without a program) in reading order,
    then by title; hidden ones only with ``include_hidden`` (for its admins). One query."""
    program_slug = program.slug if program is not None else None
    articles = {
        slug: _from_shipped(shipped, program_slug) for slug, shipped in shipped_articles().items()
    }
    # Site-wide rows first, so the program's rows replace them.
    rows = sorted(guidance_rows(program=program), key=lambda row: row.program_id is not None)
    for row in rows:
        articles[row.slug] = _from_row(row, program_slug)
    shown = [a for a in articles.values() if include_hidden or not a.hidden]
    return sorted(shown, key=lambda a: (a.order, a.title.casefold(), a.slug))


def guidance_article(*, scope: GuidanceScope, slug: str) -> Article:
    """One article of the scope's library; a hidden one only for who may edit it."""
    for article in guidance_library(program=scope.program, include_hidden=scope.can_edit):
        if article.slug == slug:
            return article
    raise NotFound(ARTICLE_NOT_FOUND)


def guidance_inherited(*, program: Program | None, slug: str) -> Article | None:
    """The version an override of ``slug`` in ``program`` (or site-wide) replaces: for a
    program, the site-wide row or the shipped file; site-wide, the shipped file."""
    if program is not None:
        row = GuidanceArticle.objects.filter(program__isnull=True, slug=slug).first()
        if row is not None:
            return _from_row(row, program.slug)
    shipped = shipped_articles().get(slug)
    return _from_shipped(shipped, program.slug if program else None) if shipped else None


def _words(query: str) -> list[str]:
    return [word.casefold() for word in query.split() if word]


def guidance_search(articles: Sequence[Article], query: str) -> list[Article]:
    """The articles holding every word of ``query`` in their title, summary or body: those
    with the most words in the title first, then in the summary, then by title."""
    words = _words(query)
    if not words:
        return list(articles)
    ranked: list[tuple[int, int, str, Article]] = []
    for article in articles:
        title, summary = article.title.casefold(), article.summary.casefold()
        text = f"{title}\n{summary}\n{article.body.casefold()}"
        if all(word in text for word in words):
            in_title = sum(word in title for word in words)
            in_summary = sum(word in summary for word in words)
            ranked.append((-in_title, -in_summary, title, article))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked]


def guidance_for(
    program: Program | None,
    *,
    stage: str | None = None,
    reason_codes: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
) -> list[Article]:
    """At most ``limit`` visible articles of ``program``'s library that fit: those for the
    given health ``reason_codes`` first (most important code first, as the health reasons
    are ordered; among them those that also fit the stage, then those written mainly for
    that code), then those for the mentorship ``stage``; ties in the library's order.
    Nothing fits: an empty list. One query. Each ``Article`` has a ``url`` to link to."""
    order = {code: index for index, code in enumerate(reason_codes)}
    ranked: list[tuple[tuple[int, int, int, int], Article]] = []
    for article in guidance_library(program=program):
        # (importance of the code among the given ones, its place in the article's own list)
        matches = [
            (order[code], at) for at, code in enumerate(article.reason_codes) if code in order
        ]
        fits_stage = stage is not None and stage in article.stages
        if matches or fits_stage:
            first, place = min(matches) if matches else (len(order), 0)
            ranked.append(((first, 0 if fits_stage else 1, place, len(ranked)), article))
    ranked.sort(key=lambda entry: entry[0])
    return [article for _key, article in ranked[:limit]]


def mentorship_stage(mentorship: Mentorship, *, today: date | None = None) -> str:
    """Where a mentorship is, in the words of the articles' ``stages``: proposed, active,
    midpoint (from the middle of its dates, until confirmed, for ``MIDPOINT_DAYS``), ending
    (its last ``ENDING_DAYS``) or ended."""
    if mentorship.state == MentorshipState.PROPOSED:
        return "proposed"
    if mentorship.state != MentorshipState.ACTIVE:
        return "ended"
    today = today or timezone.localdate()
    starts_on, ends_on = mentorship.starts_on, mentorship.ends_on
    if ends_on is not None and today >= ends_on - timedelta(days=ENDING_DAYS):
        return "ending"
    if starts_on is not None and ends_on is not None and mentorship.midpoint_confirmed_at is None:
        midpoint = starts_on + (ends_on - starts_on) / 2
        if midpoint <= today < midpoint + timedelta(days=MIDPOINT_DAYS):
            return "midpoint"
    return "active"


def mentorship_reason_codes(mentorship: Mentorship, *, reader_id: int | None = None) -> list[str]:
    """The codes of the mentorship's current health reasons, most important first (none
    before its health is first computed): as ``reader_id`` may know them
    (``health_known_by``: one of the pair, their own view), or every stored code (None)."""
    health = MentorshipHealth.objects.filter(mentorship=mentorship).only("reasons", "views").first()
    if health is None:
        return []
    if reader_id is not None:
        health = health_known_by(health, mentorship=mentorship, reader_id=reader_id)
    return [reason["code"] for reason in health.reasons if reason.get("code")]


def guidance_for_mentorship(
    mentorship: Mentorship, *, reader_id: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[Article]:
    """``guidance_for`` the mentorship's program, stage and current health reasons (as
    ``reader_id`` may know them, see ``mentorship_reason_codes``)."""
    return guidance_for(
        mentorship.program,
        stage=mentorship_stage(mentorship),
        reason_codes=mentorship_reason_codes(mentorship, reader_id=reader_id),
        limit=limit,
    )
