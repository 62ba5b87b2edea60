"""Issue 8, item 7: every write checks permission before changing anything.

A refused call must leave every row as it was, not only answer 4xx: the capacity endpoint
used to save the new capacity and only then notice the enrolment belonged to another program.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

import tandem
from tandem.people.models import ApiToken
from tandem.programs.models import Enrolment, Invitation
from tests.programs.factories import (
    EnrolmentFactory,
    InvitationFactory,
    ProgramFactory,
    UserFactory,
    member_of,
)
from tests.programs.test_api import Api, call, endpoints, setup  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

# Using a token stamps ``last_used_at``; that is bookkeeping, not a change the caller asked for.
IGNORED_FIELDS = {ApiToken: {"last_used_at"}}


def database_snapshot() -> dict:
    snapshot = {}
    for model in apps.get_models():
        if not model.__module__.startswith("tandem."):
            continue
        ignored = IGNORED_FIELDS.get(model, set())
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ignored]
        snapshot[model._meta.label] = sorted(
            model.objects.order_by("pk").values_list(*names), key=repr
        )
    return snapshot


def test_capacity_through_another_programs_slug_leaves_the_row_unchanged(client):
    """The mentor may change their own capacity, but only through their program's URL."""
    mentoring_in, member_of_other = ProgramFactory(), ProgramFactory()
    enrolment = EnrolmentFactory(program=mentoring_in, role="mentor", capacity=2)
    EnrolmentFactory(program=member_of_other, person=enrolment.person, role="mentee")
    api = Api(client, enrolment.person)

    response = api.post(
        f"{member_of_other.slug}/participants/{enrolment.pk}/capacity", {"capacity": 5}
    )

    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.capacity == 2


@pytest.mark.parametrize("who", ["outsider", "participant", "admin_of_other"])
def test_refused_program_writes_change_no_row(client, program, setup, who):  # noqa: F811
    user = {
        "outsider": UserFactory,
        "participant": lambda: member_of(program, role="mentor"),
        "admin_of_other": lambda: EnrolmentFactory(program=ProgramFactory(), role="admin").person,
    }[who]()
    api = Api(client, user)
    writes = [e for e in endpoints(program, setup) if e[0] != "get"]
    before = database_snapshot()
    for method, path, data in writes:
        response = call(api, method, path, data)
        assert response.status_code == 404, (method, path, response.content)
    assert database_snapshot() == before
    assert Enrolment.objects.get(pk=setup["enrolment"].pk).status == "pending"


@pytest.fixture
def admin_of_two(client):
    """An admin of two programs, on the pages of the first, aiming at rows of the second."""
    mine, other = ProgramFactory(), ProgramFactory()
    admin = EnrolmentFactory(program=mine, role="admin").person
    EnrolmentFactory(program=other, person=admin, role="admin")
    client.force_login(admin)
    return mine, other


def test_participant_action_through_another_programs_page_changes_nothing(client, admin_of_two):
    mine, other = admin_of_two
    pending = EnrolmentFactory(program=other, status="pending")
    url = reverse("program_participant_action", args=[mine.slug, pending.pk, "approve"])
    assert client.post(url).status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_invitation_revoke_through_another_programs_page_changes_nothing(client, admin_of_two):
    mine, other = admin_of_two
    invitation = InvitationFactory(program=other)
    url = reverse("program_invitation_revoke", args=[mine.slug, invitation.pk])
    assert client.post(url).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def checks_after_a_write(source: str) -> list[tuple[str, int]]:
    """(handler, line) of each ``raise`` or ``access_*`` call that follows a ``services.`` call
    in the same page or API handler (exception translation in ``except`` blocks aside)."""
    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        handled = {
            id(node)
            for handler in ast.walk(func)
            if isinstance(handler, ast.ExceptHandler)
            for node in ast.walk(handler)
        }
        writes = [
            node.lineno
            for node in ast.walk(func)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "services"
        ]
        for node in ast.walk(func):
            if not writes or id(node) in handled or getattr(node, "lineno", 0) <= min(writes):
                continue
            called = getattr(getattr(node, "func", None), "attr", None) or getattr(
                getattr(node, "func", None), "id", ""
            )
            if isinstance(node, ast.Raise) or (
                isinstance(node, ast.Call) and str(called).startswith("access_")
            ):
                found.append((func.name, node.lineno))
    return found


def test_the_scan_finds_a_check_after_a_write():
    handler = (
        "def capacity(request, slug):\n"
        "    enrolment = services.enrolment_update_capacity(user=request.user)\n"
        "    if enrolment.program.slug != slug:\n"
        "        raise NotFound('x')\n"
    )
    assert checks_after_a_write(handler) == [("capacity", 4)]


def test_no_handler_checks_permission_after_writing():
    """The class of item 7: every page and API handler checks before its service writes."""
    root = Path(tandem.__file__).parent
    handlers = sorted({*root.rglob("api.py"), *root.rglob("views.py"), *root.rglob("views/*.py")})
    found = [
        f"{path.relative_to(root)}:{line} {name}"
        for path in handlers
        for name, line in checks_after_a_write(path.read_text())
    ]
    assert handlers and not found, found


def test_unknown_action_on_another_programs_enrolment_is_404(client, admin_of_two):
    mine, other = admin_of_two
    pending = EnrolmentFactory(program=other, status="pending")
    url = reverse("program_participant_action", args=[mine.slug, pending.pk, "ban"])
    assert client.post(url).status_code == 404


def test_the_changed_endpoints_document_their_errors(client):
    schema = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/programs/{slug}/participants/{enrolment_id}/capacity",
        "/api/programs/{slug}/participants/{enrolment_id}/status",
        "/api/programs/{slug}/invitations/{invitation_id}/revoke",
    ):
        documented = set(schema[path]["post"]["responses"])
        assert {"200", "401", "404", "413", "422"} <= documented, (path, documented)
