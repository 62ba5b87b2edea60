"""Issue 8: the participants page linked removed participants to a profile that answers 404
for the admin. A name is a link exactly when the profile page opens for the viewer."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.people.selectors import profiles_visible_to
from tests.programs.factories import (
    EnrolmentFactory,
    ProfileFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
    enrol,
)

pytestmark = pytest.mark.django_db

STATUSES = ("active", "paused", "pending", "removed")


@pytest.fixture
def people(program):
    """One participant per status with a profile, one active without, one inactive account."""
    found = {status: EnrolmentFactory(program=program, status=status).person for status in STATUSES}
    for person in found.values():
        ProfileFactory(user=person)
    found["no profile"] = EnrolmentFactory(program=program).person
    found["inactive"] = EnrolmentFactory(
        program=program, person=UserFactory(is_active=False)
    ).person
    ProfileFactory(user=found["inactive"])
    return found


def linked_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/people/(\d+)/"', html)}


def opens(client, person_id: int) -> bool:
    return client.get(reverse("profile_detail", args=[person_id])).status_code == 200


@pytest.mark.parametrize("viewer", ["program admin", "admin of two programs"])
def test_participants_page_links_exactly_the_profiles_the_viewer_may_open(
    client, program, people, viewer
):
    user = admin_of(program)
    if viewer == "admin of two programs":
        other = ProgramFactory()
        enrol(user, other, role="admin")
        enrol(people["removed"], other)  # removed here, a member there: the profile opens
    client.force_login(user)
    html = client.get(reverse("program_participants", args=[program.slug])).content.decode()
    expected = {pk for pk in (p.pk for p in people.values()) if opens(client, pk)}
    assert linked_ids(html) & {p.pk for p in people.values()} == expected
    for person in people.values():
        assert escape(person.display_name) in html
    if viewer == "program admin":
        assert expected == {people[s].pk for s in ("active", "paused", "pending")}


def test_removing_a_participant_drops_the_link_from_the_row(client, program, people):
    admin = admin_of(program)
    enrolment = people["active"].enrolments.get(program=program)
    client.force_login(admin)
    url = reverse("program_participant_action", args=[program.slug, enrolment.pk, "remove"])
    row = client.post(url, {"confirm": "yes"}, HTTP_HX_REQUEST="true").content.decode()
    assert escape(people["active"].display_name) in row
    assert not linked_ids(row)
    assert not opens(client, people["active"].pk)


def test_visibility_is_one_query_for_a_page(program, people, django_assert_num_queries):
    admin = admin_of(program)
    with django_assert_num_queries(1):
        visible = profiles_visible_to(
            viewer=admin, user_ids=[admin.pk, *(p.pk for p in people.values())]
        )
    assert visible == {admin.pk, *(people[s].pk for s in ("active", "paused", "pending"))}
