"""Every model change ships with its migration."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.migrating import newest_after, unapplied


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    # --check exits non-zero (SystemExit) when makemigrations would write a file.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_test_that_goes_back_leaves_every_migration_applied():
    """As tests/people/test_skill_labels.py goes back and forth: left at people 0006, every
    later test lacked 0007 and 0008 (a random order failed 11 tests in tests/people)."""
    with pytest.raises(RuntimeError), newest_after() as migrate:
        migrate(("people", "0005_skill_curated"))
        migrate(("people", "0006_skill_labels"))
        assert unapplied()
        raise RuntimeError("a test that fails half-way")
    assert unapplied() == []
