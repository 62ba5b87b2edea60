"""A single tick box is drawn before its label, on the label's line, by the shared field
template (UX review: 'I would like a new mentor' and 'Send invitation emails now' put the box
alone on the line under a bold label, as if it belonged to nothing)."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    wants = forms.BooleanField(label="I would like a new mentor", required=False, help_text="h")
    note = forms.CharField(label="Note", required=False)


def _render(name: str) -> str:
    return render_to_string("web/_form_field.html", {"field": _Form()[name]})


def test_a_tick_box_comes_before_its_label_in_a_check_field():
    html = _render("wants")
    assert 'class="field field-check"' in html
    box, label = html.index('type="checkbox"'), html.index('<label for="id_wants"')
    assert box < label
    assert html.count('type="checkbox"') == 1


def test_other_fields_keep_the_label_first():
    html = _render("note")
    assert "field-check" not in html
    assert html.index("<label") < html.index("<input")
    assert len(re.findall(r"<input", html)) == 1
