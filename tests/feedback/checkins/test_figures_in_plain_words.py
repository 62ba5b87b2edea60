"""Leftovers review: the check-in figures' API description and the program insights' outcomes
summaries said the figures count "settled answers", a word of the code's (an answer past the
hours it may still be changed) that readers do not share. Both now say it in plain words."""

from __future__ import annotations

import pytest

from tandem.feedback.models import EDIT_WINDOW_HOURS
from tandem.insights.selectors.outcomes.checkins import BLOCKS

PLAIN = f"answers that can no longer be changed ({EDIT_WINDOW_HOURS} hours after they were given"


@pytest.mark.django_db
def test_the_figures_say_which_answers_they_count_in_plain_words(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    covers = schema["QuestionAggregateOut"]["properties"]["covers_until"]["description"]
    for text in (covers, BLOCKS):
        assert "settled" not in text
        assert PLAIN in text, text
