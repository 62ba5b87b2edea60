"""People API through real HTTP: every endpoint's permissions, errors and query bounds."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.core.body_limit import request_too_large_message
from tandem.people.auth import CSRF_MISSING, NOT_AUTHENTICATED, TOKEN_INVALID
from tandem.people.models import ApiToken, Identity, Profile
from tandem.people.services import api_token_create, identity_set
from tandem.people.services.tokens import TOKEN_FROM_TOKEN
from tests.people.factories import ProfileFactory, SkillFactory, UserFactory
from tests.programs.factories import ProgramFactory, enrol

pytestmark = pytest.mark.django_db

BASE = "/api/people"


def bearer(user) -> dict:
    _, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def world():
    owner = ProfileFactory(headline="Owner").user
    identity_set(user=owner, attributes=["Secret attribute"], consent=True)
    program, other_program = ProgramFactory(), ProgramFactory()
    enrol(owner, program, "mentee")
    peer = UserFactory()
    enrol(peer, program, "mentor")
    admin = UserFactory()
    enrol(admin, program, "admin")
    stranger = UserFactory()
    enrol(stranger, other_program, "mentee")
    return {"owner": owner, "peer": peer, "admin": admin, "stranger": stranger}


ENDPOINTS = [
    ("get", "/me", None),
    ("patch", "/me", {"city": "X"}),
    ("get", "/me/identity", None),
    ("put", "/me/identity", {"attributes": [], "consent": True}),
    ("delete", "/me/identity", None),
    ("get", "/me/tokens", None),
    ("post", "/me/tokens", {"name": "x"}),
    ("delete", "/me/tokens/1", None),
    ("get", "/skills?q=py", None),
    ("get", "/1", None),
]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_anonymous_gets_401_everywhere(client, method, path, body):
    response = getattr(client, method)(BASE + path, data=body, content_type="application/json")
    assert response.status_code == 401


def test_revoked_or_unknown_token_is_401(client):
    user = UserFactory()
    token, secret = api_token_create(user=user, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(BASE + "/me", **headers).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    client.delete(f"{BASE}/me/tokens/{token.pk}", **headers)
    assert client.get(BASE + "/me", **headers).status_code == 401
    assert client.get(BASE + "/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_inactive_user_token_is_401(client):
    user = UserFactory()
    headers = bearer(user)
    user.is_active = False
    user.save()
    assert client.get(BASE + "/me", **headers).status_code == 401


def test_invalid_token_on_a_write_is_401_not_a_csrf_403():
    """Issue 8: a bad token used to fall through to the cookie check and fail CSRF (403)."""
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.patch(
        BASE + "/me",
        data={"city": "X"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer tdm_not-a-token",
    )
    assert response.status_code == 401
    assert response.json() == {"detail": TOKEN_INVALID, "fields": {}}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_invalid_token_is_401_even_beside_a_valid_session(client):
    """A request that presents a token is judged by it, never by a cookie it also carries."""
    user = ProfileFactory(city="Before").user
    client.force_login(user)
    response = client.patch(
        BASE + "/me",
        data={"city": "After"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer tdm_not-a-token",
    )
    assert response.status_code == 401
    assert Profile.objects.get(user=user).city == "Before"


def test_no_credentials_is_401_in_the_shared_error_body(client):
    response = client.get(BASE + "/me")
    assert response.status_code == 401
    assert response.json() == {"detail": NOT_AUTHENTICATED, "fields": {}}


def test_oversized_json_body_is_a_json_413(client, settings):
    settings.MAX_REQUEST_BYTES = 1_000
    user = ProfileFactory(bio="Before").user
    response = client.patch(
        BASE + "/me", data={"bio": "x" * 2_000}, content_type="application/json", **bearer(user)
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": request_too_large_message(1_000), "fields": {}}
    assert Profile.objects.get(user=user).bio == "Before"


def test_errors_these_endpoints_answer_are_in_the_schema(client):
    schema = client.get("/api/openapi.json").json()
    for path, method in [("/api/people/me", "patch"), ("/api/people/me/tokens", "post")]:
        documented = set(schema["paths"][path][method]["responses"])
        assert {"401", "413", "422"} <= documented, (path, method, documented)


def test_session_writes_need_csrf():
    """The refusal says what to send: a live API fuzz read ninja's bare "CSRF check Failed"."""
    user = UserFactory()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    assert csrf_client.get(BASE + "/me").status_code == 200
    response = csrf_client.patch(BASE + "/me", data={"city": "X"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": CSRF_MISSING, "fields": {}}
    assert "X-CSRFToken" in CSRF_MISSING
    token = "a" * 32  # a CSRF secret the client holds as its cookie and sends back
    csrf_client.cookies["csrftoken"] = token
    response = csrf_client.patch(
        BASE + "/me", data={"city": "X"}, content_type="application/json", HTTP_X_CSRFTOKEN="b" * 32
    )
    assert (response.status_code, response.json()["detail"]) == (403, CSRF_MISSING)
    response = csrf_client.patch(
        BASE + "/me", data={"city": "X"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200, response.content


class TestMe:
    def test_get_own_profile(self, client, django_assert_max_num_queries):
        SkillFactory(name="Python", slug="python")
        user = ProfileFactory(timezone="UTC").user
        client.force_login(user)
        client.patch(
            BASE + "/me",
            data={"skills_offered": ["python"], "availability": ["Mon 09:00-10:00"]},
            content_type="application/json",
        )
        with django_assert_max_num_queries(8):
            data = client.get(BASE + "/me").json()
        assert data["email"] == user.email
        assert data["email_verified"] is False
        assert data["skills_offered"] == ["python"]  # as typed, not the row's "Python"
        assert data["availability"] == ["Mon 09:00-10:00"]
        assert data["availability_utc"] == [[540, 600]]
        assert "identity" not in data and "attributes" not in data
        assert 0 < data["completeness"] < 100

    def test_get_creates_missing_profile(self, client):
        user = UserFactory()
        client.force_login(user)
        assert client.get(BASE + "/me").status_code == 200
        assert Profile.objects.filter(user=user).exists()

    def test_patch_saves_given_fields_only(self, client):
        user = ProfileFactory(headline="Keep", city="Paris").user
        manager = UserFactory(email="boss@example.org")
        response = client.patch(
            BASE + "/me",
            data={
                "city": "Lyon",
                "timezone": "America/New_York",
                "languages": ["es"],
                "availability": ["Tue 18:00-20:00", "Tue 19:00-21:00"],
                "cadence": "weekly",
                "working_style": {"pace": 2},
                "manager_email": "boss@example.org",
                "seniority": 3,
                "skills_wanted": ["Go"],
            },
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["headline"] == "Keep"
        assert data["city"] == "Lyon"
        assert data["availability"] == ["Tue 18:00-21:00"]
        assert data["manager_email"] == manager.email
        assert data["working_style"] == {"pace": 2}

    def test_patch_invalid_fields_400_and_nothing_written(self, client):
        user = ProfileFactory(city="Paris").user
        response = client.patch(
            BASE + "/me",
            data={
                "city": "Lyon",
                "timezone": "Nowhere/City",
                "availability": ["Mon 9"],
                "languages": ["xx"],
            },
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"timezone", "availability", "languages"}
        assert Profile.objects.get(user=user).city == "Paris"

    def test_patch_wrong_types_422_with_fields(self, client):
        user = ProfileFactory().user
        response = client.patch(
            BASE + "/me",
            data={"seniority": "senior", "languages": "en"},
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code == 422
        assert {"seniority", "languages"} <= set(response.json()["fields"])


class TestIdentity:
    def test_owner_round_trip(self, client):
        user = UserFactory()
        headers = bearer(user)
        assert client.get(BASE + "/me/identity", **headers).status_code == 404
        response = client.put(
            BASE + "/me/identity",
            data={"attributes": ["Parent"], "consent": True},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 200
        data = client.get(BASE + "/me/identity", **headers).json()
        assert data["attributes"] == ["Parent"] and set(data) == {"attributes", "consented_at"}
        assert client.delete(BASE + "/me/identity", **headers).status_code == 204
        assert not Identity.objects.exists()
        assert client.delete(BASE + "/me/identity", **headers).status_code == 204

    def test_put_without_consent_is_400(self, client):
        user = UserFactory()
        response = client.put(
            BASE + "/me/identity",
            data={"attributes": ["Parent"], "consent": False},
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code == 400
        assert "consent" in response.json()["fields"]
        assert not Identity.objects.exists()

    def test_each_person_sees_only_their_own(self, client, world):
        response = client.get(BASE + "/me/identity", **bearer(world["peer"]))
        assert response.status_code == 404
        assert "Secret attribute" not in response.content.decode()


class TestProfileOfOthers:
    def test_other_program_member_404(self, client, world):
        response = client.get(f"{BASE}/{world['owner'].pk}", **bearer(world["stranger"]))
        assert response.status_code == 404

    @pytest.mark.parametrize("viewer", ["peer", "admin", "owner"])
    def test_visible_without_identity(self, client, world, viewer, django_assert_max_num_queries):
        headers = bearer(world[viewer])
        with django_assert_max_num_queries(9):
            response = client.get(f"{BASE}/{world['owner'].pk}", **headers)
        assert response.status_code == 200
        body = response.content.decode()
        assert response.json()["headline"] == "Owner"
        assert "Secret attribute" not in body and "prefer_shared" not in body
        assert "email" not in response.json()

    def test_paused_counts_removed_does_not(self, client, world):
        world["peer"].enrolments.update(status="paused")
        assert client.get(f"{BASE}/{world['owner'].pk}", **bearer(world["peer"])).status_code == 200
        world["peer"].enrolments.update(status="removed")
        assert client.get(f"{BASE}/{world['owner'].pk}", **bearer(world["peer"])).status_code == 404

    def test_missing_is_404(self, client, world):
        assert client.get(f"{BASE}/987654", **bearer(world["peer"])).status_code == 404


class TestSkills:
    def test_search_prefix_first_and_paginated(self, client, django_assert_max_num_queries):
        for name in ["Python", "Cython", "Thrift", "Rust"] + [f"Py{i:02d}" for i in range(25)]:
            SkillFactory(name=name, slug=name.lower())
        headers = bearer(UserFactory())
        with django_assert_max_num_queries(5):
            data = client.get(BASE + "/skills?q=th", **headers).json()
        assert [s["name"] for s in data["items"]] == ["Thrift", "Cython", "Python"]
        data = client.get(BASE + "/skills?q=PY", **headers).json()
        assert data["count"] == 26
        assert len(data["items"]) == 20
        page2 = client.get(BASE + "/skills?q=py&page=2", **headers).json()
        assert len(page2["items"]) == 6
        assert page2["items"][-1]["name"] == "Python"


class TestTokens:
    def test_create_list_revoke(self, client, django_assert_max_num_queries):
        user = UserFactory()
        client.force_login(user)
        response = client.post(
            BASE + "/me/tokens", data={"name": "ci"}, content_type="application/json"
        )
        assert response.status_code == 201
        created = response.json()
        assert created["secret"].startswith(created["prefix"])
        for i in range(3):
            api_token_create(user=user, name=f"t{i}")
        with django_assert_max_num_queries(6):
            listing = client.get(BASE + "/me/tokens").json()
        assert listing["count"] == 4
        assert all("secret" not in t and "key_hash" not in t for t in listing["items"])
        # The new token authenticates, then stops after revoke.
        headers = {"HTTP_AUTHORIZATION": f"Bearer {created['secret']}"}
        assert client.get(BASE + "/me", **headers).status_code == 200
        assert client.delete(f"{BASE}/me/tokens/{created['id']}").status_code == 204
        anonymous = Client()
        assert anonymous.get(BASE + "/me", **headers).status_code == 401

    def test_a_token_cannot_create_tokens(self, client):
        """A leaked token minted others that outlived its revocation."""
        user = UserFactory()
        client.force_login(user)  # a session beside it does not make the token's request one
        token, secret = api_token_create(user=user, name="leaked")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        response = client.post(
            BASE + "/me/tokens", data={"name": "more"}, content_type="application/json", **headers
        )
        assert response.status_code == 403
        assert response.json() == {"detail": TOKEN_FROM_TOKEN, "fields": {}}
        assert list(ApiToken.objects.filter(user=user)) == [token]
        # It can still revoke itself; then nothing it did survives.
        assert client.delete(f"{BASE}/me/tokens/{token.pk}", **headers).status_code == 204
        assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()

    def test_cannot_see_or_revoke_others_tokens(self, client):
        other_token, _ = api_token_create(user=UserFactory(), name="theirs")
        user = UserFactory()
        headers = bearer(user)
        listing = client.get(BASE + "/me/tokens", **headers).json()
        assert [t["name"] for t in listing["items"]] == ["test"]
        response = client.delete(f"{BASE}/me/tokens/{other_token.pk}", **headers)
        assert response.status_code == 404
        assert ApiToken.objects.get(pk=other_token.pk).revoked_at is None

    def test_blank_name_400(self, client):
        client.force_login(UserFactory())
        response = client.post(
            BASE + "/me/tokens", data={"name": " "}, content_type="application/json"
        )
        assert response.status_code == 400
        assert "name" in response.json()["fields"]


def test_openapi_schema_of_people_router_builds():
    """Every people operation documents itself; the profile of others never has identity."""
    from tandem.api import api

    router = dict(api._routers)["/people/"]
    for path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            assert operation.view_func.__doc__, path
            for model in operation.models:
                assert model.model_json_schema()
    profile_op = router.path_operations["/{user_id}"].operations[0]
    assert "attributes" not in str(profile_op.response_models)


def test_openapi_document_lists_people_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    paths = {path for path in schema["paths"] if path.startswith("/api/people/")}
    assert {
        "/api/people/me",
        "/api/people/me/identity",
        "/api/people/me/tokens",
        "/api/people/me/tokens/{token_id}",
        "/api/people/skills",
        "/api/people/{user_id}",
    } <= paths
    assert "Identity" not in str(schema["paths"]["/api/people/{user_id}"])
