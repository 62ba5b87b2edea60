"""The pages and the API in use: the answer form (radio groups with end labels, "share"
boxes unticked, field errors, an untouched save), the dashboard's step, the admins' aggregates
(hidden below five answers, never a comment unless shared with them)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind, CheckInTemplate
from tandem.feedback.questions import DEFAULT_QUESTIONS
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


def figures(page):
    """Every question's figures on the page (not the count of check-ins answered, which is
    a count of people acting, not of what they said)."""
    return re.findall(
        r'<p class="muted">No figures yet[^<]*</p>|<p>\d+ answers given before[^<]*</p>'
        r'|<ul class="bars">.*?</ul>',
        page,
        flags=re.S,
    )


def months_ago(months):
    """The 5th of the month ``months`` before this one, at noon UTC: its month has ended,
    settled, whatever today's date."""
    today = timezone.now()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return datetime(year, month + 1, 5, 12, tzinfo=UTC)


def answered_by_many(world, count, progress=4, *, when=None, **extra):
    for _ in range(count):
        pair = mentoring.mentorship(program=world.program)
        done = checkin(pair, pair.mentee, answered_at=when or months_ago(3), **extra)
        done.answers = {"progress": progress, "meeting_useful": 3, "comment": "A secret"}
        done.save()


def test_aggregates_hide_fewer_than_five_answers(client, world, exact_checkin_figures):
    answered_by_many(world, 4)
    client.force_login(world.admin)
    url = reverse("program_checkins", args=[world.program.pk])
    page = client.get(url).content.decode()
    # Said once per check-in kind (it was under every question), in plain words, with the
    # questions it holds figures back for listed under it.
    kinds = page.count('<h2 id="kind-')
    waiting = "No figures yet for these questions: they appear once at least 5 answers"
    assert kinds >= 2 and page.count(waiting) == kinds == page.count("No figures yet")
    assert page.count('data-testid="no-figures-yet"') == kinds
    assert "settled" not in page
    answered_by_many(world, 2, progress=1)
    page = client.get(url).content.decode()
    assert "6 answers given before" in page and "average 3.0 of 5" in page
    assert "A secret" not in page


def test_one_new_answer_never_changes_the_figures_alone(client, world, exact_checkin_figures):
    """The admin compares the page before and after one more answer: nothing moves until a
    whole block of five settled answers has come in."""
    answered_by_many(world, 5)
    client.force_login(world.admin)
    url = reverse("program_checkins", args=[world.program.pk])
    before = client.get(url).content.decode()
    assert "5 answers given before" in before and "average 4.0 of 5" in before
    answered_by_many(world, 1, progress=1, when=timezone.now() - timedelta(hours=1))
    after = client.get(url).content.decode()
    assert figures(after) == figures(before)
    # Four answers in a later month are a block of four: still open, nothing moves.
    answered_by_many(world, 4, progress=1, when=months_ago(2))
    assert "average 4.0 of 5" in client.get(url).content.decode()
    # A fifth there closes the block: the figures move by five answers at once.
    answered_by_many(world, 1, progress=1, when=months_ago(2))
    later = client.get(url).content.decode()
    assert "10 answers given before" in later and "average 2.5 of 5" in later


def test_many_answers_of_one_person_never_make_a_figure(client, world):
    for sequence in range(1, 7):
        done = checkin(world.pair, world.mentee, sequence=sequence, answered_at=months_ago(3))
        done.answers = {"progress": 2, "meeting_useful": 3}
        done.save()
    client.force_login(world.admin)
    page = client.get(reverse("program_checkins", args=[world.program.pk])).content.decode()
    assert "answers given before" not in page and "average 2.0" not in page


def test_editing_the_choices_never_regroups_the_blocks_around_one_answer(client, world):
    """The reviewer's attack: four said yes and one no three months ago; the victim answered
    alone two months ago. The admin makes "no" an invalid choice: had the blocks been cut by
    valid answers, the four yeses and the victim's (if yes) would make a block of five and show
    "Yes 5". They are cut by who answered, so the victim stays outside every figure."""
    for answer, when in [("yes", 3)] * 4 + [("no", 3), ("yes", 2)]:
        pair = mentoring.mentorship(program=world.program)
        done = checkin(
            pair, pair.mentee, CheckInKind.FIRST_MEETING, 0, answered_at=months_ago(when)
        )
        done.answers = {"fit": 4, "expectations_clear": answer}
        done.save()
    questions = [
        {**question, "choices": [["yes", "Yes"], ["zzz", "Something else"]]}
        if question["key"] == "expectations_clear"
        else question
        for question in DEFAULT_QUESTIONS[CheckInKind.FIRST_MEETING]
    ]
    CheckInTemplate.objects.create(
        program=world.program, kind=CheckInKind.FIRST_MEETING, questions=questions
    )
    client.force_login(world.admin)
    page = client.get(reverse("program_checkins", args=[world.program.pk])).content.decode()
    assert "5 answers given before" in page  # the fit question: the first block, as it was
    assert page.count("answers given before") == 1  # the narrowed question shows nothing


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
        "answers.progress": "Choose a number from 1 to 5.",
        "answers.meeting_useful": ANSWER_REQUIRED,
    }
    malformed = client.post(url, json.dumps({"answers": []}), content_type="application/json")
    assert malformed.status_code == 422
    body = {"answers": {"progress": 4, "meeting_useful": 4}, "shared_keys": ["progress"]}
    first = client.post(url, json.dumps(body), content_type="application/json")
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["checkin"]["answers"] == {"progress": 4, "meeting_useful": 4}
    assert again.json()["changed"] is False
