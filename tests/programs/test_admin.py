import pytest

from tandem.programs.models import ImportBatch
from tests.programs.factories import EnrolmentFactory, InvitationFactory, UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["program", "enrolment", "invitation", "importbatch"])
def test_admin_screens(client, program, admin, model):
    EnrolmentFactory(program=program)
    invitation = InvitationFactory(program=program)
    batch = ImportBatch.objects.create(
        program=program, uploaded_by=admin, filename="a.csv", content=b"x", report={"ok": True}
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    objects = {
        "program": program,
        "enrolment": program.enrolments.first(),
        "invitation": invitation,
        "importbatch": batch,
    }
    assert client.get(f"/admin/programs/{model}/").status_code == 200
    assert client.get(f"/admin/programs/{model}/?q=example").status_code == 200
    assert client.get(f"/admin/programs/{model}/{objects[model].pk}/change/").status_code == 200
