"""The request state machine, transition by transition, with who may do what."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import (
    AgreementVersion,
    Mentorship,
    MentorshipRequest,
    MentorshipState,
    RequestState,
)
from tandem.mentorships.services import requests as R
from tandem.notify.models import Notification
from tandem.programs.models import Enrolment, EnrolmentStatus, ProgramType, Role
from tests.mentorships.factories import ProgramFactory, RequestFactory, UserFactory, member
from tests.programs.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(max_open_requests=2, request_expiry_days=10)


@pytest.fixture
def mentor(program):
    return member(program, Role.MENTOR, capacity=1)


@pytest.fixture
def mentee(program):
    return member(program, Role.MENTEE)


def send(program, sender, recipient, message="Help me grow as a speaker."):
    return services.request_create(
        sender=sender, program_id=program.pk, recipient_id=recipient.pk, message=message
    )


class TestCreate:
    def test_mentee_sends_to_mentor(
        self, program, mentor, mentee, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            request = send(program, mentee, mentor)
        assert request.state == RequestState.PENDING
        assert (request.mentor, request.mentee) == (mentor, mentee)
        assert request.expires_at > timezone.now() + timedelta(days=9)
        assert Notification.objects.get(recipient=mentor).kind == "request_received"

    def test_message_required_writes_nothing(self, program, mentor, mentee):
        with pytest.raises(ApplicationError) as error:
            send(program, mentee, mentor, message="   ")
        assert error.value.fields == {"message": R.MESSAGE_REQUIRED}
        assert not MentorshipRequest.objects.exists()

    def test_not_to_self(self, program, mentee):
        with pytest.raises(ApplicationError) as error:
            send(program, mentee, mentee)
        assert "recipient" in error.value.fields

    def test_recipient_must_be_mentor_in_classic(self, program, mentee):
        other_mentee = member(program, Role.MENTEE)
        with pytest.raises(ApplicationError) as error:
            send(program, mentee, other_mentee)
        assert error.value.fields == {"recipient": R.RECIPIENT_NOT_ELIGIBLE}

    def test_mentor_cannot_send_in_classic(self, program, mentor, mentee):
        with pytest.raises(ApplicationError) as error:
            send(program, mentor, mentee)
        assert error.value.status == 403

    def test_reverse_program_either_side_sends(self):
        program = ProgramFactory(program_type=ProgramType.REVERSE)
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        request = send(program, mentor, mentee)
        assert (request.mentor, request.mentee) == (mentor, mentee)

    def test_a_reverse_programs_mentor_is_told_the_recipient_is_no_mentee(self):
        program = ProgramFactory(program_type=ProgramType.REVERSE)
        mentor, other_mentor = member(program, Role.MENTOR), member(program, Role.MENTOR)
        with pytest.raises(ApplicationError) as error:
            send(program, mentor, other_mentor)
        assert error.value.fields == {"recipient": R.RECIPIENT_NOT_MENTEE}

    @pytest.mark.parametrize("kind", [ProgramType.REVERSE, ProgramType.PEER])
    def test_an_admin_who_takes_no_part_sends_no_request(self, kind):
        program = ProgramFactory(program_type=kind)
        admin = member(program, Role.ADMIN)
        with pytest.raises(ApplicationError) as error:
            send(program, admin, member(program, Role.MENTEE))
        assert (error.value.status, str(error.value)) == (403, R.SENDER_NOT_PARTICIPANT)
        assert not MentorshipRequest.objects.exists()

    def test_peer_program_any_member(self):
        program = ProgramFactory(program_type=ProgramType.PEER)
        a, b = member(program, Role.MENTEE), member(program, Role.MENTEE)
        request = send(program, a, b)
        assert (request.mentor, request.mentee) == (b, a)

    def test_sender_not_member_gets_not_found(self, program, mentor):
        outsider = UserFactory()
        with pytest.raises(ApplicationError) as error:
            send(program, outsider, mentor)
        assert error.value.status == 404

    def test_paused_recipient_is_not_eligible(self, program, mentee):
        paused = member(program, Role.MENTOR, status=EnrolmentStatus.PAUSED)
        with pytest.raises(ApplicationError):
            send(program, mentee, paused)

    def test_recipient_in_other_program_is_not_eligible(self, program, mentee):
        elsewhere = member(ProgramFactory(), Role.MENTOR)
        with pytest.raises(ApplicationError) as error:
            send(program, mentee, elsewhere)
        assert "recipient" in error.value.fields

    def test_open_request_limit(self, program, mentee):
        send(program, mentee, member(program, Role.MENTOR))
        send(program, mentee, member(program, Role.MENTOR))
        with pytest.raises(ApplicationError) as error:
            send(program, mentee, member(program, Role.MENTOR))
        assert error.value.status == 409
        assert MentorshipRequest.objects.count() == 2

    def test_no_duplicate_pending(self, program, mentor, mentee):
        send(program, mentee, mentor)
        with pytest.raises(ApplicationError) as error:
            send(program, mentee, mentor)
        assert error.value.message == R.ALREADY_PENDING


class TestAccept:
    def test_a_mentor_removed_only_as_a_mentee_cannot_be_accepted_as_one(self, program, mentor):
        both = member(program, Role.MENTEE)
        EnrolmentFactory(program=program, person=both, role=Role.MENTOR)
        request = send(program, both, mentor)
        Enrolment.objects.filter(person=both, role=Role.MENTEE).update(
            status=EnrolmentStatus.REMOVED
        )
        with pytest.raises(ApplicationError) as error:
            services.request_accept(user=mentor, request_id=request.pk)
        assert error.value.status == 409
        assert str(error.value) == R.OTHER_NOT_ACTIVE.format(name=both.display_name)
        assert not Mentorship.objects.exists()

    def test_accept_creates_proposed_mentorship_with_draft(
        self, program, mentor, mentee, django_capture_on_commit_callbacks
    ):
        request = send(program, mentee, mentor)
        with django_capture_on_commit_callbacks(execute=True):
            mentorship = services.request_accept(user=mentor, request_id=request.pk)
        request.refresh_from_db()
        assert request.state == RequestState.ACCEPTED
        assert mentorship.state == MentorshipState.PROPOSED
        assert mentorship.origin_request == request
        version = AgreementVersion.objects.get(mentorship=mentorship)
        assert version.number == 1 and version.content["cadence"] == program.default_cadence
        assert Notification.objects.filter(recipient=mentee, kind="request_answered").exists()

    def test_accept_withdraws_mentees_other_requests(self, program, mentor, mentee):
        other_mentor = member(program, Role.MENTOR)
        first = send(program, mentee, mentor)
        second = send(program, mentee, other_mentor)
        services.request_accept(user=mentor, request_id=first.pk)
        second.refresh_from_db()
        assert second.state == RequestState.WITHDRAWN
        assert Notification.objects.filter(recipient=other_mentor, kind="request_closed").exists()
        assert Notification.objects.filter(recipient=mentee, kind="request_closed").exists()

    @pytest.mark.parametrize(
        ("others", "title", "body"),
        [
            (1, "Your other open request was withdrawn", "we withdrew your request to "),
            (2, "Your other open requests were withdrawn", "we withdrew your requests to "),
        ],
    )
    def test_withdrawn_notice_agrees_in_number(self, mentor, mentee, program, others, title, body):
        program.max_open_requests = 3
        program.save(update_fields=["max_open_requests"])
        first = send(program, mentee, mentor)
        for _ in range(others):
            send(program, mentee, member(program, Role.MENTOR))
        services.request_accept(user=mentor, request_id=first.pk)
        notice = Notification.objects.get(recipient=mentee, kind="request_closed")
        assert notice.title == title
        assert body in notice.body

    def test_only_recipient_may_accept(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        with pytest.raises(ApplicationError) as error:
            services.request_accept(user=mentee, request_id=request.pk)
        assert error.value.status == 403
        outsider = member(program, Role.MENTOR)
        with pytest.raises(ApplicationError) as error:
            services.request_accept(user=outsider, request_id=request.pk)
        assert error.value.status == 404
        assert not Mentorship.objects.exists()

    @pytest.mark.parametrize(
        "state",
        [
            RequestState.WITHDRAWN,
            RequestState.DECLINED,
            RequestState.EXPIRED,
            RequestState.ACCEPTED,
        ],
    )
    def test_cannot_accept_closed_request(self, program, mentor, mentee, state):
        request = RequestFactory(program=program, sender=mentee, recipient=mentor, state=state)
        with pytest.raises(ApplicationError) as error:
            services.request_accept(user=mentor, request_id=request.pk)
        assert error.value.status == 409
        assert "no longer be accepted" in error.value.message
        assert not Mentorship.objects.exists()

    def test_cannot_accept_past_expiry(self, program, mentor, mentee):
        request = RequestFactory(
            program=program,
            sender=mentee,
            recipient=mentor,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
        with pytest.raises(ApplicationError) as error:
            services.request_accept(user=mentor, request_id=request.pk)
        assert error.value.message == R.REQUEST_EXPIRED

    def test_capacity_enforced(self, program, mentor, mentee):
        second_mentee = member(program, Role.MENTEE)
        services.request_accept(user=mentor, request_id=send(program, mentee, mentor).pk)
        late = send(program, second_mentee, mentor)
        with pytest.raises(ApplicationError) as error:
            services.request_accept(user=mentor, request_id=late.pk)
        assert error.value.status == 409 and "capacity" in error.value.message
        late.refresh_from_db()
        assert late.state == RequestState.PENDING
        assert Mentorship.objects.count() == 1

    def test_capacity_defaults_to_program(self, mentee):
        program = ProgramFactory(default_capacity=1)
        mentor = member(program, Role.MENTOR)
        mentee = member(program, Role.MENTEE)
        services.request_accept(user=mentor, request_id=send(program, mentee, mentor).pk)
        late = send(program, member(program, Role.MENTEE), mentor)
        with pytest.raises(ApplicationError):
            services.request_accept(user=mentor, request_id=late.pk)

    def test_removed_mentor_cannot_accept(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        mentor.enrolments.update(status=EnrolmentStatus.REMOVED)
        with pytest.raises(ApplicationError) as error:
            services.request_accept(user=mentor, request_id=request.pk)
        assert error.value.message == R.MENTOR_NOT_ACTIVE


class TestDeclineWithdraw:
    def test_decline_with_kind_reason(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        services.request_decline(user=mentor, request_id=request.pk, reason="Fully booked")
        request.refresh_from_db()
        assert request.state == RequestState.DECLINED
        note = Notification.objects.get(recipient=mentee, kind="request_answered")
        assert "Fully booked" in note.body and "says nothing about you" in note.body

    def test_sender_cannot_decline(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        with pytest.raises(ApplicationError):
            services.request_decline(user=mentee, request_id=request.pk)

    def test_withdraw_by_sender_only(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        with pytest.raises(ApplicationError) as error:
            services.request_withdraw(user=mentor, request_id=request.pk)
        assert error.value.status == 403
        services.request_withdraw(user=mentee, request_id=request.pk)
        request.refresh_from_db()
        assert request.state == RequestState.WITHDRAWN

    def test_cannot_withdraw_twice(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        services.request_withdraw(user=mentee, request_id=request.pk)
        with pytest.raises(ApplicationError) as error:
            services.request_withdraw(user=mentee, request_id=request.pk)
        assert error.value.status == 409

    def test_cannot_decline_accepted(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        services.request_accept(user=mentor, request_id=request.pk)
        with pytest.raises(ApplicationError):
            services.request_decline(user=mentor, request_id=request.pk)


class TestExpiry:
    def test_expire_and_remind_once(self, program, mentor, mentee):
        request = send(program, mentee, mentor)
        soon = request.expires_at - timedelta(days=1)
        assert services.requests_remind_expiring(now=soon) == 1
        assert services.requests_remind_expiring(now=soon) == 0
        assert services.requests_expire(now=soon) == 0
        later = request.expires_at + timedelta(seconds=1)
        assert services.requests_expire(now=later) == 1
        assert services.requests_expire(now=later) == 0
        request.refresh_from_db()
        assert request.state == RequestState.EXPIRED
        assert Notification.objects.filter(kind="request_expiring", recipient=mentor).count() == 1
