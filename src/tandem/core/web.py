"""What every app's pages share: a domain error shown on a form, as a page or as a message,
``NotFound`` as the 404 page, and a safe URL to go back to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from tandem.core.exceptions import ApplicationError, NotFound, Repeated

View = Callable[..., Any]
_Done = TypeVar("_Done")

# A page with a form: shown on GET (HEAD answers as GET does, without the body), acted on by
# POST. Anything else is 405 with ``Allow``: a view that tests ``request.method == "POST"``
# would otherwise take a PUT or DELETE for a GET and show the form, or act on it. A class-based
# page takes it as ``method_decorator(require_form_methods, name="dispatch")``, which runs
# before the class's own ``dispatch`` (Django's password-reset link answers before it looks).
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def form_methods_only(patterns: list[Any]) -> list[Any]:
    """``patterns`` (and those they include) with every view behind ``require_form_methods``:
    for the Django admin's pages, which treat any method but POST as a GET and answered a PUT
    or DELETE with the page (none acted: the admin writes only on POST)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            form_methods_only(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = require_form_methods(entry.callback)
    return patterns


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, fallback: str, *, referer: bool = False) -> str:
    """The ``next`` the form or link carries (with ``referer``, else the page the browser came
    from) if it is a URL of this site with an absolute path; otherwise ``fallback``. Never an
    open redirect, and never a bare word (``redirect`` would take ``abc`` for a view name and
    fail with a 500 after the form's action had run). Surrounding blanks are dropped, as a
    browser drops them from a link (kept, ``" /x"`` redirected to ``%20/x``, a 404)."""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if referer:
        candidates.append(request.META.get("HTTP_REFERER"))
    for candidate in (given.strip() for given in candidates if given):
        if (
            candidate
            and urlsplit(candidate).path.startswith("/")
            and url_has_allowed_host_and_scheme(
                candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
        ):
            return candidate
    return fallback


def error_text(error: ApplicationError) -> str:
    """The error's message and its field messages (each once) as one line for a flash message."""
    return " ".join([error.message, *[m for m in error.fields.values() if m != error.message]])


def flash_outcome(
    request: HttpRequest, act: Callable[[], _Done], said: Callable[[_Done], str]
) -> _Done | None:
    """Run a form post's service call and flash what came of it: ``said``'s words for what it
    did, or the domain error's text (``NotFound`` passes on, to be the 404 page)."""
    try:
        done = act()
    except NotFound:
        raise
    except ApplicationError as error:
        messages.error(request, error_text(error))
        return None
    messages.success(request, said(done))
    return done


def not_found_as_404(view: Callable[..., Any]) -> Callable[..., Any]:
    """A ``NotFound`` from the view becomes the 404 page; other errors pass through."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None

    return wrapper


def friendly_errors(*, back: str) -> Callable[[View], View]:
    """A page's domain errors said in words, never a stack trace.

    ``NotFound`` is the 404 page. Another error from a plain form post is a flash message on
    the page the user came from (``safe_next``, else the ``back`` URL name); from a read or an
    htmx request it is the error page (``error_page``) with the error's status.
    """

    def decorator(view: View) -> View:
        shown = not_found_as_404(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                return shown(request, *args, **kwargs)
            except Repeated as repeat:
                return repeat_shown(request, repeat)
            except ApplicationError as error:
                if request.method == "POST" and not is_htmx(request):
                    messages.error(request, error_text(error))
                    return redirect(safe_next(request, reverse(back), referer=True))
                return error_page(request, error, back=reverse(back))

        return wrapper

    return decorator


def repeat_shown(request: HttpRequest, repeat: Repeated) -> HttpResponse:
    """A repeated submit (a double click) shows where the first one's result is, as the first
    did, with a note that it was already there: no error page, no form with an error. An htmx
    request loads that page (``HX-Redirect``) instead of swapping it into the form."""
    messages.info(request, repeat.message)
    if is_htmx(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = repeat.url
        return response
    return redirect(repeat.url)


def error_page(request: HttpRequest, error: ApplicationError, *, back: str) -> HttpResponse:
    """The page that says what went wrong, with the error's status and a link ``back``."""
    return render(request, "error.html", {"error": error, "back": back}, status=error.status)


def form_add_error(
    form: forms.BaseForm,
    error: ApplicationError,
    *,
    prefixes: Mapping[str, str] | None = None,
    renames: Mapping[str, str] | None = None,
) -> None:
    """Put a service's error on the form: by field where the form has one, else on top.

    ``prefixes`` maps a service's nested field names to the form's flat ones, for example
    ``{"weights.": "weight_"}`` turns ``weights.skills`` into the ``weight_skills`` field
    (deeper dots become underscores: ``objectives.2.goal`` is ``objective_2_goal``);
    ``renames`` maps whole names first, for example ``{"starts_at": "date"}``.
    """
    for field, message in (error.fields or {"__all__": error.message}).items():
        name = (renames or {}).get(field, field)
        for service_prefix, form_prefix in (prefixes or {}).items():
            if name.startswith(service_prefix):
                name = form_prefix + name.removeprefix(service_prefix).replace(".", "_")
        form.add_error(name if name in form.fields else None, message)


def confirmed(request: HttpRequest) -> bool:
    """True only for a POST that carries the confirmation step's ``confirm=yes``."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: list[str],
    button: str,
    back: str,
    keep: str = "Cancel, change nothing",
    form: forms.BaseForm | None = None,
    carry: Mapping[str, list[str]] | None = None,
) -> HttpResponse:
    """The step before a destructive action: what will happen in words (who is told, what is
    kept, that it cannot be undone) and one button that posts ``confirm=yes`` back to this
    URL (query string kept), with the fields of ``form`` if the action needs more (a reason)
    and ``carry``'s values as hidden fields (the ticked ids); ``back`` leaves
    everything as it is. The view acts only when ``confirmed``. An htmx
    request is sent to this page (``HX-Redirect``), so the same page asks with or without
    JavaScript."""
    if is_htmx(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = request.path
        return response
    confirm = {
        "title": title,
        "consequences": consequences,
        "button": button,
        "back": back,
        "keep": keep,
        "action": request.get_full_path(),
        "form": form,
        "carry": [(name, value) for name, values in (carry or {}).items() for value in values],
    }
    return render(request, "web/confirm.html", {"confirm": confirm})
