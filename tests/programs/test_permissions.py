"""The program-admin rule and ``access_program`` per role: one rule for every page, endpoint and
service; missing and forbidden answer the same; a read never locks."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, PermissionDenied
from tandem.core.locking import LOCK_OUTSIDE_TRANSACTION
from tandem.programs import selectors, services
from tandem.programs.imports import services as import_services
from tandem.programs.models import EnrolmentStatus, ImportBatch, Role
from tandem.programs.selectors import ProgramAccess, access_program, is_program_admin
from tests.programs.factories import (
    InvitationFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
    enrol,
    member_of,
)

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


@pytest.mark.parametrize("role", ROLES)
def test_services_follow_the_rule(program, cast, role):
    user = cast[role]
    participant = enrol(UserFactory(), program)
    invitation = InvitationFactory(program=program)
    batch = ImportBatch.objects.create(program=program, filename="a.csv", content=b"", report={})
    calls = [
        lambda: services.program_update(user=user, program_id=program.pk, name="Renamed"),
        lambda: services.invitation_create(user=user, program_id=program.pk, role=Role.MENTEE),
        lambda: services.invitation_revoke(
            user=user, program_id=program.pk, invitation_id=invitation.pk
        ),
        lambda: services.enrolment_set_status(
            user=user, program_id=program.pk, enrolment_id=participant.pk, action="pause"
        ),
        lambda: selectors.access_import_batch(user=user, slug=program.slug, batch_id=batch.pk),
    ]
    for call in calls:
        if role in ADMINS:
            call()
        else:
            with pytest.raises(NotFound):
                call()
    if role not in ADMINS:
        with pytest.raises(NotFound):
            import_services.import_confirm(user=user, program_id=program.pk, batch_id=batch.pk)


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
    assert not any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)


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
        assert not any("FOR UPDATE" in query["sql"] for query in plain.captured_queries)
        assert any("FOR UPDATE" in query["sql"] for query in locked.captured_queries)
