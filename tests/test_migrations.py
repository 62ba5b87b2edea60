"""Every model change ships with its migration."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    # --check exits non-zero (SystemExit) when makemigrations would write a file.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
