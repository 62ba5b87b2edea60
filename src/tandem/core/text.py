"""The one rule for characters Tandem never stores.

NUL (U+0000) and lone surrogates (U+D800..U+DFFF without their pair) cannot be stored at all:
PostgreSQL refuses NUL in text and jsonb, and a lone surrogate cannot be encoded as UTF-8, so
either one ended as a 500. The other C0 control characters (except tab and line breaks) and DEL
are stored fine but no one types them on purpose. The request guard
(``tandem.core.middleware``) and the participant import refuse text holding any of them.
"""

from __future__ import annotations

import re

# The rule for single-line text lives with the participant record (the pure matching core may
# import no app) and is the same for every field, imported or typed.
from tandem.matching.records.cells import one_line as one_line

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def unwanted_character(text: str) -> str | None:
    """The first character of ``text`` that Tandem refuses to store, or None.

    >>> unwanted_character("tab\\tand\\nnewline are fine"), unwanted_character("a\\x00b")
    (None, '\\x00')
    """
    match = _UNWANTED.search(text)
    return match.group() if match else None


def with_lf_line_breaks(text: str) -> str:
    """``text`` with its CRLF and CR line breaks as LF. Browsers send a textarea's line
    breaks as CRLF whatever it was given, so text stored with LF and sent back untouched
    compares as the same.

    >>> with_lf_line_breaks("one\\r\\ntwo\\rthree")
    'one\\ntwo\\nthree'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_lone_surrogate(character: str) -> bool:
    return "\ud800" <= character <= "\udfff"


def character_code(character: str) -> str:
    """``U+0000``: how messages name a character that cannot be shown."""
    return f"U+{ord(character):04X}"


def printable(text: str, *, limit: int = 100) -> str:
    """``text`` shortened and made encodable as UTF-8, to quote it back in a message.

    A lone surrogate becomes its escape (``\\ud800``) instead of failing to encode.
    """
    shortened = text if len(text) <= limit else text[: limit - 1] + "…"
    return shortened.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_text(value: object) -> str:
    """Text as a person typed it into a form: LF line breaks, no blanks around it; None is
    empty. One rule, so a textarea sent back untouched compares equal to what is stored.

    >>> clean_text("  one\\r\\ntwo \\n"), clean_text(None)
    ('one\\ntwo', '')
    """
    return with_lf_line_breaks(str(value or "")).strip()
