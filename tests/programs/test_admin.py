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


@pytest.mark.django_db
def test_a_program_made_in_the_site_admin_has_its_maker_as_admin(client):
    from tandem.programs.models import EnrolmentStatus, Program, Role
    from tandem.programs.selectors import is_program_admin

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    form = {
        "name": "Made by staff",
        "slug": "made-by-staff",
        "program_type": "classic",
        "matching_mode": "self_serve",
        "default_duration_weeks": "12",
        "default_cadence": "biweekly",
        "default_capacity": "2",
        "max_open_requests": "3",
        "request_expiry_days": "14",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/programs/program/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    program = Program.objects.get(slug="made-by-staff")
    assert program.created_by == staff
    assert is_program_admin(user=staff, program_id=program.pk)
    admin_rows = program.enrolments.filter(role=Role.ADMIN, status=EnrolmentStatus.ACTIVE)
    assert list(admin_rows.values_list("person", flat=True)) == [staff.pk]
    changed = client.post(f"/admin/programs/program/{program.pk}/change/", {**form, "name": "B"})
    assert changed.status_code == 302
    assert program.enrolments.filter(role=Role.ADMIN).count() == 1


@pytest.mark.django_db
def test_an_enrolments_person_program_and_role_cannot_be_changed_in_the_admin(client, program):
    """Toggling a role back and forth would move one person's contribution in and out of
    every figure counted per role (equity by group included); enrol anew instead."""
    from tandem.programs.models import Role

    enrolment = EnrolmentFactory(program=program, role=Role.MENTEE)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/programs/enrolment/{enrolment.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert {"person", "program", "role"}.isdisjoint(form.fields)
    client.post(url, {"role": Role.MENTOR, "status": enrolment.status, "program": 0})
    enrolment.refresh_from_db()
    assert (enrolment.role, enrolment.program_id) == (Role.MENTEE, program.pk)
    assert client.get("/admin/programs/enrolment/add/").context["adminform"].form.fields["role"]


@pytest.mark.django_db
def test_an_import_batch_cannot_be_added_in_the_site_admin(client, program, admin):
    """Only by uploading a file: the add page saved a batch with no program, a 500 on
    PostgreSQL (live crawl: /admin/programs/importbatch/add/ sent as it was shown)."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/programs/importbatch/add/").status_code == 403
    response = client.post("/admin/programs/importbatch/add/", {"revision": "1"})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
    assert "importbatch/add/" not in client.get("/admin/programs/importbatch/").content.decode()
