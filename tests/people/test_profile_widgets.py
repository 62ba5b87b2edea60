"""Issue 10 item 12: the profile's languages are a checkbox list (no Ctrl-click; the filter and
chips are script on top, see tests/e2e/test_phone_widths.py), and the manager is picked among
the people the person can see or typed as a name and email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.people import services
from tandem.people.forms import MANAGER_TWO_WAYS, ProfileForm
from tandem.people.models import Profile
from tandem.programs.models import EnrolmentStatus, Role
from tests.people.factories import ProfileFactory, UserFactory
from tests.people.test_api import bearer
from tests.programs.factories import ProgramFactory, enrol

pytestmark = pytest.mark.django_db

SUGGEST = reverse("manager_suggest")


def _person(program, first_name, last_name, *, role=Role.MENTEE, status=EnrolmentStatus.ACTIVE):
    profile = ProfileFactory(
        user=UserFactory(first_name=first_name, last_name=last_name), department="Finance"
    )
    enrol(profile.user, program, role=role, status=status)
    return profile.user


@pytest.fixture
def program():
    return ProgramFactory()


@pytest.fixture
def me(program):
    return _person(program, "Mia", "Mentee")


def _untouched_post(client) -> dict:
    """The profile form as the browser would send it untouched."""
    form = client.get(reverse("profile_edit")).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value not in (None, "", []):
            data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


class TestLanguagesWidget:
    def test_is_a_checkbox_list_with_a_filter_for_script(self, client, me):
        client.force_login(me)
        page = client.get(reverse("profile_edit")).content.decode()
        assert '<select name="languages"' not in page and "Ctrl" not in page
        assert 'type="checkbox" name="languages" value="en"' in page
        assert "data-checkbox-filter" in page and 'aria-live="polite"' in page
        assert '<legend class="label">Languages' in page

    def test_ticked_boxes_save_without_script(self, client, me):
        client.force_login(me)
        data = _untouched_post(client) | {"languages": ["pt", "en"]}
        response = client.post(reverse("profile_edit"), data)
        assert response.status_code == 302
        assert sorted(Profile.objects.get(user=me).languages) == ["en", "pt"]

    def test_unknown_code_is_a_form_error(self, client, me):
        client.force_login(me)
        response = client.post(
            reverse("profile_edit"), _untouched_post(client) | {"languages": ["xx"]}
        )
        assert response.status_code == 400
        assert "languages" in response.context["form"].errors


class TestManagerChoice:
    def test_picked_among_visible_people(self, client, program, me):
        boss = _person(program, "Bea", "Boss", role=Role.MENTOR)
        client.force_login(me)
        data = _untouched_post(client) | {"manager": str(boss.pk)}
        assert client.post(reverse("profile_edit"), data).status_code == 302
        profile = Profile.objects.get(user=me)
        assert (profile.manager, profile.manager_email, profile.manager_name) == (boss, "", "")
        page = client.get(reverse("profile_edit")).content.decode()
        assert f'name="manager" value="{boss.pk}" checked' in page and "Bea Boss" in page
        assert boss.email not in page

    def test_picked_manager_survives_an_untouched_save(self, client, program, me):
        boss = _person(program, "Bea", "Boss")
        services.profile_update(profile=me.profile, actor=me, manager=boss.pk)
        client.force_login(me)
        assert client.post(reverse("profile_edit"), _untouched_post(client)).status_code == 302
        assert Profile.objects.get(user=me).manager == boss

    def test_unticking_clears_the_manager(self, client, program, me):
        boss = _person(program, "Bea", "Boss")
        services.profile_update(profile=me.profile, actor=me, manager=boss.pk)
        client.force_login(me)
        data = _untouched_post(client)
        data.pop("manager")
        assert client.post(reverse("profile_edit"), data).status_code == 302
        assert Profile.objects.get(user=me).manager is None

    @pytest.mark.parametrize("who", ["another program's person", "no such account", "myself"])
    def test_refuses_anyone_not_offered(self, program, me, who):
        other = _person(ProgramFactory(), "Olga", "Other")
        manager_id = {
            "another program's person": other.pk,
            "no such account": other.pk + 1000,
            "myself": me.pk,
        }[who]
        with pytest.raises(ApplicationError) as error:
            services.profile_update(profile=me.profile, actor=me, manager=manager_id)
        expected = services.MANAGER_SELF if who == "myself" else services.MANAGER_NOT_CHOSEN
        assert error.value.fields == {"manager": expected}
        assert Profile.objects.get(user=me).manager is None

    def test_typed_name_and_email_for_someone_not_in_tandem(self, me):
        services.profile_update(
            profile=me.profile, actor=me, manager_name=" Nora  Nobody ", manager_email="N@x.org"
        )
        profile = Profile.objects.get(user=me)
        assert (profile.manager_name, profile.manager_email, profile.manager) == (
            "Nora Nobody",
            "n@x.org",
            None,
        )

    def test_a_name_needs_an_email(self, me):
        with pytest.raises(ApplicationError) as error:
            services.profile_update(profile=me.profile, actor=me, manager_name="Nora")
        assert error.value.fields == {"manager_email": services.MANAGER_EMAIL_NEEDED}

    def test_one_way_at_a_time(self, program, me):
        boss = _person(program, "Bea", "Boss")
        form = ProfileForm(
            data={"timezone": "UTC", "meeting_format": "any", "manager": str(boss.pk)}
            | {"manager_email": "n@x.org"}
        )
        assert not form.is_valid()
        assert form.errors["manager_email"] == [MANAGER_TWO_WAYS]


class TestManagerSuggest:
    def test_anonymous_is_sent_to_log_in(self, client):
        response = client.get(SUGGEST, {"q": "Bea"})
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_finds_only_people_the_viewer_can_see_without_emails(self, client, program, me):
        boss = _person(program, "Bea", "Boss")
        _person(ProgramFactory(), "Bea", "Elsewhere")
        _person(program, "Bea", "Pending", status=EnrolmentStatus.PENDING)
        client.force_login(me)
        response = client.get(SUGGEST, {"q": "bea"})
        page = response.content.decode()
        assert response.status_code == 200
        assert f'data-pick-manager="{boss.pk}"' in page and "Bea Boss" in page
        assert "Elsewhere" not in page and "Pending" not in page
        assert "@" not in page

    def test_every_word_must_match_and_two_letters_are_needed(self, client, program, me):
        _person(program, "Bea", "Boss")
        _person(program, "Bea", "Other")
        client.force_login(me)
        assert "Other" not in client.get(SUGGEST, {"q": "bea bo"}).content.decode()
        short = client.get(SUGGEST, {"q": "b"}).content.decode()
        assert "data-pick-manager" not in short and "at least 2 letters" in short

    def test_a_participant_of_another_program_sees_nobody_from_this_one(self, client, program):
        _person(program, "Bea", "Boss")
        outsider = _person(ProgramFactory(), "Olga", "Other")
        client.force_login(outsider)
        page = client.get(SUGGEST, {"q": "Bea"}).content.decode()
        assert "data-pick-manager" not in page and "Nobody in your programs" in page

    def test_at_most_ten_and_never_oneself(self, client, program, me):
        for n in range(12):
            _person(program, "Mia", f"Colleague{n}")
        client.force_login(me)
        page = client.get(SUGGEST, {"q": "Mia"}).content.decode()
        assert page.count("data-pick-manager") == 10
        assert f'data-pick-manager="{me.pk}"' not in page

    def test_is_rate_limited(self, client, settings, program, me):
        settings.LOOKUP_RATE_LIMIT = 2
        client.force_login(me)
        statuses = [client.get(SUGGEST, {"q": "Bea"}).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]


class TestManagerInTheApi:
    def test_a_chosen_manager_shows_by_name_never_by_email(self, client, program, me):
        boss = _person(program, "Bea", "Boss")
        services.profile_update(profile=me.profile, actor=me, manager=boss.pk)
        response = client.get("/api/people/me", **bearer(me))
        assert response.status_code == 200
        data = response.json()
        assert (data["manager_email"], data["manager_name"]) == (None, "Bea Boss")
        assert boss.email not in response.content.decode()

    def test_name_and_email_are_written_together(self, client, me):
        response = client.patch(
            "/api/people/me",
            data={"manager_name": "Nora Nobody", "manager_email": "nora@x.org"},
            content_type="application/json",
            **bearer(me),
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["manager_name"], response.json()["manager_email"]) == (
            "Nora Nobody",
            "nora@x.org",
        )
