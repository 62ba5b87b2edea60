import pytest
from django.utils import timezone


@pytest.fixture
def still(monkeypatch):
    """One instant for the whole test: twin pairs' times (when answered, editable until,
    checked) are then alike to the microsecond (``tests.feedback.observed``)."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now
