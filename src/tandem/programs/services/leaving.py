"""A participant leaves a program by themself: every mentee and mentor enrolment they hold in
it becomes ``left``, the place it held goes to the first on the waitlist, and the apps above
close what hangs on it (``mentorships`` withdraws their open requests, and asks them to end an
open mentorship first: see docs/programs.md, *Leaving a program*).

Those apps are handed in (``register_leave_step`` in their ``AppConfig.ready``), as periodic
jobs are: ``programs`` imports nothing above it. Closing an account leaves every program the
same way, with its open mentorships ended instead of asked about (``closing_account``).

Lock order (docs/mentorships.md): each step's rows (the person's open requests), then the
program, then the person's enrolments in pk order, as accepting a request (requests, then
enrolments) and the admins' decisions (program, then enrolment) take them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.locking import lockable
from tandem.people.models import User
from tandem.programs.models import (
    OPEN_STATUSES,
    PARTICIPANT_ROLES,
    Enrolment,
    EnrolmentStatus,
    Program,
    Role,
)
from tandem.programs.notices import enrolment_left_notify
from tandem.programs.selectors import PROGRAM_NOT_FOUND, program_admin_enrolments
from tandem.programs.selectors.waitlist import PLACE_STATUSES
from tandem.programs.services.waitlist import program_lock, waitlist_fill

END_FIRST = "End your open mentorships in {program} first: {names}."
LAST_ADMIN = (
    "You are the last admin of {program}. Make someone else its admin first (Participants, "
    "Make admin); nothing was deleted."
)


@dataclass(frozen=True)
class Blocker:
    """Something to do before one can leave: in words, with the page where it is done."""

    text: str
    url: str


class LeaveStep(Protocol):
    """What an app above ``programs`` does when someone leaves one of its programs."""

    def lock(self, *, user: User, program: Program) -> None:
        """Lock the step's rows, before the program and the enrolments are."""

    def blockers(self, *, user: User, program: Program) -> list[Blocker]:
        """What must be done first (by the person); nothing when leaving may go ahead."""

    def consequences(self, *, user: User, program: Program) -> list[str]:
        """What leaving will do, in words for the page that asks first."""

    def apply(self, *, user: User, program: Program, closing_account: bool) -> None:
        """Do it (``closing_account``: the blockers are done here, not asked for)."""

    def program_ids_open(self, *, user: User) -> set[int]:
        """The programs where the step holds something of the person's still open, whatever
        their enrolment there (an admin may have removed them): closing the account closes it."""


_STEPS: list[LeaveStep] = []


def register_leave_step(step: LeaveStep) -> None:
    """Called once per app in ``AppConfig.ready``; registering one twice keeps one."""
    if step not in _STEPS:
        _STEPS.append(step)


@dataclass(frozen=True)
class LeavePlan:
    """What leaving ``program`` means for the person now: shown before they confirm."""

    program: Program
    enrolments: list[Enrolment]
    blockers: list[Blocker]
    consequences: list[str]


def _own_enrolments(*, user: User, program: Program) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(program=program, person=user, role__in=PARTICIPANT_ROLES).order_by(
            "pk"
        )
    )


def _program_of(*, user: User, slug: str) -> Program:
    """The program if the person holds, or held and left, a mentee or mentor enrolment in it;
    anyone else gets the 404 of a missing program."""
    program = Program.objects.filter(slug=slug).first() if user.is_authenticated else None
    if program is None or not any(
        e.status in (*OPEN_STATUSES, EnrolmentStatus.LEFT)
        for e in _own_enrolments(user=user, program=program)
    ):
        raise NotFound(PROGRAM_NOT_FOUND)
    return program


def leave_plan(*, user: User, slug: str) -> LeavePlan:
    """What leaving would do; the person's own enrolments only (``NotFound`` otherwise)."""
    program = _program_of(user=user, slug=slug)
    return LeavePlan(
        program=program,
        enrolments=[
            e for e in _own_enrolments(user=user, program=program) if e.status in OPEN_STATUSES
        ],
        blockers=[b for step in _STEPS for b in step.blockers(user=user, program=program)],
        consequences=[c for step in _STEPS for c in step.consequences(user=user, program=program)],
    )


def enrolment_leave(*, user: User, slug: str) -> list[Enrolment]:
    """Leave the program ``slug``: the person's own mentee and mentor enrolments become
    ``left``; returns them. Leaving again changes nothing (and a second click that waited for
    the first finds nothing left to do). Refused (409, naming them) while the person has an
    open mentorship in it. An admin enrolment stays: admins are removed on the participants
    page, where the last admin rule holds."""
    with transaction.atomic():
        program = _program_of(user=user, slug=slug)
        return _leave(user=user, program=program, roles=PARTICIPANT_ROLES, closing_account=False)


def enrolments_close_for_closed_account(*, user: User) -> None:
    """The account eraser (``people.services.closing``): leave every program, admin roles
    too, program by program in pk order; open mentorships end instead of being asked about.
    Refused (409) for the last active admin of a program."""
    program_ids = set(
        Enrolment.objects.filter(person=user, status__in=OPEN_STATUSES).values_list(
            "program_id", flat=True
        )
    )
    # Also where they hold no open enrolment (removed by an admin, say) but an open
    # mentorship or request still hangs on them: it ends there too, the other side told.
    for step in _STEPS:
        program_ids |= step.program_ids_open(user=user)
    for program in Program.objects.filter(pk__in=program_ids).order_by("pk"):
        _leave(user=user, program=program, roles=tuple(Role), closing_account=True)


def _leave(
    *, user: User, program: Program, roles: tuple[str, ...], closing_account: bool
) -> list[Enrolment]:
    for step in _STEPS:
        step.lock(user=user, program=program)
    program = program_lock(program_id=program.pk)
    # All of the person's enrolments here, in pk order, as accepting a request locks them.
    mine = list(
        lockable(
            Enrolment.objects.filter(program=program, person=user).order_by("pk"),
            for_update=True,
        )
    )
    leaving = [e for e in mine if e.role in roles and e.status in OPEN_STATUSES]
    if not leaving and not closing_account:
        return [e for e in mine if e.role in roles and e.status == EnrolmentStatus.LEFT]
    if any(e.role == Role.ADMIN and e.status == EnrolmentStatus.ACTIVE for e in leaving):
        admins = program_admin_enrolments(program_id=program.pk, for_update=True)
        if not admins.exclude(person=user).exists():
            raise ApplicationError(LAST_ADMIN.format(program=program.name), status=409)
    if not closing_account:
        blockers = [b for step in _STEPS for b in step.blockers(user=user, program=program)]
        if blockers:
            names = "; ".join(b.text for b in blockers)
            raise ApplicationError(END_FIRST.format(program=program.name, names=names), status=409)
    for step in _STEPS:
        step.apply(user=user, program=program, closing_account=closing_account)
    held_a_place = any(e.status in PLACE_STATUSES for e in leaving)
    Enrolment.objects.filter(pk__in=[e.pk for e in leaving]).update(
        status=EnrolmentStatus.LEFT, waitlisted_at=None, updated_at=timezone.now()
    )
    for enrolment in leaving:
        enrolment.status = EnrolmentStatus.LEFT
    admitted = waitlist_fill(program=program) if held_a_place else []
    participant_roles = [e.role for e in leaving if e.role in PARTICIPANT_ROLES]
    if participant_roles and not closing_account:
        # Once: a second click finds nothing left and returns above.
        enrolment_left_notify(
            person=user, program=program, roles=participant_roles, admitted=admitted
        )
    return leaving
