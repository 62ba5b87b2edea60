"""Issue 10 item 7: someone whose own request to join a program awaits approval, or whose
enrolment in it was closed, sees that on the program's pages instead of a 404; only about
their own enrolment. Anyone else learns nothing new (the same 404 as a missing program)."""

import pytest
from django.urls import reverse

from tandem.programs.models import EnrolmentStatus, MatchingMode, Role
from tests.programs.factories import ProgramFactory, UserFactory, admin_of, enrol, member_of

pytestmark = pytest.mark.django_db

WAITING = "is waiting for approval by its admins"
CLOSED = "was closed by its admins"


@pytest.fixture
def program():
    return ProgramFactory(
        name="Spring circle",
        matching_mode=MatchingMode.SELF_SERVE,
        description="Secret plans of the admins.",
    )


def pages(program):
    return {
        "overview": reverse("program_detail", args=[program.slug]),
        "mentors": reverse("program_mentors", args=[program.slug]),
    }


def person_with(program, status, role=Role.MENTEE):
    person = UserFactory()
    enrol(person, program, role=role, status=status)
    return person


@pytest.mark.parametrize("role", [Role.MENTEE, Role.MENTOR])
def test_pending_sees_waiting_on_the_overview_with_the_date(client, program, role):
    client.force_login(person_with(program, EnrolmentStatus.PENDING, role))
    response = client.get(pages(program)["overview"])
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Your request to join Spring circle as {role} {WAITING}" in page
    assert "You asked on" in page and "Nothing to do meanwhile" in page


def test_pending_sees_waiting_on_a_member_page_not_a_404(client, program):
    client.force_login(person_with(program, EnrolmentStatus.PENDING))
    response = client.get(pages(program)["mentors"])
    page = response.content.decode()
    assert response.status_code == 403
    assert f"Your request to join Spring circle as mentee {WAITING}" in page
    assert "Secret plans" not in page


@pytest.mark.parametrize("name", ["overview", "mentors"])
def test_removed_or_declined_are_told_about_their_own_enrolment_only(client, program, name):
    other = member_of(program, Role.MENTOR)
    client.force_login(person_with(program, EnrolmentStatus.REMOVED))
    response = client.get(pages(program)[name])
    page = response.content.decode()
    assert response.status_code == 403
    assert f"Your enrolment in Spring circle as mentee {CLOSED}" in page
    assert "Secret plans" not in page and other.email not in page and WAITING not in page


def test_pending_in_one_role_and_closed_in_another_sees_both(client, program):
    person = person_with(program, EnrolmentStatus.REMOVED, Role.MENTOR)
    enrol(person, program, role=Role.MENTEE, status=EnrolmentStatus.PENDING)
    client.force_login(person)
    page = client.get(pages(program)["mentors"]).content.decode()
    assert WAITING in page and CLOSED in page


@pytest.mark.parametrize(
    "who", ["outsider", "admin of another program", "staff without rights", "pending elsewhere"]
)
@pytest.mark.parametrize("name", ["overview", "mentors"])
def test_everyone_else_gets_the_same_404_as_a_missing_program(client, program, who, name):
    elsewhere = ProgramFactory()
    user = {
        "outsider": UserFactory,
        "admin of another program": lambda: admin_of(elsewhere),
        "staff without rights": lambda: UserFactory(is_staff=True),
        "pending elsewhere": lambda: person_with(elsewhere, EnrolmentStatus.PENDING),
    }[who]()
    client.force_login(user)
    response = client.get(pages(program)[name])
    missing = client.get(pages(program)[name].replace(program.slug, "no-such-program"))
    assert response.status_code == missing.status_code == 404
    assert WAITING not in response.content.decode() and CLOSED not in response.content.decode()


@pytest.mark.parametrize("name", ["overview", "mentors"])
def test_anonymous_is_sent_to_log_in(client, program, name):
    response = client.get(pages(program)[name])
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("status", [EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED])
def test_members_see_the_program_not_the_standing_page(client, program, status):
    client.force_login(person_with(program, status))
    page = client.get(pages(program)["overview"]).content.decode()
    assert "Secret plans" in page and WAITING not in page and CLOSED not in page


def test_a_member_page_refusing_a_member_keeps_its_own_answer(client, program):
    """A mentor (a member, not a mentee) opening the mentor list is told why (403), not shown
    a standing page."""
    client.force_login(member_of(program, Role.MENTOR))
    response = client.get(pages(program)["mentors"])
    assert response.status_code == 403 and WAITING not in response.content.decode()
