"""The errors above a form name its hidden fields' errors too (``core.templatetags.form_errors``):
a hidden field has no place of its own on the page, so its error was never shown."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class _Form(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput, label="Based on")
    title = forms.CharField()

    def clean(self):
        raise forms.ValidationError("Not saved.")


def _above(form: forms.Form) -> str:
    return Template('{% include "web/_form_errors.html" %}').render(Context({"form": form}))


def test_a_hidden_fields_error_is_said_above_the_form_with_the_forms_own():
    html = _above(_Form({"based_on": "abc", "title": "Hello"}))
    assert "Not saved." in html
    assert "Enter a whole number. (a field the page fills in itself, “Based on”" in html


def test_a_valid_form_says_nothing():
    class Fine(forms.Form):
        based_on = forms.IntegerField(widget=forms.HiddenInput)

    assert _above(Fine({"based_on": "2"})).strip() == ""
