"""Reads about programs, scoped to what the caller may see.

Membership rule used everywhere: a person is a *member* of a program when they hold an
enrolment in it whose status is active or paused. A pending enrolment only lets its holder see
the program's overview page. Program admins are members holding an active ``admin`` enrolment;
site staff (``is_staff``) may administer every program.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.people.selectors import profiles_visible_to
from tandem.programs.models import (
    Enrolment,
    EnrolmentStatus,
    ImportBatch,
    Invitation,
    ParticipantInvitation,
    Program,
    Role,
)

MEMBER_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED)
PROGRAM_NOT_FOUND = "No such program, or you are not part of it."


def program_list_administered_by(*, user) -> QuerySet[Program]:
    return Program.objects.filter(
        enrolments__person=user,
        enrolments__role=Role.ADMIN,
        enrolments__status=EnrolmentStatus.ACTIVE,
    ).distinct()


def enrolment_list_for_person(*, user) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(person=user)
        .exclude(status=EnrolmentStatus.REMOVED)
        .select_related("program")
        .order_by("program__name", "role")
    )


def program_list_for_user(*, user) -> QuerySet[Program]:
    """Programs the user is enrolled in (not removed); site staff see every program."""
    if user.is_staff:
        return Program.objects.all().order_by("name")
    ids = (
        Enrolment.objects.filter(person=user)
        .exclude(status=EnrolmentStatus.REMOVED)
        .values("program_id")
    )
    return Program.objects.filter(pk__in=ids).order_by("name")


def is_program_admin(*, user, program: Program) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return Enrolment.objects.filter(
        program=program, person=user, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE
    ).exists()


def _program_by(*, slug: str | None, program_id: int | None) -> Program:
    lookup = {"slug": slug} if slug is not None else {"pk": program_id}
    program = Program.objects.filter(**lookup).first()
    if program is None:
        raise NotFound(PROGRAM_NOT_FOUND)
    return program


def access_program_for_admin(
    *, user, slug: str | None = None, program_id: int | None = None
) -> Program:
    """The program if ``user`` administers it; otherwise the same 404 as a missing one."""
    if not user.is_authenticated:
        raise NotFound(PROGRAM_NOT_FOUND)
    program = _program_by(slug=slug, program_id=program_id)
    if not is_program_admin(user=user, program=program):
        raise NotFound(PROGRAM_NOT_FOUND)
    return program


def access_program_for_member(
    *, user, slug: str | None = None, program_id: int | None = None, allow_pending: bool = False
) -> Program:
    """The program if ``user`` is a member (active or paused; pending when allowed).

    Missing and forbidden raise the same ``NotFound``.
    """
    if not user.is_authenticated:
        raise NotFound(PROGRAM_NOT_FOUND)
    program = _program_by(slug=slug, program_id=program_id)
    if user.is_staff:
        return program
    statuses = [*MEMBER_STATUSES, EnrolmentStatus.PENDING] if allow_pending else MEMBER_STATUSES
    enrolled = Enrolment.objects.filter(program=program, person=user, status__in=statuses)
    if not enrolled.exists():
        raise NotFound(PROGRAM_NOT_FOUND)
    return program


def enrolment_list_for_user_in_program(*, user, program: Program) -> list[Enrolment]:
    return list(Enrolment.objects.filter(program=program, person=user).order_by("role"))


@dataclass(frozen=True)
class ProgramCounts:
    by_role: dict[str, dict[str, int]]
    total: int


def program_counts(*, program: Program) -> ProgramCounts:
    """Enrolments by role and status in one query."""
    rows = (
        Enrolment.objects.filter(program=program)
        .values("role", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_role: dict[str, dict[str, int]] = {
        role: dict.fromkeys(EnrolmentStatus.values, 0) for role in Role.values
    }
    total = 0
    for row in rows:
        by_role[row["role"]][row["status"]] = row["n"]
        total += row["n"]
    return ProgramCounts(by_role=by_role, total=total)


def participant_list(
    *, program: Program, role: str = "", status: str = "", search: str = ""
) -> QuerySet[Enrolment]:
    """Enrolments of a program for its admins, with the person and profile joined."""
    qs = Enrolment.objects.filter(program=program).select_related("person", "person__profile")
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(status=status)
    term = search.strip()
    if term:
        qs = qs.filter(
            Q(person__email__icontains=term)
            | Q(person__first_name__icontains=term)
            | Q(person__last_name__icontains=term)
        )
    return qs.order_by("person__email", "role")


PARTICIPANT_ROW_FIELDS = (
    "program_id",
    "person_id",
    "role",
    "status",
    "capacity",
    "created_at",
    "person__email",
    "person__first_name",
    "person__last_name",
    "person__profile__department",
    "person__profile__timezone",
)


def participant_rows(*, ids: list[int], viewer) -> list[Enrolment]:
    """The enrolments ``ids`` (one page, in that order) with only what the list shows, each
    with ``profile_visible``: whether ``viewer`` may open the person's profile.

    Pages are cut from a narrow id query first, so a deep page never makes the database sort
    and skip over wide rows.
    """
    rows = {
        e.pk: e
        for e in Enrolment.objects.filter(pk__in=ids)
        .select_related("person", "person__profile")
        .only(*PARTICIPANT_ROW_FIELDS)
    }
    return participants_mark_profile_visible(
        enrolments=[rows[pk] for pk in ids if pk in rows], viewer=viewer
    )


def participants_mark_profile_visible(*, enrolments: list[Enrolment], viewer) -> list[Enrolment]:
    """Set ``profile_visible`` on each enrolment by the profile page's own rule (a removed
    participant's profile is not the admin's to open, so the list names them without a link)."""
    visible = profiles_visible_to(viewer=viewer, user_ids=[e.person_id for e in enrolments])
    for enrolment in enrolments:
        enrolment.profile_visible = enrolment.person_id in visible
    return enrolments


def invitation_list(*, program: Program) -> QuerySet[Invitation]:
    return Invitation.objects.filter(program=program).order_by("-created_at")


def invitation_get_by_token(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("program").filter(token=token).first()
    if invitation is None:
        raise NotFound("This invitation link is not valid. Check you copied all of it.")
    return invitation


def import_batch_list(*, program: Program) -> QuerySet[ImportBatch]:
    return (
        ImportBatch.objects.filter(program=program).defer("content").select_related("uploaded_by")
    )


IMPORT_BATCH_NOT_FOUND = "No such import for this program."


def access_import_batch(*, program: Program, batch_id: int) -> ImportBatch:
    """One upload of ``program`` (the caller has checked the admin), without its bytes."""
    batch = ImportBatch.objects.defer("content").filter(pk=batch_id, program=program).first()
    if batch is None:
        raise NotFound(IMPORT_BATCH_NOT_FOUND)
    return batch


def participant_invitation_list(*, program: Program) -> QuerySet[ParticipantInvitation]:
    return ParticipantInvitation.objects.filter(program=program).order_by("-created_at")


PARTICIPANT_INVITATION_NOT_FOUND = (
    "This invitation does not exist or is for another email address. Log in with the address "
    "the invitation was sent to."
)


def access_participant_invitation(
    *, user, token: str, for_update: bool = False
) -> ParticipantInvitation:
    """The import invitation behind ``token``, only for the account it was sent to (the same
    error for a wrong token and someone else's invitation). ``for_update`` locks it (inside
    ``transaction.atomic`` only), so two answers cannot both go through."""
    qs = lockable(ParticipantInvitation.objects.select_related("program"), for_update=for_update)
    invitation = qs.filter(token=token).first()
    if invitation is None:
        raise NotFound(PARTICIPANT_INVITATION_NOT_FOUND)
    if invitation.email.lower() != (user.email or "").lower():
        raise NotFound(PARTICIPANT_INVITATION_NOT_FOUND)
    return invitation
