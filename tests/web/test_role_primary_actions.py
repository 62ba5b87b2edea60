"""Primary actions fit the person's role (live review F11/F21): the site's staff who take part in
no program are not asked to finish a matching profile and get the site's own pages instead; a
person who is only a mentor is not offered "Find a mentor" on their requests page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.programs.models import MatchingMode, Role
from tests.mentorships.factories import member
from tests.people.factories import UserFactory
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def dashboard(client, user):
    client.force_login(user)
    return client.get(reverse("participant_dashboard"))


def test_staff_outside_every_program_get_the_site_not_a_profile_nag(client):
    response = dashboard(client, UserFactory(is_staff=True))
    kinds = [step.kind for step in response.context["steps"]]
    html = response.content.decode()
    assert "profile" not in kinds
    assert 'data-testid="staff-home"' in html and 'id="profile-heading"' not in html
    assert re.search(r'<a class="button" href="{}">'.format(reverse("insights_site")), html)


def test_staff_who_mentor_keep_their_profile_step(client):
    staff = member(ProgramFactory(), Role.MENTOR)
    staff.is_staff = True
    staff.save()
    response = dashboard(client, staff)
    assert "profile" in [step.kind for step in response.context["steps"]]
    assert 'id="profile-heading"' in response.content.decode()


def test_a_new_person_without_a_program_is_still_asked_for_a_profile(client):
    response = dashboard(client, UserFactory())
    assert "profile" in [step.kind for step in response.context["steps"]]


def inbox(client, user) -> str:
    client.force_login(user)
    html = client.get(reverse("request_inbox")).content.decode()
    header = re.search(r'<div class="m-header">(.*?)</div>', html, re.S)
    assert header
    return header.group(1)


def test_a_mentor_only_person_is_not_offered_find_a_mentor(client):
    mentor = member(ProgramFactory(matching_mode=MatchingMode.SELF_SERVE), Role.MENTOR)
    header = inbox(client, mentor)
    assert "Find a mentor" not in header and reverse("profile_edit") in header


def test_a_mentee_who_may_choose_is_offered_find_a_mentor(client):
    mentee = member(ProgramFactory(matching_mode=MatchingMode.SELF_SERVE), Role.MENTEE)
    header = inbox(client, mentee)
    assert f'<a class="button" href="{reverse("request_new")}">Find a mentor</a>' in header
