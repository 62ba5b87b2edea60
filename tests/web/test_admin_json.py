"""A JSON box of the site admin takes only what both databases store (live crawl on
PostgreSQL): a NUL typed as an escape (``\\u0000``) passed the request guard and PostgreSQL's
jsonb refused it with a 500 (SQLite stored it); ``1e400`` read as infinity, which neither
database takes (a 500 on both), and so did text nested too deeply for the decoder. Each is now
an error on its field, and nothing is written."""

from __future__ import annotations

import pytest

from tandem.core.middleware import NUL_NOT_ALLOWED
from tests.people.factories import UserFactory
from tests.programs.factories import ProgramFactory
from tests.untouched import nothing_changes, untouched_data

pytestmark = pytest.mark.django_db
INVALID = "Enter a valid JSON."


@pytest.mark.parametrize(
    ("weights", "error"),
    [
        ('{"skills": "a\\u0000b"}', NUL_NOT_ALLOWED),
        ('{"a\\u0000": 1}', NUL_NOT_ALLOWED),
        ('{"skills": "a\\u0007"}', "U+0007"),
        ('{"skills": 1e400}', INVALID),
        ('{"skills": NaN}', INVALID),
        ('{"skills": -Infinity}', INVALID),
        ("[" * 100_000 + "]" * 100_000, INVALID),
        ('{"skills": ' + "9" * 5000 + "}", INVALID),
    ],
)
def test_a_json_box_refuses_what_no_database_stores(client, weights, error):
    program = ProgramFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = f"/admin/programs/program/{program.pk}/change/"
    data = untouched_data(client, page, page)
    data["weights"] = [weights]
    with nothing_changes(program):
        response = client.post(page, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["weights"]
    assert error in str(errors["weights"])


def test_a_json_box_still_saves_json(client):
    program = ProgramFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = f"/admin/programs/program/{program.pk}/change/"
    data = untouched_data(client, page, page)
    data["weights"] = ['{"skills": 2.5, "note": "tab\\tok"}']
    assert client.post(page, data).status_code == 302
    program.refresh_from_db()
    assert program.weights == {"skills": 2.5, "note": "tab\tok"}


def _preference_page(client):
    from tandem.notify.models import NotificationPreference

    preference = NotificationPreference.objects.create(
        user=UserFactory(), email_kinds=["meeting", "message_unread"]
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = f"/admin/notify/notificationpreference/{preference.pk}/change/"
    return preference, page, untouched_data(client, page, page)


def test_an_emptied_json_box_that_cannot_be_null_saves_its_default(client):
    """Saved as NULL, the emptied email kinds were a 500 on both databases (live crawl on
    PostgreSQL: /admin/notify/notificationpreference/<id>/change/ with email_kinds empty)."""
    preference, page, data = _preference_page(client)
    data["email_kinds"] = [""]
    assert client.post(page, data).status_code == 302
    preference.refresh_from_db()
    assert preference.email_kinds == []


def test_null_in_a_json_box_that_cannot_be_null_is_an_error_on_it(client):
    from tandem.core.admin import NULL_REFUSED

    preference, page, data = _preference_page(client)
    data["email_kinds"] = ["null"]
    with nothing_changes(preference):
        response = client.post(page, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["email_kinds"] and NULL_REFUSED in str(errors["email_kinds"])
