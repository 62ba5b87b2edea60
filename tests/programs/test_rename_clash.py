"""Leftovers review: a new program named as another program its creator runs is refused on its
name (after the 5-minute repeat window, tests/programs/test_double_submit.py), but renaming a
program to that name, on its edit page or with ``PATCH /api/programs/{slug}``, went through,
leaving the creator two programs nobody could tell apart. Renaming now follows the same rule;
a form saved untouched still saves, even for two programs that share a name from before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tandem.programs import services
from tandem.programs.models import Program, Role
from tests.programs.factories import admin_of, program_creator
from tests.programs.test_direct_requests import form_data

pytestmark = pytest.mark.django_db


def _two_programs(creator, old="Growth", new="Growth autumn") -> tuple[Program, Program]:
    first = services.program_create(user=creator, name=old)
    Program.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(days=3))
    return first, services.program_create(user=creator, name=new)


def _edit(client, program: Program, **changes):
    url = reverse("program_edit", args=[program.slug])
    return client.post(url, {**form_data(client, url), **changes})


def _patch(client, program: Program, body: dict):
    url = f"/api/programs/{program.slug}"
    return client.patch(url, body, content_type="application/json")


def test_renaming_to_another_program_of_the_creator_is_a_field_error(client):
    creator = program_creator()
    _, second = _two_programs(creator)
    client.force_login(creator)
    page = _edit(client, second, name="Growth", description="The autumn cohort.")
    assert page.status_code == 200  # the form again, the rest of what was typed kept
    errors = page.context["form"].errors
    assert list(errors) == ["name"]
    assert "You already run a program named Growth (created" in errors["name"][0]
    assert "The autumn cohort." in page.content.decode()
    api = _patch(client, second, {"name": " Growth "})
    assert api.status_code == 400 and list(api.json()["fields"]) == ["name"]
    assert "You already run a program named Growth" in api.json()["fields"]["name"]
    second.refresh_from_db()
    assert second.name == "Growth autumn"


def test_another_admin_renaming_it_is_told_whose_program_clashes(client):
    creator = program_creator(first_name="Ada", last_name="Byron")
    _, second = _two_programs(creator)
    helper = admin_of(second)
    client.force_login(helper)
    api = _patch(client, second, {"name": "Growth"})
    assert api.status_code == 400
    assert api.json()["fields"]["name"].startswith(
        f"{creator.display_name}, who created this program, already runs a program named Growth"
    )


def test_renames_the_rule_does_not_stop(client):
    creator, someone = program_creator(), program_creator()
    first, second = _two_programs(creator)
    services.program_create(user=someone, name="Their program")
    client.force_login(creator)
    assert _patch(client, second, {"name": "Their program"}).status_code == 200
    first.enrolments.filter(person=creator, role=Role.ADMIN).update(status="removed")
    assert _patch(client, second, {"name": "Growth"}).status_code == 200  # no longer runs it
    assert _patch(client, second, {"name": "Growth"}).status_code == 200  # its own name
    third = services.program_create(user=creator, name="Growth winter")
    helper = admin_of(third)
    third.enrolments.filter(person=creator, role=Role.ADMIN).update(status="removed")
    client.force_login(helper)  # its creator left it: their other program is no clash here
    assert _patch(client, third, {"name": "Growth"}).status_code == 200


def test_an_untouched_save_of_two_programs_sharing_a_name_from_before_still_saves(client):
    creator = program_creator()
    first, second = _two_programs(creator)
    Program.objects.filter(pk=second.pk).update(name=first.name)  # from before the rule
    client.force_login(creator)
    assert _edit(client, second).status_code == 302
    assert _patch(client, second, {"name": "Growth", "description": "Spring"}).status_code == 200
