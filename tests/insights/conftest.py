"""Insight tests change the data between two reads of a section, so by default every read
computes afresh; the snapshot tests set ``settings.INSIGHTS_MAX_AGE`` themselves."""

from __future__ import annotations

import pytest

from tandem.insights.selectors import equity_data


@pytest.fixture(autouse=True)
def insights_computed_on_every_read(settings):
    settings.INSIGHTS_MAX_AGE = 0


@pytest.fixture(autouse=True)
def equity_version_without_the_clock(monkeypatch):
    """The equity data version also turns over every ``REFRESH_SECONDS``: a test that read a
    section twice across that boundary would see two versions. Tests that want the turn-over
    set the clock part themselves."""
    monkeypatch.setattr(equity_data, "REFRESH_SECONDS", 10**9)
