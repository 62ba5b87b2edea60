"""Writes about who is in a program: invitation links, joining through one, and the admins'
decisions on enrolments (approve, pause, remove, reactivate, admit from the waitlist,
capacity). Each change of who holds a place locks the program first (``services/waitlist.py``)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.locking import refuse_repeat
from tandem.core.saving import model_update
from tandem.core.text import clean_text
from tandem.matching.records.cells import CellError, check_capacity
from tandem.people.models import User
from tandem.programs.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PARTICIPANT_ROLES,
    Enrolment,
    EnrolmentQuestion,
    EnrolmentStatus,
    Invitation,
    Program,
    Role,
)
from tandem.programs.notices import enrolment_pending_notify
from tandem.programs.selectors import (
    ProgramAccess,
    access_enrolment,
    access_invitation,
    access_program,
    program_admin_enrolments,
)
from tandem.programs.selectors.joining import answer_field, join_questions
from tandem.programs.selectors.waitlist import PLACE_STATUSES
from tandem.programs.services.waitlist import (
    check_place_for,
    enrolment_entry_fields,
    program_lock,
    waitlist_admit,
    waitlist_entered,
    waitlist_fill,
)

INVITATION_REPEATED = (
    "A link with the same settings was just created and nobody has used it yet: use that one "
    "(the newest in the list). For a second link with these settings, create it in a minute."
)
# A link made twice within this time, unused, is a double submit. Links are the one thing an
# admin may want twice on purpose (one per channel, to revoke one without the other), so an
# identical link made later is a new one.
INVITATION_REPEAT_WINDOW = timedelta(minutes=1)
INVITATION_REVOKED = "This invitation link was revoked. Ask the program admin for a new one."
PARTICIPANT_ROLE_ONLY = (
    "Choose mentee or mentor (program admins are invited from the participants page)."
)
ADMIN_LINK = (
    "This link was made to add program admins, which a link can no longer do. "
    "Ask a program admin to invite you from the participants page."
)
INVITATION_EXPIRED = "This invitation link has expired. Ask the program admin for a new one."
INVITATION_USED_UP = (
    "This invitation link has been used as many times as allowed. "
    "Ask the program admin for a new one."
)
ALREADY_JOINED = (
    "You are already in {program} as {role} (status: {status}). There is nothing more to do."
)
ANSWER_REQUIRED = "Please answer this question."
ANSWER_TOO_LONG = "Keep the answer under 2000 characters."
NO_SUCH_QUESTION = "The program asks no such question of this role: leave it out."
ANSWERS_WRONG = "Some answers need attention."
CAPACITY_DELETED_ACCOUNT = "This person deleted their account: their enrolment cannot be changed."
BAD_TRANSITION = "You cannot {action} someone who is {status}."
UNKNOWN_ACTION = "Unknown action {action!r}: use approve, pause, remove, reactivate or admit."
LAST_ADMIN = "This is the program's last active admin; add another admin first."
CAPACITY_MENTORS_ONLY = "Only mentors have a capacity."
MAX_INVITATION_USES = 1_000_000  # far below the column's limit: 10**20 was a 500
BAD_MAX_USES = (
    f"Give a whole number of uses from 1 to {MAX_INVITATION_USES:,}, "
    "or leave it empty for no limit."
)
EXPIRY_IN_PAST = "The expiry must be in the future."
MAX_ANSWER = 2000
# action -> (statuses it may start from, status it leads to)
TRANSITIONS = {
    "approve": ((EnrolmentStatus.PENDING,), EnrolmentStatus.ACTIVE),
    "pause": ((EnrolmentStatus.ACTIVE,), EnrolmentStatus.PAUSED),
    "reactivate": ((EnrolmentStatus.PAUSED, EnrolmentStatus.REMOVED), EnrolmentStatus.ACTIVE),
    # Whatever still counts, as leaving: one rule (``OPEN_STATUSES``).
    "remove": (OPEN_STATUSES, EnrolmentStatus.REMOVED),
    # Out of the waitlist's order and past the role's limit: the admin's own call.
    "admit": ((EnrolmentStatus.WAITLISTED,), EnrolmentStatus.ACTIVE),
}
TAKES_A_PLACE = ("approve", "reactivate")


@transaction.atomic
def invitation_create(
    *,
    user: User,
    program_id: int,
    role: str,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
    auto_approve: bool = False,
) -> Invitation:
    program = access_program(user=user, program_id=program_id, need=ProgramAccess.ADMIN)
    errors = {}
    if role not in PARTICIPANT_ROLES:
        errors["role"] = PARTICIPANT_ROLE_ONLY
    if max_uses is not None and (
        isinstance(max_uses, bool) or not 1 <= max_uses <= MAX_INVITATION_USES
    ):
        errors["max_uses"] = BAD_MAX_USES
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = EXPIRY_IN_PAST
    if errors:
        raise ApplicationError("The invitation could not be created.", fields=errors)
    chosen = {
        "role": role,
        "auto_approve": auto_approve,
        "max_uses": max_uses,
        "expires_at": expires_at,
    }
    with transaction.atomic():
        # Creates of one program take turns (as match-run starts do), so a double click
        # finds the first click's link.
        program_lock(program_id=program.pk)
        refuse_repeat(
            program.invitations.filter(
                **chosen,
                created_by=user,
                uses=0,
                revoked_at__isnull=True,
                created_at__gt=timezone.now() - INVITATION_REPEAT_WINDOW,
            ),
            message=INVITATION_REPEATED,
            url=reverse("program_invitations", args=[program.slug]),
        )
        return Invitation.objects.create(
            program=program, token=secrets.token_urlsafe(32), created_by=user, **chosen
        )


@transaction.atomic
def invitation_revoke(*, user: User, program_id: int, invitation_id: int) -> Invitation:
    invitation = access_invitation(
        user=user, program_id=program_id, invitation_id=invitation_id, for_update=True
    )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(invitation: Invitation) -> str | None:
    """Why the link cannot be used now, in words for the visitor; ``None`` when it can."""
    if invitation.role not in PARTICIPANT_ROLES:  # made before links were limited (0008)
        return ADMIN_LINK
    return {
        "revoked": INVITATION_REVOKED,
        "expired": INVITATION_EXPIRED,
        "used up": INVITATION_USED_UP,
    }.get(invitation.state)


def check_join_answers(
    questions: list[EnrolmentQuestion], answers: dict[str, str]
) -> dict[str, str]:
    """The answers to keep, by prompt, from ``answers`` by ``q<question id>``; raises naming
    each required question left empty, answer too long or key the role is not asked (an API
    client's answer to another role's question, or a typo, was dropped without a word). One
    rule for whoever joins: by a link, or by accepting an import's invitation. Each answer is
    kept as a form keeps text (``clean_text``: LF line breaks), so one sent with CRLF by the API
    and again by the page is the same answer, and the retry is one (crawl review)."""
    asked = {f"q{question.pk}" for question in questions}
    errors = {key: NO_SUCH_QUESTION for key in answers if key not in asked}
    kept: dict[str, str] = {}
    for question in questions:
        key = answer_field(question)
        value = clean_text(answers.get(key))
        if question.required and not value:
            errors[key] = ANSWER_REQUIRED
        elif len(value) > MAX_ANSWER:
            errors[key] = ANSWER_TOO_LONG
        elif value:
            kept[question.prompt] = value
    if errors:
        raise ApplicationError(ANSWERS_WRONG, fields=errors)
    return kept


class Joined(NamedTuple):
    """The enrolment a join (or an accepted invitation by email) leaves; ``again`` when the
    call only repeated an earlier one (a retry) and wrote nothing, so the API can answer
    200 where the first answered 201."""

    enrolment: Enrolment
    again: bool


def enrolment_join_by_invitation(
    *, user: User, token: str, answers: dict[str, str] | None = None
) -> Enrolment:
    """``enrolment_join``'s enrolment, for callers to whom a retry is no different."""
    return enrolment_join(user=user, token=token, answers=answers).enrolment


@transaction.atomic
def enrolment_join(*, user: User, token: str, answers: dict[str, str] | None = None) -> Joined:
    """Join the invitation's program in its role: pending, or active when it auto-approves;
    on the waitlist when the role is full.

    ``answers`` maps ``q<question id>`` to the text; they are stored by question prompt.
    """
    invitation = access_invitation(user=user, token=token, for_update=True)
    program = program_lock(program_id=invitation.program_id)
    existing = Enrolment.objects.filter(program=program, person=user, role=invitation.role).first()
    questions = join_questions(program=program, role=invitation.role)
    if existing is not None and existing.status != EnrolmentStatus.LEFT:
        # Before the link's own state: the join being retried may have used its last use.
        return Joined(_joined_already(existing, questions, answers or {}), again=True)
    problem = invitation_problem(invitation)
    if problem:
        raise ApplicationError(problem, status=409)
    kept = check_join_answers(questions, answers or {})
    fields = {
        "answers": kept,
        "capacity": program.default_capacity if invitation.role == Role.MENTOR else None,
        **enrolment_entry_fields(
            program=program, role=invitation.role, approved=invitation.auto_approve
        ),
    }
    if existing is not None:  # they left by themself: a link brings them back as a new joiner
        model_update(existing, fields)
        enrolment = existing
    else:
        enrolment = _enrolment_create(program=program, user=user, invitation=invitation, **fields)
    Invitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    if enrolment.status == EnrolmentStatus.PENDING:
        enrolment_pending_notify(enrolment=enrolment)
    elif enrolment.status == EnrolmentStatus.WAITLISTED:
        waitlist_entered(enrolment=enrolment)
    return Joined(enrolment, again=False)


def _joined_already(
    existing: Enrolment, questions: list[EnrolmentQuestion], answers: dict[str, str]
) -> Enrolment:
    """A join by someone holding the role: the same join again (a retry after a lost answer,
    a double submit: the same answers, the enrolment still open) answers as the first did,
    writing nothing; anything else is refused, saying where they stand (an API review found
    a retry refused with a 409)."""
    try:
        same = check_join_answers(questions, answers) == existing.answers
    except ApplicationError:
        same = False
    if same and existing.status not in CLOSED_STATUSES:
        return existing
    raise ApplicationError(
        ALREADY_JOINED.format(
            program=existing.program.name,
            role=existing.get_role_display().lower(),
            status=existing.get_status_display().lower(),
        ),
        status=409,
    )


def _enrolment_create(
    *, program: Program, user: User, invitation: Invitation, **fields: Any
) -> Enrolment:
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                program=program, person=user, role=invitation.role, **fields
            )
    except IntegrityError:  # a double submit won the race: same answer as joining twice
        raise ApplicationError(
            ALREADY_JOINED.format(
                program=program.name,
                role=invitation.get_role_display().lower(),
                status="just joined",
            ),
            status=409,
        ) from None


@transaction.atomic
def enrolment_set_status(
    *, user: User, program_id: int, enrolment_id: int, action: str
) -> Enrolment:
    """approve (pending→active), pause (active→paused), reactivate (paused|removed→active),
    remove (pending|active|paused|waitlisted→removed), admit (waitlisted→active).

    Approve and reactivate respect the role's limit (``check_place_for``); a place that frees
    goes to the first on the waitlist in the same transaction."""
    if action not in TRANSITIONS:
        raise ApplicationError(
            UNKNOWN_ACTION.format(action=action),
            fields={"action": UNKNOWN_ACTION.format(action=action)},
        )
    # The caller's right first (nothing locked for outsiders), then the program before the row.
    access_enrolment(user=user, program_id=program_id, enrolment_id=enrolment_id)
    program_lock(program_id=program_id)
    enrolment = access_enrolment(
        user=user, program_id=program_id, enrolment_id=enrolment_id, for_update=True
    )
    sources, target = TRANSITIONS[action]
    if enrolment.status not in sources:
        raise ApplicationError(
            BAD_TRANSITION.format(action=action, status=enrolment.status_words),
            status=409,
        )
    if (
        enrolment.role == Role.ADMIN
        and enrolment.status == EnrolmentStatus.ACTIVE
        and target != EnrolmentStatus.ACTIVE
    ):
        admins = program_admin_enrolments(program_id=enrolment.program_id, for_update=True)
        if not admins.exclude(pk=enrolment.pk).exists():
            raise ApplicationError(LAST_ADMIN, status=409)
    if action in TAKES_A_PLACE:
        check_place_for(enrolment=enrolment, action=action)
    if action == "admit":
        return waitlist_admit(enrolment=enrolment, status=target)
    held_a_place = enrolment.status in PLACE_STATUSES
    enrolment.status = target
    enrolment.save(update_fields=["status", "updated_at"])
    if held_a_place and target not in PLACE_STATUSES:
        waitlist_fill(program=enrolment.program)
    return enrolment


@transaction.atomic
def enrolment_update_capacity(
    *, user: User, program_id: int, enrolment_id: int, capacity: int
) -> Enrolment:
    """A program admin, or the mentor themself, sets how many mentees they take at once.

    The enrolment must belong to ``program_id``: every check runs before the write.
    """
    enrolment = access_enrolment(
        user=user,
        program_id=program_id,
        enrolment_id=enrolment_id,
        allow_own=True,
        for_update=True,
    )
    if enrolment.role != Role.MENTOR:
        raise ApplicationError(CAPACITY_MENTORS_ONLY, fields={"capacity": CAPACITY_MENTORS_ONLY})
    if enrolment.person.is_deleted:  # as every other action on their enrolment
        raise ApplicationError(
            CAPACITY_DELETED_ACCOUNT, fields={"capacity": CAPACITY_DELETED_ACCOUNT}, status=409
        )
    try:
        checked = check_capacity(capacity)
    except CellError as error:
        raise ApplicationError(str(error), fields={"capacity": str(error)}) from None
    model_update(enrolment, {"capacity": checked})
    return enrolment
