"""What the people services share: the length message and the whitespace pattern."""

from __future__ import annotations

import re

TOO_LONG = "Use at most {limit} characters."
WHITESPACE = re.compile(r"\s+")
