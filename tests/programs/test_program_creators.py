"""Creating programs is a right a site admin grants (Django's ``programs.add_program``, per user
or group), not the staff flag: per role through the service, the page and the API."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.urls import reverse

from tandem.core.exceptions import PermissionDenied
from tandem.programs import services
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tests.programs.factories import ProgramFactory, UserFactory, admin_of, program_creator

pytestmark = pytest.mark.django_db

ALLOWED = {"granted to the user", "granted to a group", "superuser"}
ROLES = [
    "granted to the user",
    "granted to a group",
    "superuser",
    "staff without the right",
    "admin of a program without the right",
    "plain user",
    "deactivated with the right",
    "anonymous",
]


def _cast(role: str):
    if role == "granted to the user":
        return program_creator()
    if role == "granted to a group":
        group = Group.objects.create(name="Program creators")
        group.permissions.add(
            Permission.objects.get(content_type__app_label="programs", codename="add_program")
        )
        user = UserFactory()
        user.groups.add(group)
        return user
    if role == "superuser":
        return UserFactory(is_staff=True, is_superuser=True)
    if role == "staff without the right":
        return UserFactory(is_staff=True)
    if role == "admin of a program without the right":
        return admin_of(ProgramFactory())
    if role == "plain user":
        return UserFactory()
    if role == "deactivated with the right":
        return program_creator(is_active=False)
    return AnonymousUser()


@pytest.mark.parametrize("role", ROLES)
def test_the_service_asks_for_the_right(role):
    user = _cast(role)
    before = Program.objects.count()
    if role in ALLOWED:
        program = services.program_create(user=user, name="Growth")
        admin = Enrolment.objects.get(program=program)
        assert (admin.person, admin.role, admin.status) == (user, Role.ADMIN, "active")
        return
    with pytest.raises(PermissionDenied) as refused:
        services.program_create(user=user, name="Growth")
    assert refused.value.message == services.CREATE_NOT_ALLOWED
    assert Program.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_page_and_its_link_follow_the_right(client, role):
    user = _cast(role)
    if role != "anonymous":
        client.force_login(user)
    response = client.get(reverse("program_create"))
    if role in ("anonymous", "deactivated with the right"):
        assert response.status_code == 302 and "/login" in response["Location"]
        return
    listing = client.get(reverse("program_list")).content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()
    create_url = reverse("program_create")
    if role in ALLOWED:
        assert response.status_code == 200
        assert "New program" in listing and create_url in dashboard
    else:
        assert response.status_code == 403
        page = response.content.decode()
        assert "You cannot create programs yet" in page and "Ask a site admin" in page
        assert create_url not in listing and create_url not in dashboard


@pytest.mark.parametrize("role", ROLES)
def test_the_api_follows_the_right(client, role):
    user = _cast(role)
    before = Program.objects.count()
    if role != "anonymous":
        client.force_login(user)
    response = client.post("/api/programs/", {"name": "Growth"}, content_type="application/json")
    if role in ("anonymous", "deactivated with the right"):
        assert response.status_code == 401
    elif role in ALLOWED:
        assert response.status_code == 201
        assert Enrolment.objects.get(program__slug=response.json()["slug"]).person == user
    else:
        assert response.status_code == 403
        assert response.json()["detail"] == services.CREATE_NOT_ALLOWED
    assert Program.objects.count() == before + (role in ALLOWED)


def test_a_creator_without_staff_runs_the_program_they_created(client):
    """Created on the site, then run from it: no staff flag anywhere."""
    creator = program_creator()
    client.force_login(creator)
    response = client.post("/api/programs/", {"name": "Growth"}, content_type="application/json")
    slug = response.json()["slug"]
    assert client.get(reverse("program_participants", args=[slug])).status_code == 200
    assert client.get(reverse("program_edit", args=[slug])).status_code == 200
    assert not creator.is_staff
    assert client.get("/admin/").status_code == 302  # the site admin stays with site admins
    assert (
        Enrolment.objects.get(program__slug=slug, person=creator).status == EnrolmentStatus.ACTIVE
    )
