"""Live review on PostgreSQL: "New program" sent twice at once made two programs (slugs
``double-program`` and ``double-program-2``: the second waited, then the slug helper picked
``-2``), and an invitation link created twice at once made two links. One person's creates now
take turns under a lock and the second finds the first's (``core.exceptions.Repeated``, as
match-run starts and a mentorship's goals do): the page lands on it with a note, the API
answers 409."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tandem.programs import services
from tandem.programs.models import Invitation, Program, Role
from tandem.programs.services.enrolments import INVITATION_REPEAT_WINDOW
from tests.mentorships.test_lock_order import race, row_lock, unexpected
from tests.programs.factories import ProgramFactory, admin_of, program_creator
from tests.programs.test_direct_requests import form_data


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notes(response) -> str:
    return " ".join(str(note) for note in get_messages(response.wsgi_request))


def _new_program_form(client) -> dict[str, str]:
    return {**form_data(client, reverse("program_create")), "name": "Double Program"}


@pytest.mark.django_db
def test_new_program_sent_twice_makes_one_and_lands_on_it():
    client = _client(program_creator())
    data = _new_program_form(client)
    first = client.post(reverse("program_create"), data)
    again = client.post(reverse("program_create"), data)
    program = Program.objects.get()
    assert first.url == again.url == reverse("program_detail", args=[program.slug])
    assert program.slug == "double-program"
    assert "You already run a program named Double Program" in _notes(again)


@pytest.mark.django_db
def test_new_program_by_the_api_twice_is_a_409(client):
    client.force_login(program_creator())
    body = {"name": "Double Program"}
    assert client.post("/api/programs/", body, content_type="application/json").status_code == 201
    again = client.post("/api/programs/", body, content_type="application/json")
    assert again.status_code == 409 and "Double Program" in again.json()["detail"]
    assert Program.objects.count() == 1


@pytest.mark.django_db
def test_the_same_name_by_someone_else_or_after_leaving_it_is_a_new_program():
    first, second = program_creator(), program_creator()
    mine = services.program_create(user=first, name="Growth")
    services.program_create(user=second, name="Growth")
    services.program_create(user=first, name="Growth 2")
    mine.enrolments.filter(person=first, role=Role.ADMIN).update(status="removed")
    services.program_create(user=first, name="Growth")  # they no longer run the first
    assert Program.objects.filter(name="Growth").count() == 3


@pytest.mark.django_db
def test_the_same_name_again_days_later_is_a_field_error_that_keeps_the_form():
    """Leftovers review 6: the repeat guard had no window, so a creator who started a second
    program of the same name on purpose, days later, was sent to the first one and lost all
    they had typed. A repeat this soon is still the same click; later the name is refused on
    its field, page and API alike, the rest of the form kept."""
    creator = program_creator()
    client = _client(creator)
    first = services.program_create(user=creator, name="Double Program")
    Program.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(days=3))
    data = {**_new_program_form(client), "description": "The spring cohort."}
    page = client.post(reverse("program_create"), data)
    assert page.status_code == 200  # the form again, as for any field error on this page
    form = page.context["form"]
    assert list(form.errors) == ["name"]
    assert "You already run a program named Double Program" in form.errors["name"][0]
    assert "The spring cohort." in page.content.decode()
    api = client.post("/api/programs/", {"name": "Double Program"}, content_type="application/json")
    assert api.status_code == 400
    assert "Double Program" in api.json()["fields"]["name"]
    assert Program.objects.count() == 1
    renamed = client.post(reverse("program_create"), {**data, "name": "Double Program 2027"})
    assert renamed.status_code == 302
    assert Program.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_new_program_sent_twice_at_once_on_postgresql_makes_one(postgres_only):
    creator = program_creator()
    clients = [_client(creator) for _ in range(2)]
    data = _new_program_form(clients[0])
    outcomes = race(
        *(lambda client=client: client.post(reverse("program_create"), data) for client in clients),
        found=row_lock,
    )
    assert unexpected(outcomes) == []
    program = Program.objects.get()
    assert [o.status_code for o in outcomes] == [302, 302]
    assert {o.url for o in outcomes} == {reverse("program_detail", args=[program.slug])}


def _invitation_form(client, program) -> tuple[str, dict[str, str]]:
    url = reverse("program_invitations", args=[program.slug])
    return url, {**form_data(client, url), "role": "mentee"}


@pytest.mark.django_db
def test_an_invitation_link_sent_twice_makes_one():
    program = ProgramFactory()
    client = _client(admin_of(program))
    url, data = _invitation_form(client, program)
    first, again = client.post(url, data), client.post(url, data)
    assert first.url == again.url == url
    assert "A link with the same settings was just created" in _notes(again)
    assert Invitation.objects.filter(program=program).count() == 1


@pytest.mark.django_db
def test_an_invitation_link_by_the_api_twice_is_a_409(client):
    program = ProgramFactory()
    client.force_login(admin_of(program))
    url = f"/api/programs/{program.slug}/invitations"
    body = {"role": "mentor", "max_uses": 5}
    assert client.post(url, body, content_type="application/json").status_code == 201
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409
    assert Invitation.objects.filter(program=program).count() == 1


@pytest.mark.django_db
def test_another_link_on_purpose_other_settings_later_or_after_a_use_is_new():
    program = ProgramFactory()
    admin = admin_of(program)

    def create(**kwargs):
        return services.invitation_create(
            user=admin, program_id=program.pk, **{"role": "mentee", **kwargs}
        )

    first = create()
    create(role="mentor")
    create(max_uses=3)
    create(auto_approve=True)
    Invitation.objects.filter(pk=first.pk).update(
        created_at=first.created_at - INVITATION_REPEAT_WINDOW - timedelta(seconds=1)
    )
    create()  # a minute later: a second link, to revoke separately
    used = create(role="mentor", max_uses=9)
    Invitation.objects.filter(pk=used.pk).update(uses=1)
    create(role="mentor", max_uses=9)
    assert Invitation.objects.filter(program=program).count() == 7


@pytest.mark.django_db(transaction=True)
def test_an_invitation_link_sent_twice_at_once_on_postgresql_makes_one(postgres_only):
    program = ProgramFactory()
    admin = admin_of(program)
    clients = [_client(admin) for _ in range(2)]
    url, data = _invitation_form(clients[0], program)
    outcomes = race(
        *(lambda client=client: client.post(url, data) for client in clients), found=row_lock
    )
    assert unexpected(outcomes) == []
    assert [o.status_code for o in outcomes] == [302, 302]
    assert Invitation.objects.filter(program=program).count() == 1
