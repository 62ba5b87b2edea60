"""Programs have no identity weight (rpriv F2): with it at 10, one free draft run pulled a mentee
who asked for a shared background to a far worse decoy mentor holding a guessed item, so the
admin read the item. Tandem's runs never use identity now (docs/matching.md, "Identity and
privacy"): the setting is gone from the form and the API, and the stored ones were removed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from tandem.programs.models import DEFAULT_WEIGHTS, Program
from tandem.programs.services.programs import NO_IDENTITY_WEIGHT
from tests.programs.test_api import Api

pytestmark = pytest.mark.django_db


def test_the_api_refuses_an_identity_weight_and_changes_nothing(client, program, admin):
    before = dict(program.weights)
    response = Api(client, admin).patch(program.slug, {"weights": {"identity": 10, "text": 4}})
    assert response.status_code == 400
    assert response.json()["fields"] == {"weights.identity": NO_IDENTITY_WEIGHT}
    program.refresh_from_db()
    assert program.weights == before
    shown = Api(client, admin).get(program.slug).json()["weights"]
    assert "identity" not in shown and set(shown) == set(DEFAULT_WEIGHTS)


def test_the_settings_form_has_no_identity_weight(client, program, admin):
    client.force_login(admin)
    page = client.get(reverse("program_edit", args=[program.slug])).content.decode()
    assert 'name="weight_text"' in page
    assert "weight_identity" not in page and "Shared background" not in page


def test_the_migration_removes_stored_identity_weights():
    forwards = importlib.import_module(
        "tandem.programs.migrations.0009_no_identity_weight"
    ).forwards
    weighed = Program.objects.create(
        name="Old", slug="old", weights={**DEFAULT_WEIGHTS, "identity": 10.0}
    )
    plain = Program.objects.create(name="New", slug="new", weights={"text": 2.0})
    forwards(django_apps, None)
    weighed.refresh_from_db()
    plain.refresh_from_db()
    assert weighed.weights == DEFAULT_WEIGHTS
    assert plain.weights == {"text": 2.0}
