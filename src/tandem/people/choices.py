"""Choices for profile and program forms: the values and their order are the participant
record's (``tandem.matching.records.cells``); only the labels, display text, live here.

Each value is unpacked from the record's tuple, so a format, cadence or seniority level added
to or dropped from the record fails at import until it has a label here."""

from django.db import models

from tandem.matching.records.cells import CADENCES, FORMATS, SENIORITY_RANGE

_VIRTUAL, _IN_PERSON, _ANY = FORMATS
_WEEKLY, _BIWEEKLY, _MONTHLY, _QUARTERLY = CADENCES


class MeetingFormat(models.TextChoices):
    VIRTUAL = _VIRTUAL, "Virtual"
    IN_PERSON = _IN_PERSON, "In person"
    ANY = _ANY, "Either"


class Cadence(models.TextChoices):
    WEEKLY = _WEEKLY, "Weekly"
    BIWEEKLY = _BIWEEKLY, "Every two weeks"
    MONTHLY = _MONTHLY, "Monthly"
    QUARTERLY = _QUARTERLY, "Quarterly"


_SENIORITY_NAMES = (
    "Student / intern",
    "Entry level",
    "Junior",
    "Associate",
    "Mid-level",
    "Senior",
    "Staff / lead",
    "Principal / manager",
    "Senior manager / director",
    "Vice president",
    "Executive",
)
SENIORITY_LEVELS = [
    (level, f"{level} — {name}")
    for level, name in zip(SENIORITY_RANGE, _SENIORITY_NAMES, strict=True)
]
