"""The pages and the API in use: the answer form (radio groups with end labels, "share"
boxes unticked, field errors, an untouched save), the dashboard's step, the admins' aggregates
(hidden below five answers, never a comment unless shared with them)."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.services.checkins import ANSWER_REQUIRED, checkin_answer
from tests.feedback.checkins.conftest import checkin
from tests.mentorships import factories as mentoring
from tests.web.untouched import untouched


def test_the_form_has_a_radio_group_per_scale_with_its_end_labels(client, world):
    mine = checkin(world.pair, world.mentee)
    client.force_login(world.mentee)
    page = client.get(reverse("checkin_answer", args=[mine.pk])).content.decode()
    assert page.count('type="radio" name="answer_progress"') == 5
    assert "No progress" in page and "Great progress" in page
    assert f"Share this answer with {world.mentor.display_name}" in page
    assert "checked" not in page  # nothing shared, nothing chosen, until the author says so


def test_a_missing_answer_is_shown_on_its_question(client, world):
    mine = checkin(world.pair, world.mentee)
    client.force_login(world.mentee)
    response = client.post(reverse("checkin_answer", args=[mine.pk]), {"answer_progress": "3"})
    assert response.status_code == 200
    assert 'id="id_answer_meeting_useful_error"' in response.content.decode()
    assert CheckIn.objects.get(pk=mine.pk).answered_at is None


def test_answering_then_saving_untouched_changes_nothing(client, world):
    mine = checkin(world.pair, world.mentee)
    client.force_login(world.mentee)
    url = reverse("checkin_answer", args=[mine.pk])
    sent = client.post(
        url,
        {
            "answer_progress": "4",
            "answer_meeting_useful": "2",
            "answer_comment": "Fine",
            "share_progress": "on",
        },
    )
    assert sent.status_code == 302
    before = CheckIn.objects.get(pk=mine.pk)
    assert (before.answers, before.shared_keys) == (
        {"progress": 4, "meeting_useful": 2, "comment": "Fine"},
        ["progress"],
    )
    data, dropped = untouched(client.get(url).content.decode(), has_field="answer_progress")
    assert dropped == []
    again = client.post(url, data, follow=True)
    assert "Nothing changed" in again.content.decode()
    after = CheckIn.objects.get(pk=mine.pk)
    assert (after.answers, after.shared_keys, after.answered_at) == (
        before.answers,
        before.shared_keys,
        before.answered_at,
    )


def test_wanting_an_amendment_opens_the_agreement(client, world):
    mine = checkin(world.pair, world.mentee, CheckInKind.MIDPOINT, 0)
    client.force_login(world.mentee)
    response = client.post(
        reverse("checkin_answer", args=[mine.pk]),
        {
            "answer_progress": "3",
            "answer_goals_still_right": "partly",
            "answer_amend_agreement": "yes",
        },
    )
    assert response.url == reverse("agreement_edit", args=[world.pair.pk])


def test_the_dashboard_asks_for_the_waiting_check_in(client, world):
    mine = checkin(world.pair, world.mentee)
    client.force_login(world.mentee)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Answer your check-in" in page
    assert reverse("checkin_answer", args=[mine.pk]) in page
    checkin_answer(
        user=world.mentee, checkin_id=mine.pk, answers={"progress": 3, "meeting_useful": 3}
    )
    assert "Answer your check-in" not in client.get(reverse("dashboard")).content.decode()


def answered_by_many(world, count, progress=4, **extra):
    for _ in range(count):
        pair = mentoring.mentorship(program=world.program)
        done = checkin(pair, pair.mentee, answered_at=timezone.now(), **extra)
        done.answers = {"progress": progress, "meeting_useful": 3, "comment": "A secret"}
        done.save()


def test_aggregates_hide_fewer_than_five_answers(client, world):
    answered_by_many(world, 4)
    client.force_login(world.admin)
    url = reverse("program_checkins", args=[world.program.pk])
    page = client.get(url).content.decode()
    assert "4 answers: too few to show." in page
    answered_by_many(world, 2, progress=1)
    page = client.get(url).content.decode()
    assert "6 answers · average 3.0 of 5" in page
    assert "A secret" not in page


def test_a_check_in_shared_with_the_admins_shows_its_comment(
    client, world, django_assert_max_num_queries
):
    mine = checkin(world.pair, world.mentee)
    checkin_answer(
        user=world.mentee,
        checkin_id=mine.pk,
        answers={"progress": 2, "meeting_useful": 3, "comment": "We keep cancelling"},
        shared_with_admins=True,
    )
    answered_by_many(world, 6)
    client.force_login(world.admin)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("program_checkins", args=[world.program.pk])).content.decode()
    assert "We keep cancelling" in page
    assert page.count("A secret") == 0


def test_api_errors_name_the_question(client, world):
    mine = checkin(world.pair, world.mentee)
    client.force_login(world.mentee)
    url = f"/api/checkins/{mine.pk}/answer"
    wrong = client.post(
        url, json.dumps({"answers": {"progress": 9}}), content_type="application/json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["fields"] == {
        "progress": "Choose a number from 1 to 5.",
        "meeting_useful": ANSWER_REQUIRED,
    }
    malformed = client.post(url, json.dumps({"answers": []}), content_type="application/json")
    assert malformed.status_code == 422
    body = {"answers": {"progress": 4, "meeting_useful": 4}, "shared_keys": ["progress"]}
    first = client.post(url, json.dumps(body), content_type="application/json")
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["checkin"]["answers"] == {"progress": 4, "meeting_useful": 4}
    assert again.json()["changed"] is False
