"""Live review on PostgreSQL: a participant import kept bidi overrides and zero-width
characters in names ("Sofia \\u202eSilva\\u200b"), skill labels and identity attributes; the
participant record reads them with the one ``one_line`` every other entry point uses. (The
identity column is never imported; ``tandem match`` reads it through the same cell parser.)"""

import pytest

from tandem.matching.records import cells
from tandem.people.models import Identity, User, WantedSkill
from tests.programs.test_import import HEADER, csv_bytes, import_and_join

pytestmark = pytest.mark.django_db

SOFIA = (
    "sofia@example.org,Sofia \u202eSilva\u200b,mentee,Learn SQL,,S\u00adQL;\ufeffPython,2,en,"
    "Europe/Lisbon,Mon 09:00-12:00,virtual,Lisbon,weekly,Data,,wo\u200bman,yes,,,s1"
)


def test_imported_names_skills_and_identity_keep_no_invisible_character(program, admin):
    import_and_join(program, admin, csv_bytes(SOFIA, header=HEADER))
    sofia = User.objects.get(email="sofia@example.org")
    assert (sofia.first_name, sofia.last_name) == ("Sofia", "Silva")
    labels = WantedSkill.objects.filter(profile=sofia.profile).values_list("label", flat=True)
    assert sorted(labels) == ["Python", "SQL"]
    assert not Identity.objects.filter(user=sofia).exists()
    assert cells.parse_identity("wo\u200bman; \u202e\ufeff; Pa\u00adrent") == ["woman", "Parent"]
