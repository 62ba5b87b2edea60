"""Text typed in a textarea is checked as the browser counted it (live review: a full notes box,
20 lines of 999 characters, was refused as "at most 20000 characters (it has 20018)": the
browser counts a line break as one character against ``maxlength`` but sends it as CRLF).

Every CharField of every form shown with a textarea is a ``TextareaField``, which reads the
line breaks as LF before its length is checked.
"""

from __future__ import annotations

import pytest
from django import forms

from tandem.core.forms import TextareaField
from tests.web.test_input_rules import _fields, project_forms

FULL_BOX = "\r\n".join(["x" * 999] * 20)  # 19,999 characters to a browser, 20,018 as sent


def test_line_breaks_are_read_as_lf_before_the_length_is_checked():
    field = TextareaField(max_length=20000)
    assert len(FULL_BOX) == 20018
    assert field.clean(FULL_BOX) == "\n".join(["x" * 999] * 20)
    assert field.clean("  one\r\ntwo\rthree \r\n") == "one\ntwo\nthree"
    with pytest.raises(forms.ValidationError, match="it has 20001"):
        field.clean("x" * 20001)


def test_a_textarea_sent_back_untouched_has_not_changed():
    field = TextareaField(required=False)
    assert not field.has_changed("one\ntwo", "one\r\ntwo")


def test_the_walk_finds_the_notes_forms():
    names = {f"{c.__module__}.{c.__name__}" for c in project_forms()}
    assert {
        "tandem.mentorships.forms.meetings.NotesForm",
        "tandem.mentorships.forms.meetings.PrivateNoteForm",
    } <= names


@pytest.mark.django_db
def test_every_textarea_field_reads_line_breaks_as_lf():
    problems = [
        f"{form_class.__module__}.{form_class.__qualname__}.{name}"
        for form_class in project_forms()
        for name, field in _fields(form_class).items()
        if isinstance(field.widget, forms.Textarea)
        and isinstance(field, forms.CharField)
        and not isinstance(field, TextareaField)
    ]
    assert not problems, "\n".join(problems)
