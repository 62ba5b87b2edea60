"""A change page of the site admin saved untouched keeps every stored moment exactly (the
admin's time input dropped the microseconds: ``.014061`` became ``.000000``), and writes nothing
at all (its ``save()`` moved every ``auto_now`` ``updated_at`` and logged "No fields
changed.")."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, models, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tandem.core.admin import NOTHING_CHANGED, PreciseDateTimes
from tests.people.factories import UserFactory
from tests.untouched import nothing_changes
from tests.web.test_admin_coverage import ADMINS_AND_INLINES, BUILDERS, REGISTERED
from tests.web.untouched import page_forms

pytestmark = pytest.mark.django_db
MICROSECOND = 14061


def _date_time_fields(model) -> list[str]:
    """The moments a save keeps (``auto_now`` ones record the save itself)."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and not field.auto_now
    ]


def _editable(name: str) -> bool:
    """Whether a superuser may save the admin's change page (read-only admins have none)."""
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    return admin.site._registry[apps.get_model(name)].has_change_permission(request)


SAVED_WITH_DATE_TIMES = [
    name for name in REGISTERED if _date_time_fields(apps.get_model(name)) and _editable(name)
]


@pytest.mark.parametrize("key", sorted(ADMINS_AND_INLINES))
def test_every_admin_and_inline_shows_date_times_precisely(key):
    _, model_admin = ADMINS_AND_INLINES[key]
    assert isinstance(model_admin, PreciseDateTimes)


def _change_form_data(html: str) -> dict[str, list[str]]:
    """What the browser posts from the change form (the one form without an action: the
    logout form has one)."""
    (form,) = [form for form in page_forms(html) if form["action"] == ""]
    assert form["rejected"] == []
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    return data


@pytest.mark.parametrize("name", SAVED_WITH_DATE_TIMES)
def test_a_change_page_saved_untouched_keeps_every_moment(client, name):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    row = BUILDERS[name]()
    model = apps.get_model(name)
    fields = _date_time_fields(model)
    stored = model.objects.filter(pk=row.pk)
    moments = stored.values(*fields).get()
    # Every moment set, with microseconds as real ones have: an empty one too where the
    # table's constraints allow it alone (a missed meeting's mark time needs the mark).
    now = timezone.now()
    for field, moment in moments.items():
        try:
            with transaction.atomic():
                stored.update(**{field: (moment or now).replace(microsecond=MICROSECOND)})
        except IntegrityError:
            assert moment is None
    before = stored.values(*fields).get()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, _change_form_data(page.content.decode()))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert stored.values(*fields).get() == before


EDITABLE = [name for name in REGISTERED if _editable(name)]


@pytest.mark.parametrize("name", EDITABLE)
def test_a_change_page_saved_untouched_writes_nothing(client, name):
    """Not even an ``auto_now`` ``updated_at``, nor a "No fields changed." history entry; and
    the page says so instead of "was changed successfully"."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    row = BUILDERS[name]()
    model = apps.get_model(name)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    data = _change_form_data(client.get(url).content.decode())
    with nothing_changes(row):
        response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    assert not LogEntry.objects.exists()
    assert [str(m) for m in response.context["messages"]] == [NOTHING_CHANGED]


def test_a_change_page_saved_with_a_change_says_it_was_changed(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    row = UserFactory()
    url = reverse("admin:people_user_change", args=[row.pk])
    data = _change_form_data(client.get(url).content.decode())
    data["first_name"] = ["Renamed"]
    response = client.post(url, data, follow=True)
    row.refresh_from_db()
    assert row.first_name == "Renamed"
    (message,) = [str(m) for m in response.context["messages"]]
    assert "was changed successfully" in message
