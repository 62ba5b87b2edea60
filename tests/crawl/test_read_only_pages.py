"""A page that only shows something answers a POST with 405 and ``Allow: GET``, as Django's
``require_safe`` does, instead of the page again with 200 (review finding: ``POST /programs/``
answered 200 with the program list); a HEAD still answers as the GET does, without the body.

Every URL pattern is filled with the ids of ``test_forbidden_ids.the_world`` and opened by the
people who may open it (site admin, the demo pair). A page that answers 200 and shows none of
them a form posting back to its own address is then posted to (empty body, CSRF not enforced
by the test client) and must refuse.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.crawl.html import parse_page
from tests.crawl.test_forbidden_ids import the_cast_and_their_pages

pytestmark = pytest.mark.django_db

# Pages that take a POST although these URLs show none of them their form: leaving is blocked
# while a mentorship runs, the import's preview has nothing to confirm, the request form
# appears once a mentor is chosen (``?recipient=``), and completing is offered from the agreed
# end on (before it the page says when).
FORM_NOT_SHOWN_HERE = frozenset(
    {"program_leave", "program_import_preview", "request_new", "mentorship_complete"}
)


def _posts_to_itself(path: str, html: str) -> bool:
    page = parse_page(f"http://testserver{path}", html)
    return any(form.method == "post" and urlsplit(form.action).path == path for form in page.forms)


def test_a_page_without_a_form_refuses_a_post_with_405():
    clients, pages = the_cast_and_their_pages()
    read_only, accepted = [], []
    for name, path in pages:
        opened = [(client, client.get(path)) for client in clients]
        opened = [(client, page) for client, page in opened if page.status_code == 200]
        if (
            not opened
            or name in FORM_NOT_SHOWN_HERE
            or any(
                "html" in page["Content-Type"] and _posts_to_itself(path, page.content.decode())
                for _, page in opened
            )
        ):
            continue
        client = opened[0][0]
        read_only.append(name)
        answer = client.post(path)
        if answer.status_code != 405 or "GET" not in answer.get("Allow", ""):
            accepted.append(f"POST {path} ({name}): {answer.status_code}")
        # HEAD stays the GET without its body (require_safe): monitors and calendar apps ask it.
        head = client.head(path)
        body = b"".join(head.streaming_content) if head.streaming else head.content
        if head.status_code != 200 or body:
            accepted.append(f"HEAD {path} ({name}): {head.status_code}")
    assert {"program_list", "mentorship_detail", "dashboard", "meeting_ics"} <= set(read_only)
    assert not accepted, "\n".join(accepted)
