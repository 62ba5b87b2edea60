"""Reading a page shown again with a refused form: what its form would send, the error on a
field, the errors above the fields (shared by the tests of forms shown again)."""

from __future__ import annotations

import re
from html import unescape

from tests.untouched import form_data

TYPED = "Send the outline to Mira, with the three questions"


def form_sent(response, action: str) -> dict[str, list[str]]:
    """What the form posting to ``action`` on the page answered sends as it stands: what was
    typed, if the page kept it."""
    return form_data("/", response.content.decode(), action)


def error_of(response, field_id: str) -> str:
    """The error shown with the field ``field_id``, which is the one focused."""
    html = response.content.decode()
    field = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
    assert field and " autofocus" in field.group(0), field_id
    error = re.search(rf'<p class="error" id="{field_id}_error" role="alert">(.*?)</p>', html)
    assert error, field_id
    return unescape(error.group(1))


def top(response) -> list[str]:
    """The messages above the form's fields."""
    found = re.findall(
        r'<div class="form-errors" role="alert">(.*?)</div>', response.content.decode()
    )
    return [unescape(text) for block in found for text in re.findall(r"<p>(.*?)</p>", block)]
