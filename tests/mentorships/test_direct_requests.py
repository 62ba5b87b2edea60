"""Issue 10 item 7: in an admin-matched (cohort) program mentees send requests only if the
program allows it (``Program.allow_direct_requests``); self-serve programs always do. The
service refuses with a clear reason (page and API alike) and the pages stop offering it."""

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import MentorshipRequest
from tandem.mentorships.services import requests as R
from tandem.people.services import api_token_create
from tandem.programs.models import MatchingMode, ProgramType, Role
from tests.mentorships.factories import ProgramFactory, UserFactory, member
from tests.programs.factories import admin_of, enrol

pytestmark = pytest.mark.django_db


def send(program, sender, recipient):
    return services.request_create(
        sender=sender, program_id=program.pk, recipient_id=recipient.pk, message="Help me grow."
    )


@pytest.fixture
def closed():
    """A cohort program whose admins match everyone (direct requests off)."""
    return ProgramFactory(name="Spring cohort", allow_direct_requests=False)


class TestService:
    def test_cohort_program_without_direct_requests_refuses_and_writes_nothing(self, closed):
        mentee, mentor = member(closed), member(closed, Role.MENTOR)
        with pytest.raises(ApplicationError) as error:
            send(closed, mentee, mentor)
        assert error.value.status == 403
        assert str(error.value) == R.NO_DIRECT_REQUESTS.format(program="Spring cohort")
        assert not MentorshipRequest.objects.exists()

    def test_refused_for_every_kind_of_sender(self):
        peer = ProgramFactory(program_type=ProgramType.PEER, allow_direct_requests=False)
        reverse_ = ProgramFactory(program_type=ProgramType.REVERSE, allow_direct_requests=False)
        with pytest.raises(ApplicationError):
            send(peer, member(peer), member(peer))
        with pytest.raises(ApplicationError):
            send(reverse_, member(reverse_, Role.MENTOR), member(reverse_))
        assert not MentorshipRequest.objects.exists()

    def test_cohort_program_that_allows_them_accepts(self):
        program = ProgramFactory(allow_direct_requests=True)
        assert send(program, member(program), member(program, Role.MENTOR)).pk

    def test_self_serve_ignores_the_setting(self):
        program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE, allow_direct_requests=False)
        assert send(program, member(program), member(program, Role.MENTOR)).pk

    def test_an_outsider_still_learns_nothing(self, closed):
        mentor = member(closed, Role.MENTOR)
        with pytest.raises(ApplicationError) as error:
            send(closed, UserFactory(), mentor)
        assert error.value.status == 404


def test_api_says_why_with_403(client, closed):
    mentee, mentor = member(closed), member(closed, Role.MENTOR)
    _, secret = api_token_create(user=mentee, name="tests")
    response = client.post(
        "/api/mentorships/requests",
        {"program_id": closed.pk, "recipient_id": mentor.pk, "message": "Hello"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == R.NO_DIRECT_REQUESTS.format(program="Spring cohort")


class TestRequestPage:
    def test_mentee_is_told_the_admins_match_and_gets_no_form(self, client, closed):
        mentee = member(closed)
        member(closed, Role.MENTOR)
        client.force_login(mentee)
        page = client.get(reverse("request_new")).content.decode()
        assert "the program admins match mentors and mentees" in page
        assert "Spring cohort" in page and "Send request" not in page
        assert "once you are an active member" not in page

    def test_posting_anyway_is_refused(self, client, closed):
        mentee, mentor = member(closed), member(closed, Role.MENTOR)
        client.force_login(mentee)
        response = client.post(
            reverse("request_new"),
            {"program": closed.pk, "recipient": mentor.pk, "message": "Teach me"},
        )
        assert response.status_code == 200
        assert not MentorshipRequest.objects.exists()

    def test_only_the_programs_that_allow_it_are_offered(self, client, closed):
        open_ = ProgramFactory(name="Open program", allow_direct_requests=True)
        mentee = member(closed)
        enrol(mentee, open_)
        mentor = member(open_, Role.MENTOR)
        client.force_login(mentee)
        # Without a mentor chosen, the one program that takes requests shows its ranked list.
        response = client.get(reverse("request_new"))
        assert response["Location"] == reverse("program_mentors", args=[open_.slug])
        page = client.get(reverse("request_new"), {"program": open_.pk, "to": mentor.pk})
        assert (
            "Send request" in page.content.decode() and mentor.display_name in page.content.decode()
        )
        refused = client.get(reverse("request_new"), {"program": closed.pk, "to": mentor.pk})
        assert "Send request" not in refused.content.decode()

    @pytest.mark.parametrize("who", ["mentor", "admin", "outsider"])
    def test_other_roles_are_not_offered_it_either(self, client, closed, who):
        user = {
            "mentor": lambda: member(closed, Role.MENTOR),
            "admin": lambda: admin_of(closed),
            "outsider": UserFactory,
        }[who]()
        client.force_login(user)
        page = client.get(reverse("request_new")).content.decode()
        assert "Send request" not in page
