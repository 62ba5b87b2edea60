"""Reads about programs, scoped to what the caller may see, and the ``access_*`` helpers
every view, API handler and service uses to fetch a program's objects for a caller.

One table, ``NEEDS``, says which enrolment gives which access to a program; the program-admin
rule is one row of it (an active admin enrolment, held by an active account). Site staff
(``is_staff``) get nothing from their flag here: it opens Django's site admin, not a program's
participants, match runs or pairs. Staff create programs and become admin of those they create.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from tandem.core.exceptions import NotFound, PermissionDenied
from tandem.core.locking import lockable
from tandem.core.search import contains_folded
from tandem.people.models import User
from tandem.people.selectors import is_signed_in, profiles_visible_to
from tandem.programs.models import (
    CLOSED_STATUSES,
    Enrolment,
    EnrolmentStatus,
    ImportBatch,
    Invitation,
    ParticipantInvitation,
    Program,
    Role,
)
from tandem.programs.selectors.joining import answers_in_question_order

MEMBER_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED)
PROGRAM_NOT_FOUND = "No such program, or you are not part of it."
ONLY_MENTEES = "Only active mentees of this program can browse its mentors."


class ProgramAccess(StrEnum):
    """How much of a program the caller needs (``access_program(need=...)``)."""

    VIEW = "view"  # its overview page: also while one's enrolment awaits approval
    MEMBER = "member"  # its pages for participants: an active or paused enrolment
    ACTIVE = "active"  # start something in it (a request): an active enrolment, not archived
    MENTEE = "mentee"  # browse its mentors: an active mentee enrolment
    ADMIN = "admin"  # run it: an active admin enrolment (the program-admin rule)


# The enrolment that grants each level; one row per rule, nothing else grants access.
NEEDS: dict[ProgramAccess, Q] = {
    ProgramAccess.VIEW: Q(status__in=(*MEMBER_STATUSES, EnrolmentStatus.PENDING)),
    ProgramAccess.MEMBER: Q(status__in=MEMBER_STATUSES),
    ProgramAccess.ACTIVE: Q(status=EnrolmentStatus.ACTIVE, program__archived_at__isnull=True),
    ProgramAccess.MENTEE: Q(status=EnrolmentStatus.ACTIVE, role=Role.MENTEE),
    ProgramAccess.ADMIN: Q(status=EnrolmentStatus.ACTIVE, role=Role.ADMIN),
}


def program_has_access(*, user: User | AnonymousUser, program_id: int, need: ProgramAccess) -> bool:
    if not is_signed_in(user):
        return False
    # ``program__pk`` (not ``program_id``): an id past 64 bits then matches nothing instead of
    # overflowing the database parameter (a 500).
    return Enrolment.objects.filter(NEEDS[need], program__pk=program_id, person=user).exists()


def is_program_admin(*, user: User | AnonymousUser, program_id: int) -> bool:
    """The one program-admin rule, for every page, endpoint and service."""
    return program_has_access(user=user, program_id=program_id, need=ProgramAccess.ADMIN)


def program_admin_enrolments(*, program_id: int, for_update: bool = False) -> QuerySet[Enrolment]:
    """The enrolments whose holders administer the program by the rule above (the services keep
    at least one). ``for_update`` locks them (inside ``transaction.atomic`` only)."""
    admins = Enrolment.objects.filter(
        NEEDS[ProgramAccess.ADMIN], program__pk=program_id, person__is_active=True
    )
    return lockable(admins, for_update=for_update)


def program_admin_person_ids(*, program_id: int, person_ids: list[int]) -> set[int]:
    """Which of ``person_ids`` administer the program (one query, for a page of rows)."""
    admins = program_admin_enrolments(program_id=program_id).filter(person_id__in=person_ids)
    return set(admins.values_list("person_id", flat=True))


def admin_invitation_list(*, program: Program) -> QuerySet[ParticipantInvitation]:
    """Invitations to become an admin of the program nobody answered or withdrew (an expired
    one too, until an admin invites again or withdraws it), newest sent first."""
    return ParticipantInvitation.objects.filter(
        program=program, role=Role.ADMIN, accepted_at=None, declined_at=None, withdrawn_at=None
    ).order_by("-created_at")


def program_list_administered_by(*, user: User | AnonymousUser) -> QuerySet[Program]:
    if not is_signed_in(user):
        return Program.objects.none()
    admin = Enrolment.objects.filter(NEEDS[ProgramAccess.ADMIN], person=user)
    return Program.objects.filter(pk__in=admin.values("program_id"))


def person_ever_enrolled(*, user: User | AnonymousUser) -> bool:
    """Whether ``user`` has ever joined or been invited into a program, closed enrolments too
    (their ended mentorships stay readable). Someone who never has (site staff, a person who
    signed up before any invitation) has no mentorships, messages or check-ins, so the
    navigation leaves those links out (UX reviews: they led a staff user, then someone newly
    signed up, to three empty pages)."""
    return is_signed_in(user) and Enrolment.objects.filter(person=user).exists()


def enrolment_list_for_person(*, user: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(person=user)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("program")
        .order_by("program__name", "role")
    )


def program_list_for_user(*, user: User) -> QuerySet[Program]:
    """Programs the user is enrolled in (not removed, not left)."""
    ids = (
        Enrolment.objects.filter(person=user)
        .exclude(status__in=CLOSED_STATUSES)
        .values("program_id")
    )
    return Program.objects.filter(pk__in=ids).order_by("name")


def access_program(
    *,
    user: User | AnonymousUser,
    slug: str | None = None,
    program_id: int | None = None,
    need: ProgramAccess = ProgramAccess.MEMBER,
    for_update: bool = False,
) -> Program:
    """The program (by ``slug`` or ``program_id``) if ``user`` has the access ``need`` names.

    Missing and forbidden raise the same ``NotFound``; the one exception is a member who is
    not a mentee asking for ``MENTEE`` (told why, 403). ``for_update`` locks the program row
    (inside ``transaction.atomic`` only).
    """
    if not is_signed_in(user):
        raise NotFound(PROGRAM_NOT_FOUND)
    lookup = {"slug": slug} if slug is not None else {"pk": program_id}
    program = lockable(Program.objects.all(), for_update=for_update).filter(**lookup).first()
    if program is None:
        raise NotFound(PROGRAM_NOT_FOUND)
    if program_has_access(user=user, program_id=program.pk, need=need):
        return program
    if need == ProgramAccess.MENTEE and program_has_access(
        user=user, program_id=program.pk, need=ProgramAccess.MEMBER
    ):
        raise PermissionDenied(ONLY_MENTEES)
    raise NotFound(PROGRAM_NOT_FOUND)


ENROLMENT_NOT_FOUND = "No such participant in a program you administer."


def access_enrolment(
    *,
    user: User | AnonymousUser,
    program_id: int,
    enrolment_id: int,
    allow_own: bool = False,
    for_update: bool = False,
) -> Enrolment:
    """An enrolment of ``program_id`` for its admins (and, with ``allow_own``, for the person
    enrolled). ``for_update`` locks it (inside ``transaction.atomic`` only)."""
    qs = lockable(
        Enrolment.objects.select_related("program", "person", "person__profile"),
        for_update=for_update,
    )
    enrolment = qs.filter(pk=enrolment_id, program__pk=program_id).first()
    if enrolment is None or not is_signed_in(user):
        raise NotFound(ENROLMENT_NOT_FOUND)
    if allow_own and enrolment.person_id == user.pk:
        return enrolment
    if not is_program_admin(user=user, program_id=enrolment.program_id):
        raise NotFound(ENROLMENT_NOT_FOUND)
    return enrolment


def own_standing_in(*, user: User | AnonymousUser, slug: str) -> list[Enrolment]:
    """The caller's own enrolments in the program ``slug`` when none of them makes the caller
    a member (each awaits approval or was closed): what the page that replaces a program
    page's 404 for them says. Empty for anyone else (a member, an outsider, a missing slug)."""
    if not is_signed_in(user):
        return []
    mine = list(
        Enrolment.objects.filter(program__slug=slug, person=user)
        .select_related("program")
        .order_by("role")
    )
    if any(enrolment.status in MEMBER_STATUSES for enrolment in mine):
        return []
    return mine


def enrolment_list_for_user_in_program(*, user: User, program: Program) -> list[Enrolment]:
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
            contains_folded(term, "person__email", "person__first_name", "person__last_name")
        )
    return qs.order_by("person__email", "role")


PARTICIPANT_ROW_FIELDS = (
    "program_id",
    "person_id",
    "role",
    "status",
    "capacity",
    "answers",
    "created_at",
    "person__email",
    "person__first_name",
    "person__last_name",
    "person__profile__department",
    "person__profile__timezone",
)


def participant_rows(*, ids: list[int], viewer: User) -> list[Enrolment]:
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
        enrolments=answers_in_question_order([rows[pk] for pk in ids if pk in rows]),
        viewer=viewer,
    )


def participants_mark_profile_visible(
    *, enrolments: list[Enrolment], viewer: User
) -> list[Enrolment]:
    """Set ``profile_visible`` on each enrolment by the profile page's own rule (a removed
    participant's profile is not the admin's to open, so the list names them without a link)."""
    visible = profiles_visible_to(viewer=viewer, user_ids=[e.person_id for e in enrolments])
    for enrolment in enrolments:
        # A mark for the page only (like an annotation), not a model field.
        enrolment.profile_visible = enrolment.person_id in visible  # type: ignore[attr-defined]
    return enrolments


def invitation_list(*, program: Program) -> QuerySet[Invitation]:
    return Invitation.objects.filter(program=program).order_by("-created_at")


INVITATION_NOT_FOUND = "No such invitation."
INVITATION_LINK_NOT_VALID = "This invitation link is not valid. Check you copied all of it."


def access_invitation(
    *,
    user: User | AnonymousUser,
    token: str | None = None,
    program_id: int | None = None,
    invitation_id: int | None = None,
    for_update: bool = False,
) -> Invitation:
    """An invitation link: by its ``token`` for anyone holding it, signed in or not (the token
    is the secret; the join page shows it before sign-in), or by ``program_id`` and
    ``invitation_id`` for the program's admins. ``for_update`` locks it (inside
    ``transaction.atomic`` only)."""
    qs = lockable(Invitation.objects.select_related("program"), for_update=for_update)
    if token is not None:
        by_token = qs.filter(token=token).first()
        if by_token is None:
            raise NotFound(INVITATION_LINK_NOT_VALID)
        return by_token
    invitation = qs.filter(pk=invitation_id, program__pk=program_id).first()
    if invitation is None or not is_program_admin(user=user, program_id=invitation.program_id):
        raise NotFound(INVITATION_NOT_FOUND)
    return invitation


def import_batch_list(*, program: Program) -> QuerySet[ImportBatch]:
    return (
        ImportBatch.objects.filter(program=program).defer("content").select_related("uploaded_by")
    )


IMPORT_BATCH_NOT_FOUND = "No such import for this program."


def access_import_batch(
    *,
    user: User,
    slug: str | None = None,
    program_id: int | None = None,
    batch_id: int,
    for_update: bool = False,
) -> ImportBatch:
    """One upload (without its bytes) of the program ``slug`` or ``program_id``, for the
    program's admins. ``for_update`` locks it (inside ``transaction.atomic`` only)."""
    lookup = {"program__slug": slug} if slug is not None else {"program__pk": program_id}
    qs = lockable(
        ImportBatch.objects.defer("content", "problem_rows").select_related(
            "program", "uploaded_by"
        ),
        for_update=for_update,
    )
    batch = qs.filter(pk=batch_id, **lookup).first()
    if batch is None or not is_program_admin(user=user, program_id=batch.program_id):
        raise NotFound(IMPORT_BATCH_NOT_FOUND)
    return batch


def participant_invitation_list(*, program: Program) -> QuerySet[ParticipantInvitation]:
    return ParticipantInvitation.objects.filter(program=program).order_by("-created_at")


PARTICIPANT_INVITATION_NOT_FOUND = (
    "This invitation does not exist or is for another email address. Log in with the address "
    "the invitation was sent to."
)


def access_participant_invitation(
    *, user: User, token: str, for_update: bool = False
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
