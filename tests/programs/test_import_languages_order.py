"""An import keeps each person's languages in the file's order, most fluent first (issue #14
item 3): a new person's and a member's, including a new order of the same languages."""

from __future__ import annotations

import pytest

from tandem.people.models import Profile
from tandem.programs.models import ImportStatus
from tests.people.factories import ProfileFactory
from tests.programs.factories import member_of
from tests.programs.test_import import confirm, csv_bytes, preview

pytestmark = pytest.mark.django_db

HEADER = "email,name,role,languages"


def imported(program, admin, *rows: str) -> None:
    batch = confirm(program, admin, preview(program, admin, csv_bytes(*rows, header=HEADER)))
    assert batch.status == ImportStatus.APPLIED, batch.report


def test_a_new_persons_languages_keep_the_files_order(program, admin):
    imported(program, admin, "new@example.org,New Person,mentee,pt;EN;de;pt")
    assert Profile.objects.get(user__email="new@example.org").languages == ["pt", "en", "de"]


def test_a_members_languages_take_the_files_new_order(program, admin):
    member = member_of(program)
    ProfileFactory(user=member, languages=["en", "pt"])
    imported(program, admin, f"{member.email},,mentee,pt;en")
    assert Profile.objects.get(user=member).languages == ["pt", "en"]
