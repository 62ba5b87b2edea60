"""Issue 10 item 7: whether mentees of an admin-matched (cohort) program may send requests
directly is a program setting, on the program form and in the API; saving the form untouched
keeps it; programs from before the setting keep allowing them (migration 0005)."""

import importlib

import pytest
from django.urls import reverse

from tandem.programs.models import MatchingMode, Program
from tests.crawl.html import parse_page
from tests.programs.factories import ProgramFactory, admin_of, member_of, program_creator
from tests.programs.test_api import Api

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tandem.programs.migrations.0005_allow_direct_requests")


def form_data(client, url: str) -> dict[str, str]:
    """What the page's own form at ``url`` sends when submitted untouched (as a browser)."""
    page = parse_page(url, client.get(url).content.decode())
    form = next(f for f in page.forms if f.method == "post" and f.action.endswith(url))
    return dict(form.data(form.submitters[0] if form.submitters else None))


def submit_untouched(client, url: str):
    return client.post(url, form_data(client, url))


def test_existing_programs_keep_direct_requests_and_new_ones_start_without():
    add, alter = migration.Migration.operations
    assert (add.name, add.field.default) == ("allow_direct_requests", True)
    assert alter.field.default is False
    assert Program._meta.get_field("allow_direct_requests").default is False


def test_takes_direct_requests_by_mode_and_setting():
    assert not ProgramFactory(allow_direct_requests=False).takes_direct_requests
    assert ProgramFactory(allow_direct_requests=True).takes_direct_requests
    self_serve = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE, allow_direct_requests=False)
    assert self_serve.takes_direct_requests


def test_a_program_created_on_the_page_starts_without_direct_requests(client):
    client.force_login(program_creator())
    url = reverse("program_create")
    assert "Mentees may also send requests directly" in client.get(url).content.decode()
    data = {**form_data(client, url), "name": "Cohort spring"}
    client.post(url, data)
    assert Program.objects.get(name="Cohort spring").allow_direct_requests is False


@pytest.mark.parametrize("allowed", [True, False])
def test_saving_the_program_form_untouched_keeps_the_setting(client, allowed):
    program = ProgramFactory(allow_direct_requests=allowed)
    client.force_login(admin_of(program))
    response = submit_untouched(client, reverse("program_edit", args=[program.slug]))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.allow_direct_requests is allowed


def test_the_admin_turns_it_on_and_off_on_the_form(client):
    program = ProgramFactory(allow_direct_requests=False)
    client.force_login(admin_of(program))
    url = reverse("program_edit", args=[program.slug])
    data = form_data(client, url)
    client.post(url, {**data, "allow_direct_requests": "on"})
    program.refresh_from_db()
    assert program.allow_direct_requests is True
    data.pop("allow_direct_requests", None)  # an unticked box sends nothing
    client.post(url, data)
    program.refresh_from_db()
    assert program.allow_direct_requests is False


def test_api_reads_and_changes_it(client):
    program = ProgramFactory(allow_direct_requests=False)
    api = Api(client, admin_of(program))
    assert api.get(program.slug).json()["allow_direct_requests"] is False
    response = api.patch(program.slug, {"allow_direct_requests": True})
    assert response.status_code == 200 and response.json()["allow_direct_requests"] is True
    response = api.patch(program.slug, {"name": "Renamed"})  # left out: unchanged
    assert response.json()["allow_direct_requests"] is True
    response = api.patch(program.slug, {"allow_direct_requests": "maybe"})
    assert response.status_code in (400, 422)
    program.refresh_from_db()
    assert program.allow_direct_requests is True


@pytest.mark.parametrize("who", ["participant", "outsider", "anonymous"])
def test_only_its_admins_change_it(client, who):
    program = ProgramFactory(allow_direct_requests=False)
    user = {"participant": member_of(program), "outsider": admin_of(ProgramFactory())}.get(who)
    response = Api(client, user).patch(program.slug, {"allow_direct_requests": True})
    assert response.status_code == (401 if who == "anonymous" else 404)
    program.refresh_from_db()
    assert program.allow_direct_requests is False
