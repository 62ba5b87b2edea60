"""Reading a request body as JSON, for every reader of one (the API's parser and its no-body
check, the guard against unwanted characters).

Python's decoder answers a body nested deeper than the interpreter's recursion limit (``[`` a
few thousand times) with a ``RecursionError``, not the ``ValueError`` every reader catches for
a body that is not JSON: an API fuzz on PostgreSQL turned it into 500s."""

from __future__ import annotations

import json
from typing import Any


class NestedTooDeeply(ValueError):
    """The body nests lists and objects deeper than the decoder can follow."""


def json_body(data: str | bytes, **kwargs: Any) -> Any:
    """``json.loads(data, **kwargs)``; a body nested too deeply is a ``NestedTooDeeply``."""
    try:
        return json.loads(data, **kwargs)
    except RecursionError:
        raise NestedTooDeeply from None
