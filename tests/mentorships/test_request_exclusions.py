"""A pair the program keeps apart (an enrolment's ``exclude``, the import's "never pair with")
cannot start by a request either. Live check: the ranked list and cohort runs left such a mentor
out, but a request sent by the mentor's id (the request form's URL, or the API) went through."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import MentorshipRequest
from tandem.mentorships.services.requests import KEPT_APART
from tandem.people.models import Profile
from tandem.programs.models import Enrolment, MatchingMode, Role
from tests.mentorships.factories import ProgramFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who_excludes", ["mentee", "mentor"])
def test_a_request_between_people_kept_apart_is_refused_either_way(who_excludes):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    excluder, excluded = (mentee, mentor) if who_excludes == "mentee" else (mentor, mentee)
    Enrolment.objects.get(program=program, person=excluder).exclude.add(excluded)
    with pytest.raises(ApplicationError) as error:
        services.request_create(
            sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message="Help me grow."
        )
    message = KEPT_APART.format(name=mentor.display_name)
    assert (error.value.status, error.value.fields) == (409, {"recipient": message})
    assert not MentorshipRequest.objects.exists()


def test_an_exclusion_in_another_program_does_not_count():
    program, other = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE), ProgramFactory()
    mentee, mentor = member(program), member(program, Role.MENTOR)
    Enrolment.objects.create(program=other, person=mentee, role=Role.MENTEE).exclude.add(mentor)
    assert services.request_create(
        sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message="Help me grow."
    ).pk


def test_over_the_api_the_field_is_named(client):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    Enrolment.objects.get(program=program, person=mentor).exclude.add(mentee)
    client.force_login(mentee)
    response = client.post(
        "/api/mentorships/requests",
        {"program_id": program.pk, "recipient_id": mentor.pk, "message": "Help me grow."},
        content_type="application/json",
    )
    assert response.status_code == 409
    message = KEPT_APART.format(name=mentor.display_name)
    assert response.json()["fields"] == {"recipient_id": message}


def _ask(mentee, mentor, program):
    return services.request_create(
        sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message="Help me grow."
    )


@pytest.mark.parametrize("linked", ["account", "email"])
@pytest.mark.parametrize("who_manages", ["mentor", "mentee"])
def test_a_request_to_or_from_ones_own_manager_is_refused(linked, who_manages):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE, avoid_manager=True)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    managed, manager = (mentee, mentor) if who_manages == "mentor" else (mentor, mentee)
    profile = Profile.objects.get_or_create(user=managed)[0]
    if linked == "account":
        profile.manager = manager
    else:
        profile.manager_email = manager.email.upper()
    profile.save()
    with pytest.raises(ApplicationError) as error:
        _ask(mentee, mentor, program)
    assert error.value.fields == {"recipient": KEPT_APART.format(name=mentor.display_name)}
    assert not MentorshipRequest.objects.exists()


def test_a_program_that_allows_managers_takes_the_request():
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE, avoid_manager=False)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    Profile.objects.update_or_create(user=mentee, defaults={"manager": mentor})
    assert _ask(mentee, mentor, program).pk


@pytest.mark.parametrize("avoid, kept", [(True, True), (False, False)])
def test_one_department_keeps_the_pair_apart_only_where_the_program_says(avoid, kept):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE, avoid_same_department=avoid)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    Profile.objects.update_or_create(user=mentee, defaults={"department": "Data  Science"})
    Profile.objects.update_or_create(user=mentor, defaults={"department": "data science"})
    if kept:
        with pytest.raises(ApplicationError):
            _ask(mentee, mentor, program)
    else:
        assert _ask(mentee, mentor, program).pk


def test_the_request_page_says_so_instead_of_offering_the_form(client):
    """Matching review: the form, with the pair's reasons, was offered for an excluded mentor
    and refused only once the message was written and sent."""
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    client.force_login(mentee)
    url = f"{reverse('request_new')}?program={program.pk}&recipient={mentor.pk}"
    assert 'name="message"' in client.get(url).content.decode()
    Enrolment.objects.get(program=program, person=mentor).exclude.add(mentee)
    page = client.get(url).content.decode()
    assert 'name="message"' not in page
    assert escape(KEPT_APART.format(name=mentor.display_name)) in page
