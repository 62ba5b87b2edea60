"""Issue 10: declining someone from the admin home asks first and comes back to the home (their
program's section), as approving does; the ``next`` it carries is followed only when it is a URL
of this site, and without one the people page stays the way back."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from tandem.programs.models import Enrolment, EnrolmentStatus
from tests.programs.factories import EnrolmentFactory, ProgramFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(client):
    program = ProgramFactory(name="Data Guild")
    admin = admin_of(program)
    enrolment = EnrolmentFactory(
        program=program,
        status=EnrolmentStatus.PENDING,
        person=UserFactory(first_name="Ana", last_name="Lee"),
    )
    client.force_login(admin)
    return enrolment


def _decline_link(client, enrolment) -> str:
    page = client.get(reverse("dashboard")).content.decode()
    found = re.search(r'href="([^"]+)" aria-label="Decline Ana Lee', page)
    assert found, "no decline link on the admin home"
    return html.unescape(found.group(1))


def _status(enrolment) -> str:
    return Enrolment.objects.get(pk=enrolment.pk).status


def test_declining_from_the_home_asks_then_comes_back_to_the_home(client, waiting):
    link = _decline_link(client, waiting)
    home = f"/#program-{waiting.program_id}"
    page = client.get(link).content.decode()
    assert "Decline Ana Lee&#x27;s request to join Data Guild?" in page
    assert f'href="{home}"' in page  # "keep" goes back to the home, not the people page
    assert _status(waiting) == EnrolmentStatus.PENDING

    response = client.post(link, {"confirm": "yes"}, follow=True)
    assert response.redirect_chain == [(home, 302)]
    assert _status(waiting) == EnrolmentStatus.REMOVED
    assert "Ana Lee (mentee) is now removed." in response.content.decode()


def test_approving_from_the_home_comes_back_to_it(client, waiting):
    approve = reverse("admin_home_approve", args=[waiting.program_id, waiting.pk])
    response = client.post(approve)
    assert response["Location"] == f"/#program-{waiting.program_id}"
    assert _status(waiting) == EnrolmentStatus.ACTIVE


def test_an_approval_that_fails_goes_home_not_to_another_site(client, waiting):
    Enrolment.objects.filter(pk=waiting.pk).update(status=EnrolmentStatus.REMOVED)
    approve = reverse("admin_home_approve", args=[waiting.program_id, waiting.pk])
    response = client.post(approve, {"next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "http:/x"]
)
def test_a_next_off_this_site_is_ignored(client, waiting, elsewhere):
    url = reverse("program_participant_action", args=[waiting.program.slug, waiting.pk, "remove"])
    page = client.get(url, {"next": elsewhere}).content.decode()
    assert f'href="{html.escape(elsewhere)}"' not in page  # "keep" is the people page
    assert f'href="{reverse("program_participants", args=[waiting.program.slug])}"' in page
    response = client.post(f"{url}?next={elsewhere}", {"confirm": "yes"})
    assert response["Location"] == reverse("program_participants", args=[waiting.program.slug])
    assert _status(waiting) == EnrolmentStatus.REMOVED


def test_without_next_the_people_page_is_still_the_way_back(client, waiting):
    url = reverse("program_participant_action", args=[waiting.program.slug, waiting.pk, "remove"])
    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("program_participants", args=[waiting.program.slug])


def test_a_stranger_cannot_decline_with_a_next(client, waiting):
    client.force_login(UserFactory())
    url = reverse("program_participant_action", args=[waiting.program.slug, waiting.pk, "remove"])
    response = client.post(f"{url}?next=/", {"confirm": "yes"})
    assert response.status_code == 404
    assert _status(waiting) == EnrolmentStatus.PENDING
