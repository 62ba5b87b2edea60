"""A page answers the methods it handles and refuses the others with 405 and ``Allow``.

Review finding: views that test ``request.method == "POST"`` themselves took a PUT, DELETE,
PATCH or OPTIONS for a GET (the profile, agreement, meeting, check-in and program-leave forms
answered 200 with the form; Django's password-reset link page too), and pages declared
``require_http_methods(["GET", "POST"])`` refused the HEAD their GET answers.

Every URL pattern outside the admin and the JSON API, filled as ``test_forbidden_ids`` fills
it (a made-up secret where the URL carries one), is sent each of those methods by nobody, the
demo's site admin and the demo pair. Each must answer 405 with an ``Allow`` that does not name
the method (nobody logged in may be sent to the log-in page instead), and nothing may change;
HEAD answers as GET does, without a body. The checks take any ``send``, so the same walk runs
against a live server on PostgreSQL too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tandem.demo.program import DEMO_ADMIN_EMAIL
from tandem.people.models import User
from tests.crawl.crawler import diff
from tests.crawl.test_forbidden_ids import _KWARG, patterns, the_world
from tests.crawl.world import IGNORED_COLUMNS, snapshot
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = ("PUT", "DELETE", "PATCH", "OPTIONS")
MADE_UP = "made-up-secret"
CHANGE_PAGES = ("people_user_change", "people_user_delete", "people_user_history")


class Answer(NamedTuple):
    status: int
    location: str
    allow: str
    body: bytes


Send = Callable[[str, str], Answer]


def filled_paths(by_route: dict[str, Callable[[str], object]]) -> list[tuple[str, str]]:
    """(name, path) of every pattern, its ids from ``by_route`` or a made-up secret."""

    def fill(name: str, route: str) -> str:
        def value(match) -> str:
            kwarg = match.group(1)
            return str(by_route[kwarg](name)) if kwarg in by_route else MADE_UP

        return "/" + _KWARG.sub(value, route)

    return [(name, fill(name, route)) for route, name in patterns()]


def method_problems(send: Send, paths: Iterable[tuple[str, str]], *, signed_in: bool) -> list[str]:
    """What each path answers to the methods no page handles."""
    problems = []
    for name, path in paths:
        for method in REFUSED:
            answer = send(method, path)
            if not signed_in and answer.status == 302 and answer.location.startswith("/login/"):
                continue  # the view was never reached
            allowed = {given.strip() for given in answer.allow.split(",") if given.strip()}
            if answer.status != 405 or not allowed or method in allowed:
                problems.append(f"{method} {path} ({name}): {answer.status} Allow={answer.allow}")
    return problems


def head_problems(send: Send, paths: Iterable[tuple[str, str]]) -> list[str]:
    """Each path's HEAD against its GET (apart: a GET may rightly write, e.g. a read marker)."""
    problems = []
    for name, path in paths:
        get, head = send("GET", path), send("HEAD", path)
        if head.status != get.status or head.body:
            problems.append(f"HEAD {path} ({name}): {head.status}, GET {get.status}")
    return problems


def client_send(client: Client) -> Send:
    def send(method: str, path: str) -> Answer:
        response = client.generic(
            method, path, "confirm=yes", content_type="application/x-www-form-urlencoded"
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return Answer(
            response.status_code, response.get("Location", ""), response.get("Allow", ""), body
        )

    return send


def test_every_page_refuses_put_delete_patch_and_options_with_405():
    by_route, pair = the_world()
    paths = filled_paths(by_route)
    problems = []
    for person in (None, User.objects.get(email=DEMO_ADMIN_EMAIL), pair.mentor, pair.mentee):
        client = Client()
        if person is not None:
            client.force_login(person)
        before = snapshot()
        found = method_problems(client_send(client), paths, signed_in=person is not None)
        changed = diff(before, snapshot(), IGNORED_COLUMNS)
        assert not changed, f"[{person or 'nobody'}] changed data: {changed[:5]}"
        found += head_problems(client_send(client), paths)
        problems += [f"[{person or 'nobody'}] {problem}" for problem in found]
    names = {name for name, _ in paths}
    assert len(paths) > 120 and {"profile_edit", "login", "password_reset_confirm"} <= names
    assert not problems, "\n".join(problems)


def test_the_django_admin_refuses_them_too(client):
    """Its pages treat any method but POST as a GET: a PUT or DELETE answered the page (the
    change form, the delete confirmation), though none acted."""
    person = UserFactory(is_staff=True, is_superuser=True)
    paths = [("admin:index", "/admin/"), ("admin password", "/admin/password_change/")]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        paths += [(name, reverse(f"{name}_changelist")), (name, reverse(f"{name}_add"))]
    for page in (*CHANGE_PAGES, "auth_user_password_change"):
        paths.append((page, reverse(f"admin:{page}", args=[person.pk])))
    assert not method_problems(client_send(client), paths[:1], signed_in=True)
    client.force_login(person)
    problems = method_problems(client_send(client), paths, signed_in=True)
    problems += head_problems(client_send(client), paths)
    assert not problems, "\n".join(problems)
