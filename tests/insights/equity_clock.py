"""A settable clock for the equity tests: the figures count only final cohorts, measured as of
their cut-off, so what a test sees depends on when it reads and when its data was written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """``timezone.now()`` (and so every ``auto_now_add``) is ``moment`` inside."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
