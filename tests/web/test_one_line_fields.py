"""Single-line text holds one line (live review: a program name
``"line1\\r\\nline2\\r\\n😀\\u202e"`` was accepted, and every e-mail whose subject named the
program then failed with ``BadHeaderError``; the same for goal, milestone and guidance titles
and a meeting's place).

Every CharField of every form shown as a text input is a ``OneLineField``, which reads the
value as ``tandem.core.text.one_line`` does: whitespace runs as one space, no format characters
(bidi overrides and the like) but ZWJ and ZWNJ. Hidden inputs carry no typed text; passwords,
e-mail addresses and URLs are kept as typed (they are checked, not rewritten).
"""

from __future__ import annotations

import pytest
from django import forms

from tandem.core.forms import OneLineField
from tandem.core.text import one_line
from tests.web.test_input_rules import _fields, project_forms

PASTED = "line1\r\nline2\r\n😀\u202e"
NOT_TYPED_TEXT = (forms.HiddenInput, forms.PasswordInput, forms.Textarea)
CHECKED_AS_TYPED = (forms.EmailField, forms.URLField)


def test_one_line_flattens_breaks_and_drops_invisible_format_characters():
    assert one_line(PASTED) == "line1 line2 😀"
    assert one_line("\u202bשלום\u202c \u00adsoft\ufeff") == "שלום soft"
    assert one_line("a\u2028b\u0085c\u00a0 d") == "a b c d"
    # ZWJ holds an emoji together; ZWNJ is part of how Persian words are spelt.
    assert one_line("👩\u200d💻 می\u200cخواهم") == "👩\u200d💻 می\u200cخواهم"


def test_a_one_line_field_checks_the_length_of_what_is_kept():
    assert OneLineField(max_length=13).clean(PASTED) == "line1 line2 😀"
    with pytest.raises(forms.ValidationError, match="it has 13"):
        OneLineField(max_length=12).clean(PASTED)
    field = OneLineField(required=False)
    assert not field.has_changed("line1 line2", "line1\r\nline2")


@pytest.mark.django_db
def test_every_single_line_text_field_is_a_one_line_field():
    problems = [
        f"{form_class.__module__}.{form_class.__qualname__}.{name}"
        for form_class in project_forms()
        for name, field in _fields(form_class).items()
        if isinstance(field, forms.CharField)
        and not isinstance(field, (OneLineField, *CHECKED_AS_TYPED))
        and not isinstance(field.widget, NOT_TYPED_TEXT)
    ]
    assert not problems, "\n".join(problems)
