"""The API schema and its docs page work offline: every asset is served by Tandem itself."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_every_router(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for prefix in ("/api/people/", "/api/programs/"):
        assert any(path.startswith(prefix) for path in paths), prefix


def test_docs_page_loads_no_remote_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    remote = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert remote == []
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), f"{asset} is not served locally"


def test_the_schema_is_built_once_and_each_caller_gets_its_own_copy(client, monkeypatch):
    """Building it took half a second of CPU per request of /api/openapi.json (live API fuzz)."""
    from ninja import NinjaAPI

    from tandem.api import api

    client.get("/api/openapi.json")
    builds = []
    monkeypatch.setattr(
        NinjaAPI, "get_openapi_schema", lambda self, **kwargs: builds.append(kwargs)
    )
    first = client.get("/api/openapi.json").json()
    api.get_openapi_schema()["paths"].clear()
    assert builds == []
    assert client.get("/api/openapi.json").json() == first
    assert first["paths"]
