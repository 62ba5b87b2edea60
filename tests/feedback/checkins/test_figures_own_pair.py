"""The program's check-in counts ("N answered of M due") leave out the reader's own pairs: an
admin who mentors read in them the moment their mentee answered (live privacy review). A plain
admin's counts still move with every answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.feedback.services.checkins import checkin_answer
from tandem.programs.models import Role
from tests.feedback.checkins.conftest import both
from tests.feedback.observed import anonymous, differences
from tests.programs.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def figures(client, world, reader):
    client.force_login(reader)
    page = client.get(reverse("program_checkins", args=[world.program.pk])).content.decode()
    body = client.get(f"/api/programs/{world.program.pk}/checkin-aggregates").json()
    return anonymous(page, world.pair), body


def test_the_partner_answering_moves_no_count_the_mentor_admin_reads(client, world):
    EnrolmentFactory(program=world.program, person=world.mentor, role=Role.ADMIN)
    _mentor_side, mentee_side = both(world.pair)
    before = figures(client, world, world.mentor)
    plain_before = figures(client, world, world.admin)
    checkin_answer(
        user=world.mentee, checkin_id=mentee_side.pk, answers={"progress": 1, "meeting_useful": 1}
    )
    after = figures(client, world, world.mentor)
    assert after[1] == before[1]
    assert after[0] == before[0], differences(before[0], after[0])
    counts = {
        moment: next((k["due"], k["answered"]) for k in body if k["kind"] == "pulse")
        for moment, (_page, body) in (
            ("before", plain_before),
            ("after", figures(client, world, world.admin)),
        )
    }
    assert counts == {"before": (2, 0), "after": (2, 1)}
