import pytest


@pytest.fixture(autouse=True)
def _fast_logins(fast_password_hashing):
    """Journeys log in through the form, often as several people."""
