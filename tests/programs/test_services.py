from datetime import date, timedelta

import pytest
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound, PermissionDenied
from tandem.matching.records.cells import CAPACITY_INVALID
from tandem.programs import services
from tandem.programs.models import (
    DEFAULT_WEIGHTS,
    Enrolment,
    EnrolmentQuestion,
    EnrolmentStatus,
    Invitation,
    Program,
    Role,
)
from tests.programs.factories import (
    EnrolmentFactory,
    InvitationFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
    member_of,
    program_creator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    """Someone with the right to create programs (the name predates the right)."""
    return program_creator()


class TestProgramCreate:
    def test_staff_creates_and_becomes_admin(self, staff):
        program = services.program_create(
            user=staff,
            name="Women in Tech 2027",
            program_type="peer",
            questions={"mentee": [("Why join?", True)], "mentor": [("Hours a month?", False)]},
        )
        assert program.slug == "women-in-tech-2027"
        assert program.weights == DEFAULT_WEIGHTS
        enrolment = Enrolment.objects.get(program=program, person=staff)
        assert (enrolment.role, enrolment.status) == (Role.ADMIN, EnrolmentStatus.ACTIVE)
        assert list(program.questions.values_list("role", "prompt", "required")) == [
            ("mentee", "Why join?", True),
            ("mentor", "Hours a month?", False),
        ]

    def test_slug_is_unique(self, staff):
        # The same name by the same person is that program (test_double_submit.py).
        first = services.program_create(user=staff, name="Growth")
        second = services.program_create(user=program_creator(), name="Growth")
        assert (first.slug, second.slug) == ("growth", "growth-2")

    def test_without_the_right_refused(self):
        with pytest.raises(PermissionDenied) as refused:
            services.program_create(user=UserFactory(is_staff=True), name="Nope")
        assert refused.value.message == services.CREATE_NOT_ALLOWED
        assert not Program.objects.exists()

    def test_end_before_start_is_a_field_error(self, staff):
        with pytest.raises(ApplicationError) as error:
            services.program_create(
                user=staff, name="X", starts_on=date(2027, 3, 1), ends_on=date(2027, 2, 1)
            )
        assert error.value.fields == {"ends_on": services.ENDS_BEFORE_START}
        assert not Program.objects.exists()

    @pytest.mark.parametrize(
        "weights", [{"text": 11}, {"skills": -1}, {"bogus": 1}, {"text": "a lot"}]
    )
    def test_bad_weights(self, staff, weights):
        with pytest.raises(ApplicationError) as error:
            services.program_create(user=staff, name="X", weights=weights)
        assert all(key.startswith("weights.") for key in error.value.fields)
        assert not Program.objects.exists()

    def test_blank_name(self, staff):
        with pytest.raises(ApplicationError) as error:
            services.program_create(user=staff, name="  ")
        assert "name" in error.value.fields


class TestProgramUpdate:
    def test_admin_updates_keeps_slug(self, program, admin):
        updated = services.program_update(
            user=admin,
            program_id=program.pk,
            name="Renamed",
            weights={"text": 9},
            default_capacity=4,
            questions={"mentee": [("New q", True)]},
        )
        assert (updated.name, updated.slug, updated.default_capacity) == (
            "Renamed",
            program.slug,
            4,
        )
        assert updated.weights["text"] == 9 and updated.weights["skills"] == 3.0
        assert program.questions.get().prompt == "New q"

    def test_questions_replaced_and_kept(self, program, admin):
        services.program_update(
            user=admin, program_id=program.pk, questions={"mentee": [("A", True), ("B", False)]}
        )
        a = EnrolmentQuestion.objects.get(prompt="A")
        services.program_update(
            user=admin, program_id=program.pk, questions={"mentee": [("C", False), ("A", False)]}
        )
        assert list(program.questions.values_list("prompt", "required", "position")) == [
            ("C", False, 0),
            ("A", False, 1),
        ]
        assert EnrolmentQuestion.objects.get(prompt="A").pk == a.pk

    @pytest.mark.parametrize("who", ["participant", "other_admin", "stranger"])
    def test_non_admins_get_not_found(self, program, who):
        user = {
            "participant": lambda: member_of(program),
            "other_admin": lambda: admin_of(ProgramFactory()),
            "stranger": UserFactory,
        }[who]()
        with pytest.raises(NotFound):
            services.program_update(user=user, program_id=program.pk, name="Hacked")
        program.refresh_from_db()
        assert program.name != "Hacked"

    def test_unknown_field(self, program, admin):
        with pytest.raises(ApplicationError):
            services.program_update(user=admin, program_id=program.pk, slug="other")

    def test_the_staff_flag_alone_administers_no_program(self, program):
        with pytest.raises(NotFound):
            services.program_update(
                user=UserFactory(is_staff=True), program_id=program.pk, name="By staff"
            )
        program.refresh_from_db()
        assert program.name != "By staff"


class TestInvitations:
    def test_create_and_revoke(self, program, admin):
        invitation = services.invitation_create(
            user=admin, program_id=program.pk, role="mentor", max_uses=5, auto_approve=True
        )
        assert len(invitation.token) >= 40 and invitation.state == "usable"
        revoked = services.invitation_revoke(
            user=admin, program_id=invitation.program_id, invitation_id=invitation.pk
        )
        assert revoked.revoked_at is not None and revoked.state == "revoked"

    def test_create_validates(self, program, admin):
        with pytest.raises(ApplicationError) as error:
            services.invitation_create(
                user=admin,
                program_id=program.pk,
                role="boss",
                max_uses=0,
                expires_at=timezone.now() - timedelta(days=1),
            )
        assert set(error.value.fields) == {"role", "max_uses", "expires_at"}

    def test_participant_cannot_manage(self, program):
        participant = member_of(program)
        with pytest.raises(NotFound):
            services.invitation_create(user=participant, program_id=program.pk, role="mentee")
        invitation = InvitationFactory(program=program)
        with pytest.raises(NotFound):
            services.invitation_revoke(
                user=participant, program_id=invitation.program_id, invitation_id=invitation.pk
            )


class TestJoin:
    def test_pending_by_default_with_answers(self, program):
        question = EnrolmentQuestion.objects.create(
            program=program, role="mentee", prompt="Why?", required=True
        )
        invitation = InvitationFactory(program=program)
        user = UserFactory()
        enrolment = services.enrolment_join_by_invitation(
            user=user, token=invitation.token, answers={f"q{question.pk}": "To grow"}
        )
        assert enrolment.status == EnrolmentStatus.PENDING
        assert enrolment.answers == {"Why?": "To grow"}
        invitation.refresh_from_db()
        assert invitation.uses == 1

    def test_required_answer_missing(self, program):
        question = EnrolmentQuestion.objects.create(
            program=program, role="mentee", prompt="Why?", required=True
        )
        invitation = InvitationFactory(program=program)
        with pytest.raises(ApplicationError) as error:
            services.enrolment_join_by_invitation(user=UserFactory(), token=invitation.token)
        assert error.value.fields == {f"q{question.pk}": services.ANSWER_REQUIRED}
        assert not Enrolment.objects.exists()

    def test_auto_approve_mentor_gets_default_capacity(self, program):
        program.default_capacity = 3
        program.save()
        invitation = InvitationFactory(program=program, role="mentor", auto_approve=True)
        enrolment = services.enrolment_join_by_invitation(
            user=UserFactory(), token=invitation.token
        )
        assert (enrolment.status, enrolment.capacity) == (EnrolmentStatus.ACTIVE, 3)

    def test_joining_again_is_a_retry_or_refused_kindly(self, program):
        """The same join again answers as the first did (``test_answer_retries``); once the
        enrolment is closed it is refused, saying where they stand."""
        invitation = InvitationFactory(program=program)
        user = UserFactory()
        first = services.enrolment_join_by_invitation(user=user, token=invitation.token)
        assert services.enrolment_join_by_invitation(user=user, token=invitation.token) == first
        Enrolment.objects.filter(pk=first.pk).update(status=EnrolmentStatus.REMOVED)
        with pytest.raises(ApplicationError) as error:
            services.enrolment_join_by_invitation(user=user, token=invitation.token)
        assert error.value.status == 409 and "already in" in error.value.message
        assert Enrolment.objects.count() == 1

    def test_same_person_other_role_allowed(self, program):
        user = UserFactory()
        services.enrolment_join_by_invitation(
            user=user, token=InvitationFactory(program=program).token
        )
        services.enrolment_join_by_invitation(
            user=user, token=InvitationFactory(program=program, role="mentor").token
        )
        assert Enrolment.objects.filter(person=user).count() == 2

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"revoked_at": timezone.now()}, services.INVITATION_REVOKED),
            ({"expires_at": timezone.now() - timedelta(minutes=1)}, services.INVITATION_EXPIRED),
            ({"max_uses": 2, "uses": 2}, services.INVITATION_USED_UP),
        ],
    )
    def test_unusable_links(self, program, kwargs, message):
        invitation = InvitationFactory(program=program, **kwargs)
        with pytest.raises(ApplicationError) as error:
            services.enrolment_join_by_invitation(user=UserFactory(), token=invitation.token)
        assert error.value.message == message
        assert not Enrolment.objects.exists()

    def test_unknown_token(self):
        with pytest.raises(NotFound):
            services.enrolment_join_by_invitation(user=UserFactory(), token="nope")


class TestSetStatus:
    @pytest.mark.parametrize(
        "start, action, end",
        [
            ("pending", "approve", "active"),
            ("active", "pause", "paused"),
            ("paused", "reactivate", "active"),
            ("removed", "reactivate", "active"),
            ("pending", "remove", "removed"),
            ("active", "remove", "removed"),
            ("paused", "remove", "removed"),
        ],
    )
    def test_allowed(self, program, admin, start, action, end):
        enrolment = EnrolmentFactory(program=program, status=start)
        result = services.enrolment_set_status(
            user=admin, program_id=enrolment.program_id, enrolment_id=enrolment.pk, action=action
        )
        assert result.status == end

    @pytest.mark.parametrize(
        "start, action",
        [
            ("active", "approve"),
            ("paused", "approve"),
            ("removed", "approve"),
            ("pending", "pause"),
            ("paused", "pause"),
            ("removed", "pause"),
            ("pending", "reactivate"),
            ("active", "reactivate"),
            ("removed", "remove"),
        ],
    )
    def test_refused(self, program, admin, start, action):
        enrolment = EnrolmentFactory(program=program, status=start)
        with pytest.raises(ApplicationError) as error:
            services.enrolment_set_status(
                user=admin,
                program_id=enrolment.program_id,
                enrolment_id=enrolment.pk,
                action=action,
            )
        assert error.value.status == 409
        enrolment.refresh_from_db()
        assert enrolment.status == start

    def test_unknown_action(self, program, admin):
        enrolment = EnrolmentFactory(program=program)
        with pytest.raises(ApplicationError) as error:
            services.enrolment_set_status(
                user=admin, program_id=enrolment.program_id, enrolment_id=enrolment.pk, action="ban"
            )
        assert "action" in error.value.fields

    def test_last_admin_cannot_leave(self, program, admin):
        mine = Enrolment.objects.get(person=admin)
        with pytest.raises(ApplicationError) as error:
            services.enrolment_set_status(
                user=admin, program_id=mine.program_id, enrolment_id=mine.pk, action="remove"
            )
        assert error.value.message == services.LAST_ADMIN
        second = admin_of(program)
        services.enrolment_set_status(
            user=second, program_id=mine.program_id, enrolment_id=mine.pk, action="pause"
        )

    @pytest.mark.parametrize("who", ["participant", "self", "other_admin"])
    def test_permissions(self, program, who):
        enrolment = EnrolmentFactory(program=program, status="pending")
        user = {
            "participant": lambda: member_of(program),
            "self": lambda: enrolment.person,
            "other_admin": lambda: admin_of(ProgramFactory()),
        }[who]()
        with pytest.raises(NotFound):
            services.enrolment_set_status(
                user=user,
                program_id=enrolment.program_id,
                enrolment_id=enrolment.pk,
                action="approve",
            )
        enrolment.refresh_from_db()
        assert enrolment.status == "pending"


class TestCapacity:
    def test_admin_and_self(self, program, admin):
        enrolment = EnrolmentFactory(program=program, role="mentor", capacity=2)
        assert (
            services.enrolment_update_capacity(
                program_id=enrolment.program_id, user=admin, enrolment_id=enrolment.pk, capacity=4
            ).capacity
            == 4
        )
        assert (
            services.enrolment_update_capacity(
                program_id=enrolment.program_id,
                user=enrolment.person,
                enrolment_id=enrolment.pk,
                capacity=1,
            ).capacity
            == 1
        )

    @pytest.mark.parametrize("capacity", [0, 21, True, 2.5])
    def test_bounds_are_the_participant_records(self, program, admin, capacity):
        enrolment = EnrolmentFactory(program=program, role="mentor", capacity=2)
        with pytest.raises(ApplicationError) as error:
            services.enrolment_update_capacity(
                program_id=enrolment.program_id,
                user=admin,
                enrolment_id=enrolment.pk,
                capacity=capacity,
            )
        assert error.value.fields["capacity"] == CAPACITY_INVALID.format(max=20, value=capacity)
        enrolment.refresh_from_db()
        assert enrolment.capacity == 2

    def test_mentees_have_none(self, program, admin):
        enrolment = EnrolmentFactory(program=program, role="mentee")
        with pytest.raises(ApplicationError):
            services.enrolment_update_capacity(
                program_id=enrolment.program_id, user=admin, enrolment_id=enrolment.pk, capacity=2
            )

    def test_other_participant_refused(self, program):
        enrolment = EnrolmentFactory(program=program, role="mentor", capacity=2)
        with pytest.raises(NotFound):
            services.enrolment_update_capacity(
                program_id=enrolment.program_id,
                user=member_of(program),
                enrolment_id=enrolment.pk,
                capacity=5,
            )


def test_invitation_model_state_used_up(program):
    assert Invitation(program=program, max_uses=1, uses=1).state == "used up"
