"""Choices for profile and program forms; the values are the participant record's
(``tandem.matching.records.cells``: ``FORMATS``, ``CADENCES``, ``SENIORITY_RANGE``)."""

from django.db import models


class MeetingFormat(models.TextChoices):
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"
    ANY = "any", "Either"


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


SENIORITY_LEVELS = [
    (0, "0 — Student / intern"),
    (1, "1 — Entry level"),
    (2, "2 — Junior"),
    (3, "3 — Associate"),
    (4, "4 — Mid-level"),
    (5, "5 — Senior"),
    (6, "6 — Staff / lead"),
    (7, "7 — Principal / manager"),
    (8, "8 — Senior manager / director"),
    (9, "9 — Vice president"),
    (10, "10 — Executive"),
]
