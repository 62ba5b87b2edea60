"""What the people services share: the length message and the text clean-up."""

from __future__ import annotations

import re

TOO_LONG = "Use at most {limit} characters."
WHITESPACE = re.compile(r"\s+")


def clean_text(value: object) -> str:
    return str(value or "").strip()
