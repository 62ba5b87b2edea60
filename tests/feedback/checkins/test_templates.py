"""A program's admins edit each kind's questions and timing; the keys health reads stay; an
untouched save changes nothing; reset goes back to the built-in ones."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.feedback.models import CheckIn, CheckInKind, CheckInTemplate
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.feedback.selectors.checkins import checkin_template_for
from tandem.feedback.services import checkin_templates as service
from tests.feedback.checkins.conftest import checkin
from tests.web.untouched import untouched

PULSE = CheckInKind.PULSE


def update(world, questions, **timing):
    return service.checkin_template_update(
        user=world.admin,
        program_id=world.program.pk,
        kind=PULSE,
        questions=questions,
        every_periods=timing.get("every_periods", 1),
        delay_days=timing.get("delay_days", 0),
    )


def test_an_edit_is_used_by_new_check_ins_and_old_ones_keep_theirs(world):
    old = checkin(world.pair, world.mentee)
    questions = copy.deepcopy(DEFAULT_QUESTIONS[PULSE])
    questions[0]["text"] = "How far along are your goals?"
    questions.append(
        {"key": "energy", "text": "Energy?", "type": "choice", "choices": "high: High\nlow: Low"}
    )
    saved = update(world, questions, every_periods=2)
    assert saved.edited and saved.every_periods == 2
    assert saved.questions[-1]["choices"] == [["high", "High"], ["low", "Low"]]
    assert checkin_template_for(program_id=world.program.pk, kind=PULSE).questions[0]["text"] == (
        "How far along are your goals?"
    )
    assert CheckIn.objects.get(pk=old.pk).questions == DEFAULT_QUESTIONS[PULSE]


def test_the_built_in_questions_saved_again_write_nothing(world):
    update(world, DEFAULT_QUESTIONS[PULSE])
    assert not CheckInTemplate.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda qs: qs.pop(0), "questions", service.PROTECTED_REMOVED.format(key="progress")),
        (
            lambda qs: qs[1].update(type="text"),
            "questions.2.type",
            service.PROTECTED_NOT_SCALE.format(key="meeting_useful"),
        ),
        (lambda qs: qs[2].update(key="Bad Key"), "questions.3.key", service.BAD_KEY),
        (
            lambda qs: qs[3].update(key="blocking"),
            "questions",
            "Two questions have the key blocking: give each its own.",
        ),
        (lambda qs: qs[2].update(text=""), "questions.3.text", service.TEXT_REQUIRED),
        (lambda qs: qs[0].update(low_label=""), "questions.1.low_label", service.LABEL_REQUIRED),
        (
            lambda qs: qs.append({"key": "x", "text": "X?", "type": "choice", "choices": "a"}),
            "questions.5.choices",
            service.BAD_CHOICES,
        ),
        (lambda qs: qs[2].update(type="slider"), "questions.3.type", service.BAD_TYPE),
        # What only an API client sends: no longer stored as "['How?']", "5" or required.
        (lambda qs: qs[0].update(text=["How?"]), "questions.1.text", service.NOT_TEXT),
        (lambda qs: qs[2].update(text=5), "questions.3.text", service.NOT_TEXT),
        (lambda qs: qs[0].update(high_label={"a": 1}), "questions.1.high_label", service.NOT_TEXT),
        (lambda qs: qs[0].update(required="false"), "questions.1.required", service.NOT_TRUE_FALSE),
        (lambda qs: qs[1].update(compare=1), "questions.2.compare", service.NOT_TRUE_FALSE),
        (
            lambda qs: qs.append(
                {"key": "x", "text": "X?", "type": "choice", "choices": [["a", 1], ["b", 2]]}
            ),
            "questions.5.choices",
            service.BAD_CHOICES,
        ),
    ],
)
def test_a_wrong_question_names_its_field(world, change, field, message):
    questions = copy.deepcopy(DEFAULT_QUESTIONS[PULSE])
    change(questions)
    with pytest.raises(ApplicationError) as raised:
        update(world, questions)
    assert raised.value.fields[field] == message


def test_timing_is_bounded(world):
    with pytest.raises(ApplicationError) as raised:
        update(world, DEFAULT_QUESTIONS[PULSE], every_periods=0, delay_days=99)
    assert set(raised.value.fields) == {"every_periods", "delay_days"}


def test_reset_goes_back_to_the_built_in_questions(world):
    update(world, DEFAULT_QUESTIONS[PULSE], every_periods=3)
    service.checkin_template_reset(user=world.admin, program_id=world.program.pk, kind=PULSE)
    assert not checkin_template_for(program_id=world.program.pk, kind=PULSE).edited


def page(client, world, kind=PULSE):
    client.force_login(world.admin)
    return reverse("checkin_template_edit", args=[world.program.pk, kind])


def test_the_editor_saved_untouched_changes_nothing(client, world):
    url = page(client, world)
    update(world, [*DEFAULT_QUESTIONS[PULSE][:3]], every_periods=2)
    before = CheckInTemplate.objects.get()
    response = client.get(url)
    assert "relationship health reads this answer" in response.content.decode()
    posted = client.post(url, untouched(response.content.decode(), has_field="q-TOTAL_FORMS")[0])
    assert posted.status_code == 302
    after = CheckInTemplate.objects.get()
    assert (after.questions, after.updated_at) == (before.questions, before.updated_at)


def test_the_editor_reorders_removes_and_adds(client, world):
    url = page(client, world)
    data = untouched(client.get(url).content.decode(), has_field="q-TOTAL_FORMS")[0]
    data.update(
        {
            "q-0-ORDER": "3",  # progress last
            "q-2-DELETE": "on",  # drop "blocking"
            "q-4-key": "energy",
            "q-4-text": "How is your energy?",
            "q-4-type": "scale",
            "q-4-low_label": "Drained",
            "q-4-high_label": "Full",
            "q-4-ORDER": "9",
        }
    )
    assert client.post(url, data).status_code == 302
    keys = [
        q["key"] for q in checkin_template_for(program_id=world.program.pk, kind=PULSE).questions
    ]
    assert keys == ["meeting_useful", "progress", "comment", "energy"]


def test_the_editor_shows_a_service_error_on_its_field(client, world):
    url = page(client, world)
    data = untouched(client.get(url).content.decode(), has_field="q-TOTAL_FORMS")[0]
    data["q-2-key"] = "comment"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Two questions have the key comment" in response.content.decode()
    assert not CheckInTemplate.objects.exists()


@pytest.mark.parametrize("kind", CheckInKind.values)
def test_the_built_in_questions_saved_untouched_on_the_page_write_nothing(client, world, kind):
    url = page(client, world, kind)
    data, dropped = untouched(client.get(url).content.decode(), has_field="q-TOTAL_FORMS")
    assert dropped == []
    assert client.post(url, data).status_code == 302
    assert not CheckInTemplate.objects.exists()
