"""The admins read a person's join answers in the role's question order. PostgreSQL keeps a
JSON object (jsonb) by its keys' length, so there the answers, kept by prompt, came back short
prompt first (API review); the rows put them back in order, an answer to a question since
removed after the others."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.programs.models import Enrolment, EnrolmentQuestion, EnrolmentStatus, Role
from tests.programs.factories import EnrolmentFactory, ProgramFactory, admin_of

pytestmark = pytest.mark.django_db

LONG = "What would you most like to learn from a mentor this year?"
SHORT = "Team?"


def test_join_answers_read_in_question_order(client):
    program = ProgramFactory()
    EnrolmentQuestion.objects.create(program=program, role=Role.MENTEE, prompt=LONG, position=0)
    EnrolmentQuestion.objects.create(program=program, role=Role.MENTEE, prompt=SHORT, position=1)
    # As PostgreSQL gives them back: the shorter key first, then one for a removed question.
    answers = {SHORT: "Payments", "Removed question": "Old answer", LONG: "Leading a team"}
    enrolment = EnrolmentFactory(program=program, role=Role.MENTEE, status=EnrolmentStatus.PENDING)
    Enrolment.objects.filter(pk=enrolment.pk).update(answers=answers)
    client.force_login(admin_of(program))
    page = client.get(reverse("program_participants", args=[program.slug])).content.decode()
    assert page.index(LONG) < page.index(SHORT) < page.index("Removed question")
