"""The request guards of tandem.core (review of issue 8's change): client text is never quoted
back as HTML or in a form that cannot be encoded, every response made by a middleware carries
the Content-Security-Policy, one size limit with one message holds in front of Django and
inside it (chunked bodies included), and one rule decides which characters are refused."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time

import pytest
from asgiref.testing import ApplicationCommunicator
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape

from tandem.core.body_limit import limit_request_body, request_too_large_message
from tandem.core.exceptions import ApplicationError, form_error_fields, validation_error_fields
from tandem.core.forms import DateTimeInput, TimeInput
from tandem.core.middleware import (
    CONTROL_NOT_ALLOWED,
    NUL_NOT_ALLOWED,
    SURROGATE_NOT_ALLOWED,
)

pytestmark = pytest.mark.django_db

HOSTILE = "<img src=x onerror=alert(1)>"


def utf7_post(client, path, *, name, value="a+2AA-b"):
    """A multipart post in UTF-7, where ``+2AA-`` decodes to the lone surrogate U+D800."""
    body = (
        f'--B0uNdArY\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n--B0uNdArY--\r\n"
    ).encode()
    return client.generic(
        "POST",
        path,
        body,
        content_type="multipart/form-data; boundary=B0uNdArY; charset=utf-7",
    )


# --- 1. the field name is the client's -----------------------------------------------------


def test_hostile_field_name_is_not_reflected_as_html(client):
    response = utf7_post(client, "/login/", name=HOSTILE)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.decode() == f"{HOSTILE}: {SURROGATE_NOT_ALLOWED}"


def test_lone_surrogate_in_a_page_field_name_is_a_400_not_a_500(client):
    response = utf7_post(client, "/login/", name="notes+2AA-", value="fine")
    assert response.status_code == 400
    assert response.content.decode() == f"notes\\ud800: {SURROGATE_NOT_ALLOWED}"


def test_lone_surrogate_in_an_api_field_name_is_named_encodably(client):
    body = json.dumps({"bio\ud800": "x"})
    response = client.patch("/api/people/me", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": SURROGATE_NOT_ALLOWED,
        "fields": {"bio\\ud800": SURROGATE_NOT_ALLOWED},
    }
    response.content.decode("utf-8")  # strict: no surrogate escapes sent to clients


# --- 5. one rule for unwanted characters -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\x00b", NUL_NOT_ALLOWED),
        ("a\ud800b", SURROGATE_NOT_ALLOWED),
        ("a\x0bb", CONTROL_NOT_ALLOWED.format(code="U+000B")),
        ("a\x7fb", CONTROL_NOT_ALLOWED.format(code="U+007F")),
    ],
)
def test_api_refuses_what_the_import_refuses_and_names_the_field(client, text, message):
    response = client.patch(
        "/api/people/me", json.dumps({"bio": text}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": message, "fields": {"bio": message}}


def test_tabs_and_line_breaks_pass_the_guard(client):
    body = json.dumps({"bio": "one\ttwo\r\nthree\u000a"})
    response = client.patch("/api/people/me", body, content_type="application/json")
    assert response.status_code == 401  # past the guard: only the missing log-in stops it


def test_import_and_guard_share_the_rule():
    from tandem.programs.imports import reading

    assert not hasattr(reading, "_CONTROL")


# --- 2. the policy on responses made by middleware -------------------------------------------


def test_a_400_from_the_character_guard_carries_the_policy(client):
    response = client.get("/login/?next=%00")
    assert response.status_code == 400
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_a_413_from_the_size_limit_carries_the_policy(client):
    response = client.post(
        "/login/", {"x": "y"}, CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1)
    )
    assert response.status_code == 413
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_a_common_middleware_redirect_carries_the_policy(client):
    response = client.get("/login")  # APPEND_SLASH
    assert response.status_code == 301
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_the_policy_middleware_is_outermost():
    assert settings.MIDDLEWARE[0] == "tandem.core.middleware.ContentSecurityPolicyMiddleware"


# --- 4. one limit, one message ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/people/me", "application/json"), ("/login/", "text/html; charset=utf-8")],
)
def test_one_limit_and_one_message_inside_django(client, settings, path, content_type):
    settings.MAX_REQUEST_BYTES = 1_000
    response = client.post(
        path, "x" * 2_000, content_type="application/octet-stream", CONTENT_LENGTH="2000"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == content_type
    if path.startswith("/api/"):
        assert response.json()["detail"] == request_too_large_message(1_000)
    else:
        page = response.content.decode()
        assert f"<p>{escape(request_too_large_message(1_000))}</p>" in page
        assert '<a href="/">Back to Tandem</a>' in page


def test_django_reads_no_more_than_the_one_limit():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.MAX_REQUEST_BYTES


# --- 3. a chunked body over the limit through the ASGI application ---------------------------


def asgi_post(app, path, chunks):
    async def run():
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
        }
        communicator = ApplicationCommunicator(app, scope)
        for chunk in chunks:
            await communicator.send_input(
                {"type": "http.request", "body": chunk, "more_body": True}
            )
        start = await communicator.receive_output(timeout=5)
        body = await communicator.receive_output(timeout=5)
        await communicator.wait(timeout=5)
        return start, body

    return asyncio.run(run())


def test_chunked_body_over_the_limit_gets_the_413_through_django(settings):
    from django.core.asgi import get_asgi_application

    app = limit_request_body(get_asgi_application(), max_bytes=1_000)
    start, body = asgi_post(app, "/api/people/me", [b"x" * 600] * 3)
    assert start["status"] == 413
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"content-security-policy"] == settings.CONTENT_SECURITY_POLICY.encode()
    assert json.loads(body["body"]) == {"detail": request_too_large_message(1_000), "fields": {}}


def test_the_asgi_guard_answers_only_once():
    sent = []

    async def app(scope, receive, send):
        while (await receive())["type"] != "http.disconnect":
            pass
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"late"})

    async def run():
        chunks = iter([b"x" * 80, b"x" * 80])

        async def receive():
            return {"type": "http.request", "body": next(chunks), "more_body": True}

        async def send(message):
            sent.append(message)

        await limit_request_body(app, max_bytes=100)({"type": "http", "path": "/p"}, receive, send)

    asyncio.run(run())
    assert [m.get("status") for m in sent] == [413, None]
    assert escape(request_too_large_message(100)) in sent[1]["body"].decode()


# --- 5. one error flattener, seconds kept by both inputs -------------------------------------


def test_form_and_validation_errors_flatten_alike():
    class TwoRules(forms.Form):
        code = forms.CharField(min_length=5, validators=[lambda v: _fail("no digits")])

    form = TwoRules({"code": "abc"})
    assert not form.is_valid()
    joined = "; ".join(form.errors["code"])
    assert form_error_fields(form) == {"code": joined}
    assert ApplicationError("x", fields=form.errors).fields == {"code": joined}
    error = ValidationError(["first", "second"])
    assert validation_error_fields(error) == {"__all__": "first; second"}
    assert validation_error_fields(ValidationError({"a": ["one", "two"]})) == {"a": "one; two"}


def _fail(message):
    raise ValidationError(message)


@pytest.mark.parametrize(
    ("widget", "with_seconds", "without"),
    [
        (TimeInput(), (time(14, 30, 27), "14:30:27"), (time(14, 30), "14:30")),
        (
            DateTimeInput(),
            (datetime(2027, 1, 15, 14, 30, 27), "2027-01-15T14:30:27"),
            (datetime(2027, 1, 15, 14, 30), "2027-01-15T14:30"),
        ),
    ],
)
def test_time_inputs_keep_seconds_only_when_there_are_some(widget, with_seconds, without):
    value, text = with_seconds
    html = widget.render("t", value)
    assert f'value="{text}"' in html and 'step="1"' in html
    value, text = without
    html = widget.render("t", value)
    assert f'value="{text}"' in html and "step=" not in html
