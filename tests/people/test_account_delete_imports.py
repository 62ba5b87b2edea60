"""The deletion page says what happens to uploaded participant files (crev F5): kept a day at
most (IMPORT_RETENTION_HOURS), they lose the person's rows (tests/programs/
test_import_erasure.py), and the import's report stays."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.people.views.closing import ERASED
from tandem.programs.models import IMPORT_RETENTION_HOURS
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_says_uploaded_files_stay_and_for_how_long(client):
    assert IMPORT_RETENTION_HOURS == 24  # "a day" below
    (line,) = [line for line in ERASED if "participant file" in line]
    assert "a day after the upload" in line and "report" in line
    client.force_login(UserFactory())
    page = client.get(reverse("account_delete")).content.decode()
    assert "participant file that a program" in page
