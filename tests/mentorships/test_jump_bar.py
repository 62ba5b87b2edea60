"""The mentorship page's jump bar (live review F1: on a phone the side column comes after all
the main content, so Messages, Schedule a meeting and Report a problem sat 3-4k px down): a
short row of links under the title reaches each one; admins reading the overview get none."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.mentorships.models import MentorshipState
from tandem.programs.models import Role
from tests.mentorships import factories as mentoring

pytestmark = pytest.mark.django_db


def jump_bar(client, pair) -> str | None:
    html = client.get(reverse("mentorship_detail", args=[pair.pk])).content.decode()
    found = re.search(r'<nav class="m-jump" aria-label="Jump to">(.*?)</nav>', html, re.S)
    return found.group(1) if found else None


def hrefs(bar: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', bar)


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_the_pair_reach_the_side_column_from_the_top(client, who):
    pair = mentoring.mentorship()
    client.force_login(getattr(pair, who))
    bar = jump_bar(client, pair)
    assert bar is not None
    assert hrefs(bar) == [
        "#messages",
        reverse("meeting_new", args=[pair.pk]),
        reverse("checkin_list"),
        "#more-actions",
        reverse("problem_report_new", args=[pair.pk]),
    ]
    html = client.get(reverse("mentorship_detail", args=[pair.pk])).content.decode()
    assert 'id="messages"' in html and 'id="more-actions"' in html


def test_an_ended_mentorship_offers_no_scheduling(client):
    pair = mentoring.mentorship(state=MentorshipState.COMPLETED)
    client.force_login(pair.mentee)
    bar = jump_bar(client, pair)
    assert bar is not None
    assert reverse("meeting_new", args=[pair.pk]) not in hrefs(bar)
    assert "#more-actions" not in hrefs(bar)


def test_a_program_admin_sees_no_jump_bar(client):
    pair = mentoring.mentorship()
    admin = mentoring.member(pair.program, Role.ADMIN)
    client.force_login(admin)
    assert client.get(reverse("mentorship_detail", args=[pair.pk])).status_code == 200
    assert jump_bar(client, pair) is None
