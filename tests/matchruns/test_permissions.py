"""Match runs per role: only the program's admins (the one rule in ``programs``) fetch or change
a run, services check it again, and recommendations need an active mentee."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from tandem.core.exceptions import ApplicationError, NotFound, PermissionDenied
from tandem.core.locking import LOCK_OUTSIDE_TRANSACTION
from tandem.matchruns import services
from tandem.matchruns.models import ConstraintKind, MatchRun, RunStatus
from tandem.matchruns.selectors import access_match_run, mentor_recommendations
from tandem.programs.models import EnrolmentStatus, MatchingMode, Role
from tandem.programs.selectors import ProgramAccess, access_program
from tests.matchruns.factories import ProgramFactory, UserFactory, admin, mentee
from tests.programs.factories import member_of

ROLES = [
    "program admin",
    "admin of another program",
    "staff",
    "inactive admin",
    "mentee",
    "anonymous",
]


@pytest.fixture
def run(program):
    return MatchRun.objects.create(program=program, status=RunStatus.DONE)


@pytest.fixture
def cast(program):
    inactive = admin(program)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return {
        "program admin": admin(program),
        "admin of another program": admin(ProgramFactory()),
        "staff": UserFactory(is_staff=True, is_superuser=True),
        "inactive admin": inactive,
        "mentee": mentee(program),
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_the_programs_admins_fetch_a_run(program, run, cast, role):
    user = cast[role]
    if role == "program admin":
        assert access_match_run(user=user, slug=program.slug, run_id=run.pk) == run
        return
    with pytest.raises(NotFound) as forbidden:
        access_match_run(user=user, slug=program.slug, run_id=run.pk)
    with pytest.raises(NotFound) as missing:
        access_match_run(user=user, slug=program.slug, run_id=run.pk + 1000)
    assert forbidden.value.message == missing.value.message


def test_a_run_is_not_found_under_another_programs_slug(program, run, cast):
    elsewhere = ProgramFactory()
    with pytest.raises(NotFound):
        access_match_run(user=cast["program admin"], slug=elsewhere.slug, run_id=run.pk)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "program admin"])
def test_services_check_the_admin_again(program, run, cast, role):
    """A run object in hand is not a permission: every service asks the rule itself."""
    user = cast[role]
    for change in (
        lambda: services.match_run_start(user=user, program=program),
        lambda: services.match_run_discard(user=user, run=run),
        lambda: services.match_run_publish(user=user, run=run),
        lambda: services.match_run_unconstrain(user=user, run=run, constraint_id=1),
        lambda: services.match_run_constrain(
            user=user, run=run, mentee_id=1, mentor_id=2, kind=ConstraintKind.PIN
        ),
        lambda: services.match_run_rerun(user=user, run=run),
    ):
        with pytest.raises(NotFound):
            change()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert not run.constraints.exists()
    assert not MatchRun.objects.filter(parent=run).exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "program admin"])
def test_rerunning_a_discarded_run_is_not_found_for_a_non_admin_not_a_conflict(
    program, run, cast, role
):
    """The permission comes before the run's status: a 409 would tell an outsider that the
    run exists and was discarded."""
    run.status = RunStatus.DISCARDED
    run.save(update_fields=["status"])
    with pytest.raises(NotFound):
        services.match_run_rerun(user=cast[role], run=run)
    with pytest.raises(ApplicationError) as conflict:
        services.match_run_rerun(user=cast["program admin"], run=run)
    assert conflict.value.status == 409


@pytest.mark.parametrize(
    ("role", "status", "outcome"),
    [
        (Role.MENTEE, EnrolmentStatus.ACTIVE, None),
        (Role.MENTEE, EnrolmentStatus.PAUSED, PermissionDenied),
        (Role.MENTOR, EnrolmentStatus.ACTIVE, PermissionDenied),
        (Role.ADMIN, EnrolmentStatus.ACTIVE, PermissionDenied),
        (Role.MENTEE, EnrolmentStatus.PENDING, NotFound),
        (Role.MENTEE, EnrolmentStatus.REMOVED, NotFound),
    ],
)
def test_recommendations_need_an_active_mentee(db, role, status, outcome):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    user = member_of(program, role, status=status)
    if outcome is None:
        assert access_program(user=user, slug=program.slug, need=ProgramAccess.MENTEE) == program
    else:
        with pytest.raises(outcome):
            access_program(user=user, slug=program.slug, need=ProgramAccess.MENTEE)


def test_recommendations_are_for_programs_that_take_direct_requests(client, program):
    program.allow_direct_requests = False
    program.save(update_fields=["allow_direct_requests"])
    me = mentee(program)
    client.force_login(me)
    response = client.get(f"/api/match-runs/{program.slug}/recommendations")
    assert response.status_code == 403
    with pytest.raises(ApplicationError):
        mentor_recommendations(user=me, program=program)


@pytest.mark.django_db(transaction=True)
def test_a_read_does_not_lock_and_a_lock_is_asked_for_inside_a_transaction():
    program = ProgramFactory()
    owner = admin(program)
    run = MatchRun.objects.create(program=program, status=RunStatus.DONE)
    assert not connection.in_atomic_block
    spy = mock.patch.object(QuerySet, "select_for_update", autospec=True)
    with spy as select_for_update, CaptureQueriesContext(connection) as queries:
        assert access_match_run(user=owner, run_id=run.pk) == run
    select_for_update.assert_not_called()
    assert not any("UPDATE" in query["sql"] for query in queries.captured_queries)
    with pytest.raises(RuntimeError, match=LOCK_OUTSIDE_TRANSACTION):
        access_match_run(user=owner, run_id=run.pk, for_update=True)
    with transaction.atomic():
        assert access_match_run(user=owner, run_id=run.pk, for_update=True) == run
