"""The guidance library's pages: the library with search and a program filter, an article,
and the admins' pages to change, add, preview, hide and reset articles. Which program's
library: ``?program=<slug>``; none on an article or edit page is the site-wide library, and
the library page without one opens the first program the user reads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from tandem.core.api_types import AuthenticatedRequest
from tandem.core.exceptions import ApplicationError
from tandem.core.forms import OneLineField, TextareaField
from tandem.core.web import (
    confirm_page,
    confirmed,
    form_add_error,
    friendly_errors,
    require_form_methods,
)
from tandem.feedback.guidance import STAGES
from tandem.feedback.guidance.render import render_markdown
from tandem.feedback.health.reasons import REASON_CODES
from tandem.feedback.models import GUIDANCE_BODY_LIMIT
from tandem.feedback.selectors.guidance import (
    Article,
    GuidanceScope,
    access_guidance_library,
    can_edit_site_guidance,
    guidance_article,
    guidance_for_mentorship,
    guidance_inherited,
    guidance_library,
    guidance_programs_for,
    guidance_search,
)
from tandem.feedback.services.guidance import (
    BAD_SLUG,
    BODY_REQUIRED,
    NOTHING_TO_RESET,
    SLUG_LIMIT,
    SUMMARY_LIMIT,
    TITLE_LIMIT,
    TITLE_REQUIRED,
    ArticleText,
    check_new_slug,
    guidance_article_reset,
    guidance_article_save,
)
from tandem.mentorships.models import Mentorship
from tandem.mentorships.panels import Panel
from tandem.mentorships.selectors import Viewer
from tandem.people.models import User

guidance_errors = friendly_errors(back="guidance_library")
STAGE_LABELS = {
    "proposed": "Agreeing the terms",
    "active": "Under way",
    "midpoint": "Around the mid-point",
    "ending": "The last weeks",
    "ended": "After the end",
}
SAVED = "Saved. This is the article as the program's people now read it."
UNCHANGED = "Nothing changed."
RESET_DONE = "The change is undone."
ADDED_GONE = "The article is deleted."


class ArticleForm(forms.Form):
    slug = OneLineField(
        label="Address",
        max_length=SLUG_LIMIT,
        help_text="Lowercase letters, digits and hyphens; it ends the article's web address.",
        error_messages={"required": BAD_SLUG},
    )
    title = OneLineField(max_length=TITLE_LIMIT, error_messages={"required": TITLE_REQUIRED})
    summary = OneLineField(
        max_length=SUMMARY_LIMIT,
        required=False,
        help_text="One sentence, shown in the library and next to the mentorship.",
    )
    body = TextareaField(
        label="Text",
        max_length=GUIDANCE_BODY_LIMIT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22}),
        error_messages={"required": BODY_REQUIRED},
        help_text="Markdown: ## for a heading, - for a list, **bold**, [words](https://…) for a "
        "link. HTML is shown as typed, never run.",
    )
    stages = forms.MultipleChoiceField(
        label="Suggest it at these stages",
        choices=[(stage, STAGE_LABELS[stage]) for stage in STAGES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason_codes = forms.MultipleChoiceField(
        label="Suggest it when a mentorship's health shows",
        choices=[(reason.code, reason.meaning) for reason in REASON_CODES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hidden = forms.BooleanField(
        label="Hide this article from the library and from suggestions", required=False
    )

    def __init__(self, *args: object, new: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not new:
            del self.fields["slug"]

    def clean_slug(self) -> str:
        try:
            return check_new_slug(self.cleaned_data["slug"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None

    def text(self) -> ArticleText:
        return ArticleText.from_fields(self.cleaned_data)


def _scope(request: AuthenticatedRequest, *, need_edit: bool = False) -> GuidanceScope:
    return access_guidance_library(
        user=request.user, program_slug=request.GET.get("program") or None, need_edit=need_edit
    )


def _library_url(program_slug: str | None) -> str:
    # Always with ``program`` (empty: site-wide), as the page without it opens a program.
    return f"{reverse('guidance_library')}?program={program_slug or ''}"


def rendered(body: str) -> SafeString:
    # Safe by construction: ``render_markdown`` escapes every piece of the author's markup and
    # keeps only safe links (see its module).
    return SafeString(render_markdown(body))


@login_required
@require_safe
@guidance_errors
def guidance_library_page(request: AuthenticatedRequest) -> HttpResponse:
    programs = list(guidance_programs_for(user=request.user))
    if "program" not in request.GET and programs:
        scope = access_guidance_library(user=request.user, program_slug=programs[0].slug)
    else:
        scope = _scope(request)
    query = request.GET.get("q", "").strip()[:200]
    library = guidance_library(program=scope.program, include_hidden=scope.can_edit)
    return render(
        request,
        "feedback/guidance_library.html",
        {
            "scope": scope,
            "programs": programs,
            "site_choice": not programs or can_edit_site_guidance(user=request.user),
            "query": query,
            "articles": guidance_search(library, query),
            "total": len(library),
        },
    )


@login_required
@require_safe
@guidance_errors
def guidance_article_page(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    scope = _scope(request)
    article = guidance_article(scope=scope, slug=slug)
    return render(
        request,
        "feedback/guidance_article.html",
        {
            "scope": scope,
            "article": article,
            "html": rendered(article.body),
            "library_url": _library_url(scope.program_slug),
        },
    )


def _editor(
    request: AuthenticatedRequest, scope: GuidanceScope, article: Article | None
) -> HttpResponse:
    """The edit page (``article``) or the new-article page (None), both with a preview."""
    new = article is None
    initial = {} if article is None else {**ArticleText.of(article).__dict__, "slug": article.slug}
    form = ArticleForm(request.POST or None, initial=initial, new=new)
    preview = None
    if request.method == "POST" and form.is_valid():
        text = form.text()
        if request.POST.get("action") == "preview":
            preview = rendered(text.body)
        else:
            slug = form.cleaned_data["slug"] if new else article.slug  # type: ignore[union-attr]
            try:
                saved = guidance_article_save(
                    user=request.user,
                    program_slug=scope.program_slug,
                    slug=slug,
                    text=text,
                    new=new,
                )
            except ApplicationError as error:
                form_add_error(form, error)
            else:
                changed = new or saved != article
                messages.success(request, SAVED if changed else UNCHANGED)
                return redirect(saved.url)
    return render(
        request,
        "feedback/guidance_edit.html",
        {
            "scope": scope,
            "article": article,
            "form": form,
            "preview": preview,
            "library_url": _library_url(scope.program_slug),
            **_reset_offer(scope, article),
        },
    )


def _reset_offer(scope: GuidanceScope, article: Article | None) -> dict[str, str]:
    """What undoing this scope's change to ``article`` would do, if it has one."""
    if article is None or article.origin != ("program" if scope.program else "site"):
        return {}
    inherited = guidance_inherited(program=scope.program, slug=article.slug)
    if inherited is None:
        return {
            "reset_label": "Delete this article",
            "reset_help": "It was added here; deleting it removes it from the library.",
        }
    if inherited.origin == "site":
        return {
            "reset_label": "Go back to the site-wide text",
            "reset_help": "Drop this program's version; its people read the site-wide one.",
        }
    return {
        "reset_label": "Reset to the shipped text",
        "reset_help": "Drop the changes made here and read the text Tandem ships with.",
    }


@login_required
@require_form_methods
@guidance_errors
def guidance_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    scope = _scope(request, need_edit=True)
    return _editor(request, scope, guidance_article(scope=scope, slug=slug))


@login_required
@require_form_methods
@guidance_errors
def guidance_new(request: AuthenticatedRequest) -> HttpResponse:
    return _editor(request, _scope(request, need_edit=True), None)


@login_required
@require_form_methods
@guidance_errors
def guidance_reset(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    scope = _scope(request, need_edit=True)
    article = guidance_article(scope=scope, slug=slug)
    if not confirmed(request):
        offer = _reset_offer(scope, article)
        if not offer:
            raise ApplicationError(NOTHING_TO_RESET, status=409)
        return confirm_page(
            request,
            title=f"{offer['reset_label']}: “{article.title}”?",
            consequences=[offer["reset_help"], "Your text is not kept; copy it first to keep it."],
            button=offer["reset_label"],
            back=article.edit_url,
        )
    restored = guidance_article_reset(user=request.user, program_slug=scope.program_slug, slug=slug)
    messages.success(request, RESET_DONE if restored else ADDED_GONE)
    return redirect(restored.url if restored else _library_url(scope.program_slug))


def guidance_panel(mentorship: Mentorship, viewer: Viewer, user: User) -> Panel | None:
    """The mentorship page's side section: articles for the pair's stage and the health reasons
    of the reader's own view (the pair only; admins have the library itself)."""
    if not viewer.is_participant:
        return None
    articles = guidance_for_mentorship(mentorship, reader_id=user.pk)
    if not articles:
        return None
    context = {"articles": articles, "library_url": _library_url(mentorship.program.slug)}
    return Panel("feedback/guidance_panel.html", context, place="aside")
