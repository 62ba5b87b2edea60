"""The pages' one way of showing a domain error (``tandem.core.web``): on a form by field, as a
flash message back where the user came from, or as an error page; and the one ``safe_next``,
which never redirects to another site."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.web import error_text, form_add_error, friendly_errors, safe_next

pytestmark = pytest.mark.django_db

FALLBACK = "/fallback/"
HOSTILE = [
    "https://evil.example/x",
    "http://evil.example",
    "//evil.example/x",
    "///evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https:evil.example",
]


def _request(method: str = "get", data: dict | None = None, **headers: str):
    request = getattr(RequestFactory(), method)("/here/", data or {}, **headers)
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)
    return request


class TestSafeNext:
    @pytest.mark.parametrize("target", HOSTILE)
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_another_site_falls_back(self, target, method):
        request = _request(method, {"next": target}, HTTP_REFERER=target)
        assert safe_next(request, FALLBACK) == FALLBACK
        assert safe_next(request, FALLBACK, referer=True) == FALLBACK

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_path_of_this_site_is_taken(self, method):
        assert safe_next(_request(method, {"next": "/goals/?a=1"}), FALLBACK) == "/goals/?a=1"

    @pytest.mark.parametrize("word", ["abc", "abc#latest", "goals/", "?a=1", "mentorship_detail"])
    def test_a_bare_word_or_relative_path_falls_back(self, word):
        """Live review: ``next=abc`` reached ``redirect``, which took it for a view name and
        answered 500 after the form's action had run."""
        assert safe_next(_request("post", {"next": word}), FALLBACK) == FALLBACK

    @pytest.mark.parametrize("given", [" /goals/", "/goals/ ", "\t/goals/\n"])
    def test_blanks_around_a_path_are_dropped(self, given):
        """Live review: ``next=" /x"`` was taken as it came and redirected to ``%20/x``."""
        assert safe_next(_request("get", {"next": given}), FALLBACK) == "/goals/"

    @pytest.mark.parametrize("target", [f" {hostile}" for hostile in HOSTILE])
    def test_blanks_do_not_hide_another_site(self, target):
        assert safe_next(_request("get", {"next": target}), FALLBACK) == FALLBACK

    def test_the_same_host_in_full_is_taken(self):
        request = _request("post", {"next": "http://testserver/goals/"})
        assert safe_next(request, FALLBACK) == "http://testserver/goals/"

    def test_the_referer_counts_only_when_asked_and_after_next(self):
        request = _request("post", HTTP_REFERER="http://testserver/from/")
        assert safe_next(request, FALLBACK) == FALLBACK
        assert safe_next(request, FALLBACK, referer=True) == "http://testserver/from/"
        request = _request("post", {"next": "/next/"}, HTTP_REFERER="http://testserver/from/")
        assert safe_next(request, FALLBACK, referer=True) == "/next/"


class MeetingForm(forms.Form):
    date = forms.DateField()
    weight_skills = forms.IntegerField()
    objective_2_goal = forms.CharField()


class TestFormAddError:
    def _form(self) -> MeetingForm:
        form = MeetingForm({})
        form.is_valid()
        form.errors.clear()
        return form

    def test_fields_by_name_prefix_and_rename_else_on_top(self):
        form = self._form()
        error = ApplicationError(
            "Not saved.",
            fields={
                "starts_at": "In the past.",
                "weights.skills": "Too heavy.",
                "objectives.2.goal": "Say what.",
                "unknown": "Elsewhere.",
            },
        )
        form_add_error(
            form,
            error,
            prefixes={"weights.": "weight_", "objectives.": "objective_"},
            renames={"starts_at": "date"},
        )
        assert form.errors == {
            "date": ["In the past."],
            "weight_skills": ["Too heavy."],
            "objective_2_goal": ["Say what."],
            "__all__": ["Elsewhere."],
        }

    def test_an_error_without_fields_goes_on_top(self):
        form = self._form()
        form_add_error(form, ApplicationError("Not now."))
        assert form.errors == {"__all__": ["Not now."]}


def _raising(error: Exception):
    @friendly_errors(back="dashboard")
    def view(request):
        raise error

    return view


class TestFriendlyErrors:
    def test_not_found_is_the_404_page(self):
        with pytest.raises(Http404):
            _raising(NotFound())(_request("post"))

    def test_a_refused_form_post_is_a_message_back_where_the_user_came_from(self):
        error = ApplicationError("Not now.", fields={"a": "Not now.", "b": "Too late."})
        request = _request("post", HTTP_REFERER="http://testserver/from/")
        response = _raising(error)(request)
        assert (response.status_code, response["Location"]) == (302, "http://testserver/from/")
        assert [m.message for m in get_messages(request)] == ["Not now. Too late."]
        assert error_text(error) == "Not now. Too late."

    def test_a_refused_post_from_another_site_goes_to_the_fallback(self):
        request = _request("post", {"next": "//evil.example"}, HTTP_REFERER="https://evil.example")
        response = _raising(ApplicationError("No."))(request)
        assert response["Location"] == reverse("dashboard")

    @pytest.mark.parametrize(
        ("method", "headers"), [("get", {}), ("post", {"HTTP_HX_REQUEST": "true"})]
    )
    def test_a_read_or_htmx_request_gets_the_error_page_with_the_status(self, method, headers):
        request = _request(method, **headers)
        response = _raising(ApplicationError("Taken.", status=409))(request)
        assert response.status_code == 409
        assert "Taken." in response.content.decode()

    def test_a_page_without_error_is_untouched(self):
        @friendly_errors(back="dashboard")
        def view(request):
            return HttpResponse("fine")

        assert view(_request()).content == b"fine"
