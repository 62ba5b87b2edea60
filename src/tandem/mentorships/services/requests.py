"""Mentorship requests: pending → accepted | declined | withdrawn | expired."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.locking import lockable
from tandem.mentorships.models import (
    OPEN_STATES,
    Mentorship,
    MentorshipRequest,
    RequestState,
)
from tandem.mentorships.selectors import access_request, ended_early_between
from tandem.mentorships.services.common import (
    capacity_of,
    lock_enrolments,
    mentee_enrolment,
    mentor_enrolment,
    roles_of,
)
from tandem.mentorships.services.kept_apart import kept_apart
from tandem.mentorships.services.lifecycle import mentorship_open
from tandem.mentorships.services.one_mentor import check_mentee_free
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send
from tandem.people.models import User
from tandem.programs.models import Program, ProgramType, Role
from tandem.programs.selectors import ProgramAccess, access_program

RECIPIENT_NOT_ELIGIBLE = "That person is not an active mentor in this program."
RECIPIENT_NOT_MENTEE = "That person is not an active mentee in this program."
RECIPIENT_NOT_MEMBER = "That person is not an active member of this program."
SENDER_NOT_MENTEE = "Only mentees can send requests in this program."
SENDER_NOT_PARTICIPANT = (
    "Only the program's mentors and mentees send requests; as its admin, match people instead."
)
NOT_TO_SELF = "You cannot send a request to yourself."
MESSAGE_REQUIRED = "Say a few words about your goals, so they can decide."
MESSAGE_TOO_LONG = "Keep the message under {limit} characters."
TOO_MANY_OPEN = (
    "You already have {count} open requests in this program (the most allowed). "
    "Wait for an answer or withdraw one first."
)
ALREADY_PENDING = "There is already an open request between you two in this program."
ALREADY_PAIRED = "You two already have a mentorship in this program."
ENDED_EARLY_PAIR = (
    "Your mentorship with {name} in this program ended early, so you cannot start another "
    "one together here. Choose someone else."
)
KEPT_APART = (
    "The program keeps you and {name} apart, so you cannot ask them here. Choose someone else."
)
NOT_PENDING = "This request is already {state}; it can no longer be {action}."
REQUEST_EXPIRED = "This request has expired; it can no longer be accepted."
ONLY_RECIPIENT = "Only the person who received this request can answer it."
ONLY_SENDER = "Only the person who sent this request can withdraw it."
MENTOR_NOT_ACTIVE = "You are no longer an active mentor in this program."
YOU_NOT_ACTIVE = "You are no longer an active member of this program."
OTHER_NOT_ACTIVE = (
    "{name} is no longer an active member of this program (they left, or an admin paused or "
    "removed them), so this request can no longer be accepted."
)
AT_CAPACITY = (
    "You are at capacity ({capacity} mentorships in this program). End or complete "
    "one, or ask the program admin to raise your capacity, before accepting."
)
DECLINE_REASON_LIMIT = 1000
REASON_TOO_LONG = f"Keep the reason under {DECLINE_REASON_LIMIT} characters."
NO_DIRECT_REQUESTS = (
    "In {program} the program admins match mentors and mentees; direct requests are turned "
    "off. Ask a program admin if you hope for a particular mentor."
)

MESSAGE_LIMIT = 2000


def _roles_for(
    *, program: Program, sender_roles: set[str], recipient_roles: set[str]
) -> tuple[str, str] | ApplicationError:
    """Who mentors whom: ``("recipient"|"sender", ...)`` or the error to raise."""
    if not sender_roles - {Role.ADMIN}:
        return ApplicationError(SENDER_NOT_PARTICIPANT, status=403)
    if program.program_type == ProgramType.PEER:
        if not recipient_roles - {Role.ADMIN}:
            return ApplicationError(
                RECIPIENT_NOT_MEMBER, fields={"recipient": RECIPIENT_NOT_MEMBER}
            )
        return ("recipient", "sender")
    if Role.MENTEE in sender_roles and Role.MENTOR in recipient_roles:
        return ("recipient", "sender")
    if (
        program.program_type == ProgramType.REVERSE
        and Role.MENTOR in sender_roles
        and Role.MENTEE in recipient_roles
    ):
        return ("sender", "recipient")
    if Role.MENTEE not in sender_roles and program.program_type == ProgramType.CLASSIC:
        return ApplicationError(SENDER_NOT_MENTEE, status=403)
    # Worded by whom the sender may ask: a reverse program's mentor asks mentees.
    message = RECIPIENT_NOT_ELIGIBLE if Role.MENTEE in sender_roles else RECIPIENT_NOT_MENTEE
    return ApplicationError(message, fields={"recipient": message})


def _pair_q(a_id: int, b_id: int) -> Q:
    return Q(mentor_id=a_id, mentee_id=b_id) | Q(mentor_id=b_id, mentee_id=a_id)


def request_pair_check(*, program: Program, sender: User, recipient: User) -> None:
    """Nothing between the two stands in the way: no request waiting, no open mentorship, no
    mentorship of theirs in this program that ended early, and the program does not keep them
    apart (``kept_apart``; which rule, and which side's, is not told). The new-request page
    asks it before offering the form, so nobody writes a message only to have it refused
    (matching review: the form was offered for a previous mentor and for excluded pairs)."""
    if MentorshipRequest.objects.filter(
        Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender),
        program=program,
        state=RequestState.PENDING,
    ).exists():
        raise ApplicationError(ALREADY_PENDING, status=409)
    if Mentorship.objects.filter(
        _pair_q(sender.pk, recipient.pk), program=program, state__in=OPEN_STATES
    ).exists():
        raise ApplicationError(ALREADY_PAIRED, status=409)
    if ended_early_between(program_id=program.pk, first_id=sender.pk, second_id=recipient.pk):
        error = ENDED_EARLY_PAIR.format(name=recipient.display_name)
        raise ApplicationError(error, status=409, fields={"recipient": error})
    if kept_apart(program=program, first=sender, second=recipient):
        error = KEPT_APART.format(name=recipient.display_name)
        raise ApplicationError(error, status=409, fields={"recipient": error})


def request_create(
    *, sender: User, program_id: int, recipient_id: int, message: str
) -> MentorshipRequest:
    message = (message or "").strip()
    if not message:
        raise ApplicationError(MESSAGE_REQUIRED, fields={"message": MESSAGE_REQUIRED})
    if len(message) > MESSAGE_LIMIT:
        error = MESSAGE_TOO_LONG.format(limit=MESSAGE_LIMIT)
        raise ApplicationError(error, fields={"message": error})
    if recipient_id == sender.pk:
        raise ApplicationError(NOT_TO_SELF, fields={"recipient": NOT_TO_SELF})
    with transaction.atomic():
        # Lock both people's enrolments (one query, pk order) so two sends at once cannot
        # both pass the limit, so an accept of another of the sender's requests waits for
        # this one (request_accept), and so neither can leave the program between the check
        # below and the write: leaving waits for this send and then closes the request, or
        # this send waits for leaving and finds them gone (programs/services/leaving.py).
        locked = lock_enrolments(program_id=program_id, person_ids=[sender.pk, recipient_id])
        sender_enrolments = [e for e in locked if e.person_id == sender.pk]
        program = access_program(user=sender, program_id=program_id, need=ProgramAccess.ACTIVE)
        if not program.takes_direct_requests:
            raise ApplicationError(NO_DIRECT_REQUESTS.format(program=program.name), status=403)
        recipient_enrolments = [e for e in locked if e.person_id == recipient_id]
        roles = _roles_for(
            program=program,
            sender_roles=roles_of(sender_enrolments),
            recipient_roles=roles_of(recipient_enrolments),
        )
        if isinstance(roles, ApplicationError):
            raise roles
        recipient = recipient_enrolments[0].person
        mentor, mentee = (recipient, sender) if roles[0] == "recipient" else (sender, recipient)
        open_count = MentorshipRequest.objects.filter(
            program=program, sender=sender, state=RequestState.PENDING
        ).count()
        if open_count >= program.max_open_requests:
            raise ApplicationError(TOO_MANY_OPEN.format(count=open_count), status=409)
        request_pair_check(program=program, sender=sender, recipient=recipient)
        if mentee.pk == sender.pk:
            # Only the mentee's own send is refused for their mentor: a reverse-program mentor
            # may not learn from a refusal whether someone else's mentee has a mentor (that
            # is the pair's and the admins' to read); the mentee's accept refuses instead.
            check_mentee_free(program=program, mentee=mentee, user=sender)
        try:
            with transaction.atomic():
                request = MentorshipRequest.objects.create(
                    program=program,
                    sender=sender,
                    recipient=recipient,
                    mentor=mentor,
                    mentee=mentee,
                    message=message,
                    expires_at=timezone.now() + timedelta(days=program.request_expiry_days),
                )
        except IntegrityError:
            raise ApplicationError(ALREADY_PENDING, status=409) from None
        notify_send(
            recipient=recipient,
            kind=Kind.REQUEST_RECEIVED,
            title=f"{sender.display_name} asks you to "
            f"{'mentor them' if mentor == recipient else 'be their mentee'}",
            body=f"In {program.name}: “{message[:300]}”",
            url=reverse("request_detail", args=[request.pk]),
        )
    return request


def _check_pending(request: MentorshipRequest, action: str) -> None:
    if request.state != RequestState.PENDING:
        raise ApplicationError(
            NOT_PENDING.format(state=request.get_state_display().lower(), action=action), status=409
        )


def _mentee_pending(request: MentorshipRequest) -> Q:
    """The pending requests the request's mentee sent in its program."""
    return Q(
        program_id=request.program_id,
        sender_id=request.mentee_id,
        mentee_id=request.mentee_id,
        state=RequestState.PENDING,
    )


def _lock_with_mentee_requests(*, user: User, request_id: int) -> MentorshipRequest:
    """The request and the mentee's other pending requests in its program, locked in one
    query in pk order (the lock order in docs/mentorships.md): two mentors accepting the same
    mentee's requests at once take turns instead of deadlocking, and the second then finds
    its request withdrawn. Returns the request as it is now."""
    seen = access_request(user=user, request_id=request_id)
    mine = MentorshipRequest.objects.filter(Q(pk=seen.pk) | _mentee_pending(seen))
    list(lockable(mine.order_by("pk"), for_update=True))
    # Already locked by this transaction, so no wait: the state another accept left behind.
    return access_request(user=user, request_id=request_id, for_update=True)


def _refuse_not_active(*, user: User, person: User, mentor: bool) -> NoReturn:
    """409: one side of the request no longer holds an active place in its program."""
    if person.pk == user.pk:
        raise ApplicationError(MENTOR_NOT_ACTIVE if mentor else YOU_NOT_ACTIVE, status=409)
    raise ApplicationError(OTHER_NOT_ACTIVE.format(name=person.display_name), status=409)


def request_accept(*, user: User, request_id: int) -> Mentorship:
    with transaction.atomic():
        request = _lock_with_mentee_requests(user=user, request_id=request_id)
        if request.recipient_id != user.pk:
            raise ApplicationError(ONLY_RECIPIENT, status=403)
        _check_pending(request, "accepted")
        now = timezone.now()
        if request.expires_at <= now:
            raise ApplicationError(REQUEST_EXPIRED, status=409)
        program = request.program
        enrolments = lock_enrolments(
            program_id=program.pk, person_ids={request.mentor_id, request.mentee_id}
        )
        enrolment = mentor_enrolment(
            program, (e for e in enrolments if e.person_id == request.mentor_id)
        )
        if enrolment is None:
            _refuse_not_active(user=user, person=request.mentor, mentor=True)
        if (
            mentee_enrolment(program, (e for e in enrolments if e.person_id == request.mentee_id))
            is None
        ):
            # They left (or an admin paused or removed them as a mentee) after it was sent.
            _refuse_not_active(user=user, person=request.mentee, mentor=False)
        capacity = capacity_of(program=program, enrolment=enrolment)
        taken = Mentorship.objects.filter(
            program=program, mentor_id=request.mentor_id, state__in=OPEN_STATES
        ).count()
        if taken >= capacity:
            raise ApplicationError(AT_CAPACITY.format(capacity=capacity), status=409)
        if Mentorship.objects.filter(
            _pair_q(request.mentor_id, request.mentee_id), program=program, state__in=OPEN_STATES
        ).exists():
            raise ApplicationError(ALREADY_PAIRED, status=409)
        check_mentee_free(program=program, mentee=request.mentee, user=user)
        # Read with the mentee's enrolment held: a request they sent meanwhile is withdrawn too.
        # Whoever holds one waits for nothing this accept holds, so this last lock is safe.
        pending = MentorshipRequest.objects.filter(_mentee_pending(request)).exclude(pk=request.pk)
        others = list(lockable(pending.select_related("recipient").order_by("pk"), for_update=True))
        request.state = RequestState.ACCEPTED
        request.decided_at = now
        request.save(update_fields=["state", "decided_at"])
        mentorship = mentorship_open(
            program=program,
            mentor=request.mentor,
            mentee=request.mentee,
            actor=user,
            origin_request=request,
        )
        _withdraw_others(request=request, others=others, now=now)
        notify_send(
            recipient=request.sender,
            kind=Kind.REQUEST_ANSWERED,
            title=f"{user.display_name} accepted your request",
            body="Next: agree how you will work together, and both sign the agreement.",
            url=reverse("mentorship_detail", args=[mentorship.pk]),
        )
    return mentorship


def _withdraw_others(
    *, request: MentorshipRequest, others: list[MentorshipRequest], now: datetime
) -> None:
    """A mentee who is now matched does not keep other mentors waiting."""
    if not others:
        return
    MentorshipRequest.objects.filter(pk__in=[o.pk for o in others]).update(
        state=RequestState.WITHDRAWN, decided_at=now
    )
    mentee = request.mentee
    for other in others:
        notify_send(
            recipient=other.recipient,
            kind=Kind.REQUEST_CLOSED,
            title=f"{mentee.display_name} withdrew their request",
            body="They have found a mentor in this program. Thank you for considering it.",
            url=reverse("request_inbox"),
        )
    names = ", ".join(other.recipient.display_name for other in others)
    requests, were = ("requests", "were") if len(others) > 1 else ("request", "was")
    notify_send(
        recipient=mentee,
        kind=Kind.REQUEST_CLOSED,
        title=f"Your other open {requests} {were} withdrawn",
        body=f"Now that you have a mentor, we withdrew your {requests} to {names}.",
        url=reverse("request_inbox"),
    )


def request_decline(*, user: User, request_id: int, reason: str = "") -> MentorshipRequest:
    reason = (reason or "").strip()
    if len(reason) > DECLINE_REASON_LIMIT:
        raise ApplicationError(REASON_TOO_LONG, fields={"reason": REASON_TOO_LONG})
    with transaction.atomic():
        request = access_request(user=user, request_id=request_id, for_update=True)
        if request.recipient_id != user.pk:
            raise ApplicationError(ONLY_RECIPIENT, status=403)
        _check_pending(request, "declined")
        request.state = RequestState.DECLINED
        request.decline_reason = reason
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "decline_reason", "decided_at"])
        body = (
            "They can't take this on right now. That says nothing about you — "
            "another mentor may be a great fit."
        )
        if reason:
            body = f"Their note: “{reason}”\n\n{body}"
        notify_send(
            recipient=request.sender,
            kind=Kind.REQUEST_ANSWERED,
            title=f"{user.display_name} can't take on your request",
            body=body,
            url=reverse("request_inbox"),
        )
    return request


def request_withdraw(*, user: User, request_id: int) -> MentorshipRequest:
    with transaction.atomic():
        request = access_request(user=user, request_id=request_id, for_update=True)
        if request.sender_id != user.pk:
            raise ApplicationError(ONLY_SENDER, status=403)
        _check_pending(request, "withdrawn")
        request.state = RequestState.WITHDRAWN
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "decided_at"])
        notify_send(
            recipient=request.recipient,
            kind=Kind.REQUEST_CLOSED,
            title=f"{user.display_name} withdrew their request",
            url=reverse("request_inbox"),
        )
    return request
