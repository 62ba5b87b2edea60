"""The admins' pages changed in the invitations round make as many queries for many rows as
for few: the participants page with join answers put in question order
(``answers_in_question_order``) and admin invitations each with Resend and Withdraw, and the
invite-by-email page with its held invitations and its Recently sent list with Resend (perf
review of the round's commits)."""

from __future__ import annotations

from datetime import timedelta
from secrets import token_urlsafe

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.people.models import Profile
from tandem.programs.models import EnrolmentQuestion, ParticipantInvitation, Role
from tests.programs.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def _invitations(program, count, *, role=Role.MENTEE, **fields):
    start = ParticipantInvitation.objects.count()
    ParticipantInvitation.objects.bulk_create(
        ParticipantInvitation(
            program=program,
            email=f"p{start + n}@example.org",
            role=role,
            token=token_urlsafe(32),
            **fields,
        )
        for n in range(count)
    )


def _participants(program, count):
    for n in range(count):
        role = Role.MENTOR if n % 2 else Role.MENTEE
        enrolment = EnrolmentFactory(
            program=program,
            role=role,
            answers={"Anything else?": "no", "Why join?": f"to learn {n}"},
        )
        Profile.objects.create(user=enrolment.person)


def _queries_for(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as counted:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(counted.captured_queries)


def test_participants_page_with_answers_and_admin_invitations(
    client, program, admin, django_assert_max_num_queries
):
    for role in (Role.MENTEE, Role.MENTOR):
        EnrolmentQuestion.objects.create(program=program, role=role, prompt="Why join?")
        EnrolmentQuestion.objects.create(program=program, role=role, prompt="Anything else?")
    expires = timezone.now() + timedelta(days=7)
    _participants(program, 2)
    _invitations(program, 1, role=Role.ADMIN, expires_at=expires)
    client.force_login(admin)
    url = reverse("program_participants", args=[program.slug])
    _, few = _queries_for(client, url, django_assert_max_num_queries, 16)
    _participants(program, 30)
    _invitations(program, 12, role=Role.ADMIN, expires_at=expires)
    response, many = _queries_for(client, url, django_assert_max_num_queries, few)
    assert response.content.count(b'id="enrolment-') == 25  # a full page
    assert response.content.count(b"Resend the invitation to") == 10
    # The answers are in the role's question order on every row, in those few queries.
    page = response.content.decode()
    assert page.index("Why join?") < page.index("Anything else?")


def test_email_invitations_page_with_held_and_sent_rows(
    client, program, admin, django_assert_max_num_queries
):
    sent = timezone.now() - timedelta(hours=3)
    _invitations(program, 1)
    _invitations(program, 1, sent_at=sent)
    client.force_login(admin)
    url = reverse("program_email_invitations", args=[program.slug])
    _, few = _queries_for(client, url, django_assert_max_num_queries, 14)
    _invitations(program, 60)
    _invitations(program, 30, sent_at=sent)
    _invitations(program, 5, sent_at=sent, accepted_at=timezone.now())
    response, many = _queries_for(client, url, django_assert_max_num_queries, few)
    assert response.content.count(b'name="ids"') == 50  # a full page of held ones
    assert response.content.count(b"Resend<span") > 1
