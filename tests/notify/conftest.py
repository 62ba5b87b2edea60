import pytest
from django.core import mail


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TANDEM_VIDEO_BASE_URL = "https://meet.example.org"
    mail.outbox = []
