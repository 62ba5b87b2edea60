"""An id past the database's integer range typed in an admin change page's relation box (a raw
id, a select, an inline's hidden parent) is a form error on that field, never a 500: SQLite
refused ``99999999999999999999`` with an ``OverflowError`` the choice field let through."""

from __future__ import annotations

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.people.factories import UserFactory
from tests.web.test_admin_coverage import BUILDERS, REGISTERED
from tests.web.test_admin_untouched import _change_form_data, _editable

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"  # past 2**63 - 1


def _relation_fields(name: str, client) -> list[str]:
    """The change form's relation fields (choice of a row, or of several)."""
    model = apps.get_model(name)
    model_admin = admin.site._registry[model]
    request = client.get("/").wsgi_request
    form_class = model_admin.get_form(request, model.objects.first())
    return [
        field_name
        for field_name, field in form_class.base_fields.items()
        if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
    ]


SAVED = [name for name in REGISTERED if _editable(name)]


@pytest.mark.parametrize("name", SAVED)
def test_a_huge_id_in_a_relation_box_is_a_form_error(client, name):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    row = BUILDERS[name]()
    model = apps.get_model(name)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    data = _change_form_data(client.get(url).content.decode())
    fields = _relation_fields(name, client)
    for field in fields:
        answer = client.post(url, {**data, field: [HUGE]})
        assert answer.status_code == 200, (field, answer.status_code)
        assert field in answer.context["adminform"].form.errors, field
