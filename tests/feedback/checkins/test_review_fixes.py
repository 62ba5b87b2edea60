"""Defects a read-only review found in check-ins and health, each proved first, then fixed:
answers reaching people through health reasons, an admin who is the partner reading answers
shared with admins, a type change breaking the admins' page on PostgreSQL, and two answers at
the same moment missing their divergence."""

from __future__ import annotations

import contextlib
import copy
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tandem.feedback.models import CheckInKind, Divergence
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.feedback.services import checkin_templates, checkins
from tandem.feedback.services.checkins import checkin_answer
from tandem.feedback.services.health import health_refresh
from tandem.mentorships.models import Mentorship
from tandem.programs.models import Role
from tests.feedback.checkins.conftest import both, checkin
from tests.mentorships import factories as mentoring

SECRET = "SECRET-NOT-FOR-MY-MENTOR"


def _refreshed(pair: Mentorship) -> None:
    pair = Mentorship.objects.select_related("program", "mentor", "mentee").get(pk=pair.pk)
    health_refresh(mentorships=[pair], now=timezone.now())


def test_health_reasons_never_quote_an_unshared_answer(world, client):
    mine = checkin(world.pair, world.mentee)
    checkin_answer(
        user=world.mentee, checkin_id=mine.pk, answers={"progress": 1, "meeting_useful": 1}
    )
    _refreshed(world.pair)
    for reader in (world.admin, world.mentor):
        client.force_login(reader)
        reasons = client.get(f"/api/mentorships/{world.pair.pk}/health").json()["reasons"]
        texts = " ".join(reason["text"] for reason in reasons)
        assert "out of 5" not in texts and "mentee" not in texts.lower()
        assert "1" not in texts, texts


def test_admins_read_that_a_divergence_exists_not_its_topics(world, client):
    first, second = both(world.pair, CheckInKind.FIRST_MEETING, 0)
    checkin_answer(
        user=world.mentor, checkin_id=first.pk, answers={"fit": 5, "expectations_clear": "yes"}
    )
    checkin_answer(
        user=world.mentee, checkin_id=second.pk, answers={"fit": 1, "expectations_clear": "no"}
    )
    _refreshed(world.pair)
    client.force_login(world.admin)
    texts = [
        r["text"] for r in client.get(f"/api/mentorships/{world.pair.pk}/health").json()["reasons"]
    ]
    assert any("differently" in text for text in texts)
    assert not any("fit" in text or "expectations" in text.lower() for text in texts)


def test_a_partner_who_runs_the_program_never_reads_answers_shared_with_admins(world, client):
    mentoring.EnrolmentFactory(program=world.program, person=world.mentor, role=Role.ADMIN)
    mine = checkin(world.pair, world.mentee)
    checkin_answer(
        user=world.mentee,
        checkin_id=mine.pk,
        answers={"progress": 4, "meeting_useful": 4, "comment": SECRET},
        shared_with_admins=True,
    )
    page = reverse("program_checkins", args=[world.program.pk])
    client.force_login(world.mentor)
    assert SECRET not in client.get(page).content.decode()
    client.force_login(world.admin)
    assert SECRET in client.get(page).content.decode()


def test_a_text_question_turned_scale_keeps_the_admins_page_working(world, client):
    mine = checkin(world.pair, world.mentee)
    checkin_answer(
        user=world.mentee,
        checkin_id=mine.pk,
        answers={"progress": 4, "meeting_useful": 4, "comment": "hello there"},
    )
    questions = copy.deepcopy(DEFAULT_QUESTIONS[CheckInKind.PULSE])
    comment = next(q for q in questions if q["key"] == "comment")
    comment.update(type="scale", low=1, high=5, low_label="Low", high_label="High")
    checkin_templates.checkin_template_update(
        user=world.admin,
        program_id=world.program.pk,
        kind=CheckInKind.PULSE,
        questions=questions,
        every_periods=1,
        delay_days=0,
    )
    client.force_login(world.admin)
    assert client.get(reverse("program_checkins", args=[world.program.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_the_same_moment_still_find_their_divergence(postgres_only, monkeypatch):
    pair = mentoring.mentorship()
    first, second = both(pair)
    start = threading.Barrier(2)
    # Both reach the comparison together unless one is held at the lock (then the other goes
    # on after a moment): without the lock each read the other's check-in as unanswered.
    compare = threading.Barrier(2, timeout=2)
    partner_of = checkins.checkin_partner_of

    def partner_when_both_compare(checkin):
        with contextlib.suppress(threading.BrokenBarrierError):
            compare.wait()
        return partner_of(checkin)

    monkeypatch.setattr(checkins, "checkin_partner_of", partner_when_both_compare)

    def answer(user, checkin_id, score):
        try:
            start.wait()
            checkin_answer(
                user=user, checkin_id=checkin_id, answers={"progress": score, "meeting_useful": 3}
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(pair.mentor, first.pk, 5)),
        threading.Thread(target=answer, args=(pair.mentee, second.pk, 1)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Divergence.objects.filter(mentorship=pair).count() == 1
