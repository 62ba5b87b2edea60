"""Live review: an invitation link could be made for the admin role, and anyone who opened it
became an active program admin. Links invite mentees and mentors only (admins are invited by
e-mail from the participants page); an admin link already in a database grants nothing."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.programs import services
from tandem.programs.models import Enrolment, Invitation, Role
from tandem.programs.services.enrolments import ADMIN_LINK, PARTICIPANT_ROLE_ONLY
from tests.programs.factories import InvitationFactory, UserFactory
from tests.programs.test_api import Api

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tandem.programs.migrations.0008_no_admin_invitation_links")


def admins_of(program) -> set[int]:
    return set(
        Enrolment.objects.filter(program=program, role=Role.ADMIN).values_list(
            "person_id", flat=True
        )
    )


def test_the_service_refuses_an_admin_link(program, admin):
    with pytest.raises(ApplicationError) as error:
        services.invitation_create(
            user=admin, program_id=program.pk, role=Role.ADMIN, auto_approve=True
        )
    assert error.value.fields == {"role": PARTICIPANT_ROLE_ONLY}
    assert not Invitation.objects.exists()


def test_the_page_offers_mentee_and_mentor_only_and_refuses_admin(client, program, admin):
    client.force_login(admin)
    url = reverse("program_invitations", args=[program.slug])
    html = client.get(url).content.decode()
    assert 'value="mentee"' in html and 'value="mentor"' in html
    assert 'value="admin"' not in html
    response = client.post(url, {"role": "admin", "auto_approve": "on"})
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_the_api_refuses_an_admin_link_naming_the_field(client, program, admin):
    response = Api(client, admin).post(
        f"{program.slug}/invitations", {"role": "admin", "auto_approve": True}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"role": PARTICIPANT_ROLE_ONLY}
    assert not Invitation.objects.exists()


@pytest.fixture
def old_admin_link(program):
    """An admin link made before links were limited, still usable."""
    return InvitationFactory(program=program, role=Role.ADMIN, auto_approve=True)


def test_an_old_admin_link_grants_nothing_through_the_service(program, old_admin_link):
    before = admins_of(program)
    with pytest.raises(ApplicationError) as error:
        services.enrolment_join_by_invitation(user=UserFactory(), token=old_admin_link.token)
    assert error.value.status == 409 and str(error.value) == ADMIN_LINK
    assert admins_of(program) == before
    old_admin_link.refresh_from_db()
    assert old_admin_link.uses == 0


def test_an_old_admin_link_page_shows_why_and_no_button(client, program, old_admin_link):
    before = admins_of(program)
    client.force_login(UserFactory())
    url = reverse("program_join", args=[old_admin_link.token])
    html = client.get(url).content.decode()
    assert ADMIN_LINK in html and "Join as" not in html
    html = client.post(url).content.decode()
    assert ADMIN_LINK in html
    assert admins_of(program) == before


def test_an_old_admin_link_is_refused_by_the_api(client, program, old_admin_link):
    before = admins_of(program)
    response = Api(client, UserFactory()).post(f"join/{old_admin_link.token}", {"answers": {}})
    assert response.status_code == 409 and response.json()["detail"] == ADMIN_LINK
    assert admins_of(program) == before


def test_the_migration_revokes_unrevoked_admin_links_only(program, old_admin_link):
    earlier = timezone.now() - timezone.timedelta(days=3)
    revoked_before = InvitationFactory(program=program, role=Role.ADMIN, revoked_at=earlier)
    mentor_link = InvitationFactory(program=program, role=Role.MENTOR)
    migration.forwards(django_apps, None)
    for invitation in (old_admin_link, revoked_before, mentor_link):
        invitation.refresh_from_db()
    assert old_admin_link.revoked_at is not None
    assert revoked_before.revoked_at == earlier
    assert mentor_link.revoked_at is None
