"""What the people services share: the length message and the text clean-up."""

from __future__ import annotations

import re

from tandem.core.text import with_lf_line_breaks

TOO_LONG = "Use at most {limit} characters."
WHITESPACE = re.compile(r"\s+")


def clean_text(value: object) -> str:
    return with_lf_line_breaks(str(value or "")).strip()
