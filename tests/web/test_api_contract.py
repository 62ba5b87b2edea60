"""Generated API clients call operations by their id: the schema keeps every one it published.

``tests/web/api_operations.json`` holds each operation's (method, path, operationId) as released;
after adding an operation (never to change one), rewrite it with
``TANDEM_SECRET_KEY=x .venv/bin/python -m tests.web.test_api_contract``.
"""

from __future__ import annotations

import json
from pathlib import Path

STORED = Path(__file__).with_name("api_operations.json")
BREAKS_CLIENTS = (
    "a changed operation id breaks generated clients; pin it with operation_id=... on the "
    "route (a new operation goes into {file}, see this test's docstring)"
)


def operations() -> list[list[str]]:
    """Each operation of today's schema as [method, path, operationId], sorted."""
    from tandem.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted(
        [method.upper(), path, operation["operationId"]]
        for path, methods in paths.items()
        for method, operation in methods.items()
    )


def test_every_released_operation_keeps_its_method_path_and_id():
    stored = {tuple(row) for row in json.loads(STORED.read_text())}
    today = {tuple(row) for row in operations()}
    assert today == stored, BREAKS_CLIENTS.format(file=STORED.name) + (
        f"\nmissing or changed: {sorted(stored - today)}\nnot stored: {sorted(today - stored)}"
    )


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    django.setup()
    rows = ",\n".join(f"  {json.dumps(row)}" for row in operations())
    STORED.write_text(f"[\n{rows}\n]\n")
