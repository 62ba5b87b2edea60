"""`make test`'s PostgreSQL pass runs every test that touches the database, browser journeys
and the crawl included, so a page that works only on SQLite fails CI."""

from __future__ import annotations

import pytest

from tests import conftest


class Item:
    def __init__(self, name, markers=(), fixtures=()):
        self.name, self.markers, self.fixturenames = name, set(markers), list(fixtures)

    def get_closest_marker(self, name):
        return name if name in self.markers else None


class Config:
    class hook:  # noqa: N801 - pytest's attribute name
        deselected: list = []

        @classmethod
        def pytest_deselected(cls, items):
            cls.deselected.extend(items)


def test_postgres_pass_keeps_the_browser_journeys_and_live_server_tests(monkeypatch):
    monkeypatch.setenv("TANDEM_DB_TESTS_ONLY", "1")
    items = [
        Item("journey", markers={"browser", "django_db"}, fixtures={"page", "live_server"}),
        Item("crawl", markers={"django_db"}, fixtures={"live_server"}),
        Item("model", fixtures={"db"}),
        Item("pure"),
        Item("browser_without_db", markers={"browser"}),
        Item(
            "axe",
            markers={"browser", "django_db", "any_database"},
            fixtures={"chromium", "live_server"},
        ),
    ]
    conftest.pytest_collection_modifyitems(Config, items)
    assert [item.name for item in items] == ["journey", "crawl", "model"]


@pytest.mark.parametrize("value", ["", "0"])
def test_sqlite_pass_keeps_everything(monkeypatch, value):
    monkeypatch.setenv("TANDEM_DB_TESTS_ONLY", value)
    items = [Item("pure"), Item("journey", markers={"browser"})]
    conftest.pytest_collection_modifyitems(Config, items)
    assert len(items) == 2
