"""Insight tests change the data between two reads of a section, so by default every read
computes afresh; the snapshot tests set ``settings.INSIGHTS_MAX_AGE`` themselves."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def insights_computed_on_every_read(settings):
    settings.INSIGHTS_MAX_AGE = 0
