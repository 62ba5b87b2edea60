"""API review: a check-in's answers are sent as ``answers.<key>`` but a wrong one was named by
its bare key (``progress``), and a scale took ``"3"`` but refused ``3.0``, which JSON clients
send for a number. A wrong answer is now named ``answers.<key>`` (as a join question's is), and
a scale takes ``3``, ``3.0`` and ``"3"`` alike and answers ``3``."""

from __future__ import annotations

import json

import pytest

from tandem.feedback.services import checkins as service
from tests.feedback.checkins.conftest import checkin

BAD_SCALE = service.BAD_SCALE.format(low=1, high=5)


def _answer(client, world, answers: dict):
    mine = checkin(world.pair, world.mentee)
    client.force_login(world.mentee)
    return client.post(
        f"/api/checkins/{mine.pk}/answer",
        json.dumps({"answers": answers}),
        content_type="application/json",
    )


@pytest.mark.parametrize("sent", [3, 3.0, "3", " 3 "])
def test_a_scale_answer_is_one_number_however_it_is_written(client, world, sent):
    response = _answer(client, world, {"progress": sent, "meeting_useful": 4.0})
    assert response.status_code == 201, response.content
    answers = response.json()["checkin"]["answers"]
    assert answers == {"progress": 3, "meeting_useful": 4}
    assert type(answers["progress"]) is int


@pytest.mark.parametrize("sent", [3.5, "3.0", "03", "+3", True, 6.0, float("1e300")])
def test_a_scale_answer_that_is_no_whole_number_in_range_is_named(client, world, sent):
    response = _answer(client, world, {"progress": sent, "meeting_useful": 4})
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"answers.progress": BAD_SCALE}


def test_every_wrong_answer_is_named_by_its_place_in_the_body(client, world):
    response = _answer(client, world, {"progress": 9, "mood": 3})
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "answers.progress": BAD_SCALE,
        "answers.meeting_useful": service.ANSWER_REQUIRED,
        "answers.mood": service.NOT_A_QUESTION,
    }
