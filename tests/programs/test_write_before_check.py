"""Issue 8, item 7: every write checks permission before changing anything.

A refused call must leave every row as it was, not only answer 4xx: the capacity endpoint
used to save the new capacity and only then notice the enrolment belonged to another program.
"""

import pytest
from django.apps import apps

from tandem.people.models import ApiToken
from tandem.programs.models import Enrolment
from tests.programs.factories import EnrolmentFactory, ProgramFactory, UserFactory, member_of
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
