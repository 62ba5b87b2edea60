"""Leftovers review: someone a CSV import invited joined by accepting without answering the
program's required join questions, which anyone joining by a link must answer, so the admins
never read their answers. Accepting now asks the questions of the invitation's role, with the
same rule and words as the link; declining asks nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.programs.imports import services as import_services
from tandem.programs.models import Enrolment, EnrolmentQuestion, EnrolmentStatus, Role
from tandem.programs.services.enrolments import ANSWER_REQUIRED
from tests.programs.factories import EnrolmentFactory, UserFactory
from tests.programs.test_participant_invitation import invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(program):
    return EnrolmentQuestion.objects.create(
        program=program, role=Role.MENTOR, prompt="What can you offer?", required=True
    )


def _accept(person, invitation, **answers):
    return import_services.participant_invitation_answer(
        user=person, token=invitation.token, accept=True, answers=answers
    )


def test_accepting_asks_the_required_questions_of_the_role(program, question):
    person = UserFactory()
    invitation = invite(program, person)
    with pytest.raises(ApplicationError) as error:
        _accept(person, invitation)
    assert error.value.fields == {f"q{question.pk}": ANSWER_REQUIRED}
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert not Enrolment.objects.filter(program=program, person=person).exists()
    enrolment = _accept(person, invitation, **{f"q{question.pk}": " Code review "})
    assert enrolment.answers == {"What can you offer?": "Code review"}
    mentee = UserFactory()
    assert _accept(mentee, invite(program, mentee, role=Role.MENTEE))  # no mentee question


def test_an_enrolment_that_answered_by_a_link_is_not_asked_again(program, question):
    person = UserFactory()
    EnrolmentFactory(
        program=program,
        person=person,
        role=Role.MENTOR,
        status=EnrolmentStatus.PENDING,
        answers={"What can you offer?": "Pairing"},
    )
    enrolment = _accept(person, invite(program, person))
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.answers == {"What can you offer?": "Pairing"}


def test_the_invitation_page_asks_and_declining_needs_no_answer(client, program, question):
    person, other = UserFactory(), UserFactory()
    invitation, refused = invite(program, person), invite(program, other)
    url = reverse("participant_invitation", args=[invitation.token])
    client.force_login(person)
    page = client.get(url).content.decode()
    assert "What can you offer?" in page and f'name="q{question.pk}"' in page
    empty = client.post(url, {"answer": "accept", f"q{question.pk}": ""})
    assert empty.status_code == 400
    assert empty.context["form"].errors == {f"q{question.pk}": [ANSWER_REQUIRED]}
    assert not Enrolment.objects.filter(program=program, person=person).exists()
    joined = client.post(url, {"answer": "accept", f"q{question.pk}": "Talks"})
    assert joined.status_code == 302
    enrolment = Enrolment.objects.get(program=program, person=person)
    assert enrolment.answers == {"What can you offer?": "Talks"}
    client.force_login(other)
    declined = client.post(
        reverse("participant_invitation", args=[refused.token]), {"answer": "decline"}
    )
    assert declined.status_code == 302
    refused.refresh_from_db()
    assert refused.state == "declined"


@pytest.mark.parametrize("sent", [{}, {"answer": "maybe"}])
def test_the_invitation_page_without_accept_or_decline_changes_nothing(client, program, sent):
    """Live review: a post of the invitation's page without its button's ``answer`` (or with
    ``answer=maybe``) declined the invitation; it is a 400 that changes nothing."""
    person = UserFactory()
    invitation = invite(program, person)
    client.force_login(person)
    url = reverse("participant_invitation", args=[invitation.token])
    assert client.post(url, sent).status_code == 400
    invitation.refresh_from_db()
    assert invitation.state == "pending"
