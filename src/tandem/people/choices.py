"""Vocabularies shared by profiles, programs and the matching core's CSV columns."""

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

# The short working-style questionnaire: each answer is 1..5 between two poles.
WORKING_STYLE_QUESTIONS = {
    "structure": ("I like a clear agenda for every meeting", "I like to see where the talk goes"),
    "directness": ("Tell me straight, even if it stings", "I take feedback best when it is gentle"),
    "pace": ("Push me: fast steps, stretch goals", "Steady steps at a sustainable pace"),
    "focus": ("Mostly practical, hands-on problems", "Mostly big-picture career questions"),
}
WORKING_STYLE_SCALE = range(1, 6)
