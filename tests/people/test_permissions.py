"""People's ``access_*`` per role: a profile for those who share a program with its owner (and
the admins reviewing an application), an API token and a notification for their owner only;
missing and forbidden answer the same, and a read never locks."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.notify.models import Notification
from tandem.notify.selectors import access_notification
from tandem.people.selectors import (
    access_api_token,
    access_profile,
    is_signed_in,
    people_share_program,
)
from tandem.people.services import api_token_create, profile_ensure
from tandem.people.services.tokens import TOKEN_FROM_TOKEN
from tandem.programs.models import EnrolmentStatus, Role
from tandem.programs.selectors import is_program_admin
from tests.people.factories import UserFactory
from tests.programs.factories import ProgramFactory, enrol

ROLES = [
    "owner",
    "co-member",
    "program admin",
    "admin of another program",
    "staff",
    "stranger",
    "anonymous",
]


@pytest.fixture
def world(db):
    program = ProgramFactory()
    owner = UserFactory()
    profile_ensure(user=owner)
    enrol(owner, program, Role.MENTEE, EnrolmentStatus.PENDING)
    co_member = UserFactory()
    enrol(co_member, program, Role.MENTOR)
    other_program = ProgramFactory()
    other_admin = UserFactory()
    enrol(other_admin, other_program, Role.ADMIN)
    program_admin = UserFactory()
    enrol(program_admin, program, Role.ADMIN)
    token, _ = api_token_create(user=owner, name="laptop")
    return {
        "token": token,
        "notification": Notification.objects.create(recipient=owner, kind="request", title="Hi"),
        "cast": {
            "owner": owner,
            "co-member": co_member,
            "program admin": program_admin,
            "admin of another program": other_admin,
            "staff": UserFactory(is_staff=True, is_superuser=True),
            "stranger": UserFactory(),
            "anonymous": AnonymousUser(),
        },
    }


@pytest.mark.parametrize("role", ROLES)
def test_a_pending_applicants_profile_is_for_them_and_the_programs_admins(world, role):
    owner = world["cast"]["owner"]
    if role in ("owner", "program admin"):
        assert access_profile(user=world["cast"][role], user_id=owner.pk).user == owner
    else:  # a pending enrolment shares nothing with the program's members yet
        with pytest.raises(NotFound):
            access_profile(user=world["cast"][role], user_id=owner.pk)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_tokens_and_notifications_are_their_owners(world, role):
    user = world["cast"][role]
    fetches = (
        lambda pk: access_api_token(user=user, token_id=pk),
        lambda pk: access_notification(user=user, notification_id=pk),
    )
    for fetch, found in zip(fetches, (world["token"], world["notification"]), strict=True):
        if role == "owner":
            assert fetch(found.pk) == found
            continue
        with pytest.raises(NotFound) as forbidden:
            fetch(found.pk)
        with pytest.raises(NotFound) as missing:
            fetch(10**9)
        assert forbidden.value.message == missing.value.message


def test_only_a_signed_in_session_creates_tokens(world):
    owner = world["cast"]["owner"]
    with pytest.raises(ApplicationError) as refused:
        api_token_create(user=owner, name="ci", authenticated_by_token=True)
    assert (refused.value.status, refused.value.message) == (403, TOKEN_FROM_TOKEN)
    token, _ = api_token_create(user=owner, name="ci", authenticated_by_token=False)
    assert token.user == owner


def test_reads_do_not_lock_and_a_lock_is_asked_for(world):
    owner = world["cast"]["owner"]
    with mock.patch.object(QuerySet, "select_for_update", autospec=True) as select_for_update:
        access_api_token(user=owner, token_id=world["token"].pk)
        access_notification(user=owner, notification_id=world["notification"].pk)
    select_for_update.assert_not_called()
    with (
        transaction.atomic(),
        mock.patch.object(
            QuerySet, "select_for_update", autospec=True, side_effect=lambda qs, **kw: qs
        ) as select_for_update,
    ):
        access_api_token(user=owner, token_id=world["token"].pk, for_update=True)
    select_for_update.assert_called_once()


@pytest.mark.parametrize("status", EnrolmentStatus.values)
@pytest.mark.parametrize("role", Role.values)
def test_the_applicant_rule_is_the_program_admin_rule(db, role, status):
    """people spells the program-admin rule itself (it sits below programs): the two agree."""
    program = ProgramFactory()
    applicant = UserFactory()
    profile_ensure(user=applicant)
    enrol(applicant, program, Role.MENTEE, EnrolmentStatus.PENDING)
    viewer = UserFactory()
    enrol(viewer, program, role, status)
    sees = people_share_program(viewer=viewer, user_id=applicant.pk)
    assert sees is is_program_admin(user=viewer, program_id=program.pk)


def test_a_deactivated_account_reaches_nothing_not_even_its_own(world):
    """The one sign-in rule (``is_signed_in``): every app's access helpers refuse an inactive
    account, even one whose session or token outlived the deactivation."""
    owner = world["cast"]["owner"]
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert not is_signed_in(owner)
    with pytest.raises(NotFound):
        access_profile(user=owner, user_id=owner.pk)
