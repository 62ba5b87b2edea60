"""Apps above mentorships add sections to the mentorship page through ``register_panel``; each
provider decides what the viewer sees, in order, in the main column or the side one."""

from __future__ import annotations

import pytest

from tandem.mentorships import panels
from tandem.mentorships.panels import Panel, panels_for, register_panel
from tandem.mentorships.selectors import Viewer
from tests.mentorships import factories as mentoring


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(panels, "_PROVIDERS", {})


@pytest.mark.django_db
def test_panels_come_in_order_and_by_place(clean_registry):
    pair = mentoring.mentorship()
    register_panel("late", lambda m, v, u: Panel("late.html"), order=90)
    register_panel("early", lambda m, v, u: Panel("early.html", {"x": 1}), order=10)
    register_panel("side", lambda m, v, u: Panel("side.html", place="aside"))
    register_panel("pair-only", lambda m, v, u: Panel("pair.html") if v.is_participant else None)

    as_admin = panels_for(pair, Viewer(is_participant=False, is_admin=True), pair.mentor)
    assert [p.template for p in as_admin["main"]] == ["early.html", "late.html"]
    assert [p.template for p in as_admin["aside"]] == ["side.html"]

    as_mentee = panels_for(pair, Viewer.of(pair, pair.mentee), pair.mentee)
    assert [p.template for p in as_mentee["main"]] == ["early.html", "pair.html", "late.html"]


@pytest.mark.django_db
def test_registering_again_under_a_name_replaces(clean_registry):
    pair = mentoring.mentorship()
    register_panel("one", lambda m, v, u: Panel("first.html"))
    register_panel("one", lambda m, v, u: Panel("second.html"))
    shown = panels_for(pair, Viewer.of(pair, pair.mentor), pair.mentor)
    assert [p.template for p in shown["main"]] == ["second.html"]
