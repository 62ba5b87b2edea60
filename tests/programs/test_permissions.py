"""The program-admin rule and ``access_program`` per role: one rule for every page, endpoint and
service; missing and forbidden answer the same; a read never locks."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, PermissionDenied
from tandem.core.locking import LOCK_OUTSIDE_TRANSACTION
from tandem.programs import selectors, services
from tandem.programs.imports import services as import_services
from tandem.programs.models import EnrolmentStatus, ImportBatch, ImportStatus, Role
from tandem.programs.selectors import ProgramAccess, access_program, is_program_admin
from tests.programs.factories import (
    InvitationFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
    enrol,
    member_of,
)
from tests.programs.test_import import ANA, BO, csv_bytes

ADMINS = {"program admin"}
ROLES = [
    "program admin",
    "admin of another program",
    "staff",
    "superuser",
    "inactive admin",
    "paused admin",
    "participant",
    "anonymous",
]


@pytest.fixture
def cast(program):
    inactive = admin_of(program)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    superuser = UserFactory(is_staff=True, is_superuser=True)
    return {
        "program admin": admin_of(program),
        "admin of another program": admin_of(ProgramFactory()),
        "staff": UserFactory(is_staff=True),
        "superuser": superuser,
        "inactive admin": inactive,
        "paused admin": member_of(program, Role.ADMIN, status=EnrolmentStatus.PAUSED),
        "participant": member_of(program, Role.MENTEE),
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_is_program_admin(program, cast, role):
    assert is_program_admin(user=cast[role], program_id=program.pk) is (role in ADMINS)


@pytest.mark.parametrize("role", ROLES)
def test_access_program_for_admins(program, cast, role):
    if role in ADMINS:
        assert access_program(user=cast[role], slug=program.slug, need=ProgramAccess.ADMIN)
        return
    with pytest.raises(NotFound) as refused:
        access_program(user=cast[role], slug=program.slug, need=ProgramAccess.ADMIN)
    with pytest.raises(NotFound) as missing:
        access_program(user=cast[role], slug="no-such-program", need=ProgramAccess.ADMIN)
    assert refused.value.message == missing.value.message


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_and_endpoints_follow_the_rule(client, program, cast, role):
    if role != "anonymous":
        client.force_login(cast[role])
    page, endpoint = (200, 200) if role in ADMINS else (404, 404)
    if role in ("anonymous", "inactive admin"):  # a deactivated account's session is refused
        page, endpoint = 302, 401  # sent to log in; told to authenticate
    assert client.get(reverse("program_participants", args=[program.slug])).status_code == page
    assert client.get(reverse("match_run_list", args=[program.slug])).status_code == page
    for url in (
        f"/api/programs/{program.slug}/participants",
        f"/api/match-runs/{program.slug}/runs",
    ):
        assert client.get(url).status_code == endpoint, url


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_menu_lists_the_program_to_its_admins_only(program, cast, role):
    listed = selectors.program_list_administered_by(user=cast[role])
    assert (program in listed) is (role in ADMINS)


@pytest.mark.parametrize(
    ("status", "role", "granted"),
    [
        (EnrolmentStatus.PENDING, Role.MENTEE, {ProgramAccess.VIEW}),
        (
            EnrolmentStatus.ACTIVE,
            Role.MENTEE,
            {ProgramAccess.VIEW, ProgramAccess.MEMBER, ProgramAccess.ACTIVE, ProgramAccess.MENTEE},
        ),
        (
            EnrolmentStatus.ACTIVE,
            Role.MENTOR,
            {ProgramAccess.VIEW, ProgramAccess.MEMBER, ProgramAccess.ACTIVE},
        ),
        (EnrolmentStatus.PAUSED, Role.MENTEE, {ProgramAccess.VIEW, ProgramAccess.MEMBER}),
        (EnrolmentStatus.REMOVED, Role.MENTEE, set()),
    ],
)
def test_each_level_names_the_enrolment_that_grants_it(program, status, role, granted):
    user = member_of(program, role, status=status)
    for need in ProgramAccess:
        if need in granted:
            assert access_program(user=user, program_id=program.pk, need=need) == program
        elif need == ProgramAccess.MENTEE and ProgramAccess.MEMBER in granted:
            with pytest.raises(PermissionDenied):  # a member in another role is told why
                access_program(user=user, program_id=program.pk, need=need)
        else:
            with pytest.raises(NotFound):
                access_program(user=user, program_id=program.pk, need=need)


def test_an_archived_program_takes_no_new_requests(program):
    user = member_of(program)
    program.archived_at = timezone.now()
    program.save(update_fields=["archived_at"])
    assert access_program(user=user, program_id=program.pk, need=ProgramAccess.MEMBER)
    with pytest.raises(NotFound):
        access_program(user=user, program_id=program.pk, need=ProgramAccess.ACTIVE)


@pytest.fixture
def targets(program):
    """One object of the program for each kind of write."""
    return {
        "participant": enrol(UserFactory(), program),
        "mentor": enrol(UserFactory(), program, Role.MENTOR),
        "invitation": InvitationFactory(program=program),
        "batch": ImportBatch.objects.create(
            program=program,
            filename="a.csv",
            content=csv_bytes(BO),
            report={},
            status=ImportStatus.PREVIEWED,
        ),
    }


def _unchanged(program, targets) -> bool:
    """Whether none of the writes below left a trace."""
    for name in ("participant", "mentor", "invitation", "batch"):
        targets[name].refresh_from_db()
    program.refresh_from_db()
    return (
        program.name != "Renamed"
        and targets["participant"].status == EnrolmentStatus.ACTIVE
        and targets["mentor"].capacity is None
        and targets["invitation"].revoked_at is None
        and program.invitations.count() == 1
        and targets["batch"].status == ImportStatus.PREVIEWED
        and program.import_batches.count() == 1
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_write_service_follows_the_rule(program, cast, targets, role):
    """The services ask the rule themselves: an id in hand is no permission."""
    user, pk = cast[role], program.pk
    writes = {
        "rename": lambda: services.program_update(user=user, program_id=pk, name="Renamed"),
        "status": lambda: services.enrolment_set_status(
            user=user, program_id=pk, enrolment_id=targets["participant"].pk, action="pause"
        ),
        "invitation create": lambda: services.invitation_create(
            user=user, program_id=pk, role=Role.MENTEE
        ),
        "invitation revoke": lambda: services.invitation_revoke(
            user=user, program_id=pk, invitation_id=targets["invitation"].pk
        ),
        "import preview": lambda: import_services.import_preview(
            user=user, program_id=pk, filename="people.csv", content=csv_bytes(ANA)
        ),
        "import confirm": lambda: import_services.import_confirm(
            user=user, program_id=pk, batch_id=targets["batch"].pk
        ),
        "capacity": lambda: services.enrolment_update_capacity(
            user=user, program_id=pk, enrolment_id=targets["mentor"].pk, capacity=2
        ),
    }
    for name, write in writes.items():
        if role in ADMINS:
            assert write() is not None, name
        else:
            with pytest.raises(NotFound):
                write()
    assert _unchanged(program, targets) is (role not in ADMINS)
    batch = targets["batch"].pk
    if role in ADMINS:
        assert selectors.access_import_batch(user=user, slug=program.slug, batch_id=batch)
    else:
        with pytest.raises(NotFound):
            selectors.access_import_batch(user=user, slug=program.slug, batch_id=batch)


@pytest.mark.parametrize("role", ROLES)
def test_an_invitation_link_is_for_whoever_holds_its_token(program, cast, role):
    """The token is the secret: the join page shows the link to anyone, signed in or not."""
    invitation = InvitationFactory(program=program)
    found = selectors.access_invitation(user=cast[role], token=invitation.token)
    assert found == invitation
    with pytest.raises(NotFound) as wrong:
        selectors.access_invitation(user=cast[role], token=invitation.token + "x")
    assert wrong.value.message == selectors.INVITATION_LINK_NOT_VALID


@pytest.mark.parametrize("role", ROLES)
def test_every_write_endpoint_follows_the_rule(client, program, cast, targets, role):
    if role != "anonymous":
        client.force_login(cast[role])
    base = f"/api/programs/{program.slug}"

    def post(path, data):
        return client.post(base + path, data, content_type="application/json")

    participant, mentor = targets["participant"].pk, targets["mentor"].pk
    calls = {
        "status": (200, lambda: post(f"/participants/{participant}/status", {"action": "pause"})),
        "invitation create": (201, lambda: post("/invitations", {"role": Role.MENTEE})),
        "invitation revoke": (
            200,
            lambda: post(f"/invitations/{targets['invitation'].pk}/revoke", {}),
        ),
        "import preview": (
            202,
            lambda: client.post(
                f"{base}/import", {"file": SimpleUploadedFile("people.csv", csv_bytes(ANA))}
            ),
        ),
        "import confirm": (202, lambda: post(f"/import/{targets['batch'].pk}/confirm", {})),
        "capacity": (200, lambda: post(f"/participants/{mentor}/capacity", {"capacity": 2})),
        "export": (200, lambda: client.get(f"{base}/export")),
    }
    refused = 401 if role in ("anonymous", "inactive admin") else 404
    statuses = {name: call().status_code for name, (_, call) in calls.items()}
    if role in ADMINS:
        assert statuses == {name: ok for name, (ok, _) in calls.items()}
    else:
        assert statuses == dict.fromkeys(calls, refused)
        assert _unchanged(program, targets)


def test_an_object_of_another_program_is_not_found_through_this_one(program):
    admin = admin_of(program)
    other = ProgramFactory()
    admin_of(other)
    foreign = enrol(UserFactory(), other)
    invitation = InvitationFactory(program=other)
    with pytest.raises(NotFound):
        selectors.access_enrolment(user=admin, program_id=program.pk, enrolment_id=foreign.pk)
    with pytest.raises(NotFound):
        selectors.access_invitation(user=admin, program_id=program.pk, invitation_id=invitation.pk)


def test_a_mentor_sets_their_own_capacity_but_not_another_mentors(program):
    mentor = enrol(UserFactory(), program, Role.MENTOR)
    other = enrol(UserFactory(), program, Role.MENTOR)
    found = selectors.access_enrolment(
        user=mentor.person, program_id=program.pk, enrolment_id=mentor.pk, allow_own=True
    )
    assert found == mentor
    with pytest.raises(NotFound):
        selectors.access_enrolment(
            user=mentor.person, program_id=program.pk, enrolment_id=other.pk, allow_own=True
        )


# --- locking is a separate, explicit choice ---------------------------------------------------


def _reads(program, admin):
    return [
        lambda **kw: access_program(user=admin, program_id=program.pk, **kw),
        lambda **kw: selectors.access_enrolment(
            user=admin, program_id=program.pk, enrolment_id=program.enrolments.first().pk, **kw
        ),
        lambda **kw: selectors.access_invitation(
            user=admin, program_id=program.pk, invitation_id=program.invitations.first().pk, **kw
        ),
    ]


@pytest.mark.django_db(transaction=True)
def test_reads_do_not_lock_and_work_outside_a_transaction():
    program = ProgramFactory()
    admin = admin_of(program)
    InvitationFactory(program=program)
    assert not connection.in_atomic_block
    spy = mock.patch.object(QuerySet, "select_for_update", autospec=True)
    with spy as select_for_update, CaptureQueriesContext(connection) as queries:
        for read in _reads(program, admin):
            assert read() is not None
    select_for_update.assert_not_called()
    assert not any("UPDATE" in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_lock_is_asked_for_and_only_inside_a_transaction():
    program = ProgramFactory()
    admin = admin_of(program)
    InvitationFactory(program=program)
    for read in _reads(program, admin):
        with pytest.raises(RuntimeError, match=LOCK_OUTSIDE_TRANSACTION):
            read(for_update=True)
        with (
            transaction.atomic(),
            mock.patch.object(
                QuerySet, "select_for_update", autospec=True, side_effect=lambda qs, **kw: qs
            ) as select_for_update,
        ):
            assert read(for_update=True) is not None
        select_for_update.assert_called_once()


def test_the_last_admin_by_the_rule_stays(program):
    """A deactivated account's admin enrolment administers nothing, so it is no second admin."""
    last = enrol(UserFactory(), program, Role.ADMIN)
    gone = admin_of(program)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(ApplicationError) as refused:
        services.enrolment_set_status(
            user=last.person, program_id=program.pk, enrolment_id=last.pk, action="remove"
        )
    assert refused.value.message == services.LAST_ADMIN


@pytest.mark.django_db(transaction=True)
def test_for_update_is_a_row_lock_in_the_sql(postgres_only):
    program = ProgramFactory()
    admin = admin_of(program)
    InvitationFactory(program=program)
    for read in _reads(program, admin):
        with CaptureQueriesContext(connection) as plain:
            read()
        with transaction.atomic(), CaptureQueriesContext(connection) as locked:
            read(for_update=True)
        assert not any("UPDATE" in query["sql"] for query in plain.captured_queries)
        assert any("FOR NO KEY UPDATE" in query["sql"] for query in locked.captured_queries)
