"""What the people services share: the length message and the rule for a name typed as
nothing but blanks."""

from __future__ import annotations

from tandem.core.text import one_line
from tandem.matching.records.cells import KEPT_FORMAT

TOO_LONG = "Use at most {limit} characters."
NAME_ONLY_BLANKS = "A name cannot be only spaces: type the name, or leave the box empty."


def blank_name(value: object) -> bool:
    """Whether a name was typed (not left empty) yet reads as nothing: spaces or invisible
    characters only, the joiners one_line keeps (ZWJ, ZWNJ) included. An empty box clears the
    name; this one would store it blank unseen."""
    return isinstance(value, str) and value != "" and not set(one_line(value)) - KEPT_FORMAT - {" "}
