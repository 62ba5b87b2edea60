"""The JSON request bodies the published OpenAPI schema lists, for the sweeps that send every
operation something it must refuse."""

from __future__ import annotations

from collections.abc import Iterator

from tandem.api import api


def json_bodies() -> Iterator[tuple[str, str, str]]:
    """``(method, path, schema name)`` of every operation that takes a JSON body."""
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = content["application/json"]["schema"]
            (ref,) = [o["$ref"] for o in body.get("anyOf", [body]) if "$ref" in o]
            yield method.upper(), path, ref.rsplit("/", 1)[-1]
