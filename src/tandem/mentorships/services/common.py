"""Pieces every mentorship service shares: the timeline, notifications, membership checks."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from django.urls import reverse

from tandem.core.locking import lockable
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.models import ActionItem, Mentorship, MentorshipEvent
from tandem.notify.services import notify_send
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, ProgramType, Role

NOT_A_PARTICIPANT = "Only the two people in this mentorship can do that."
MENTORSHIP_CLOSED = "This mentorship has ended; it can no longer be changed."


def event_add(
    *,
    mentorship: Mentorship,
    actor: User | None,
    kind: str,
    summary: str,
    due_at: datetime | None = None,
) -> MentorshipEvent:
    return MentorshipEvent.objects.create(
        mentorship=mentorship, actor=actor, kind=kind, summary=summary[:300], due_at=due_at
    )


def mentorship_url(mentorship: Mentorship | int) -> str:
    pk = mentorship if isinstance(mentorship, int) else mentorship.pk
    return reverse("mentorship_detail", args=[pk])


def notify_other(
    *,
    mentorship: Mentorship,
    actor: User,
    kind: str,
    title: str,
    body: str = "",
    url: str | None = None,
) -> None:
    notify_send(
        recipient=mentorship.other(actor),
        kind=kind,
        title=title,
        body=body,
        url=url if url is not None else mentorship_url(mentorship),
    )


def event_add_and_notify_other(
    *,
    mentorship: Mentorship,
    actor: User,
    event: str,
    summary: str,
    kind: str,
    title: str,
    body: str = "",
    due_at: datetime | None = None,
) -> None:
    """A change one of the pair made: on their timeline as ``event`` with ``summary`` (and the
    ``due_at`` of a meeting it calls off or moves), and a notification of ``kind`` to the other
    person, the two always together."""
    event_add(mentorship=mentorship, actor=actor, kind=event, summary=summary, due_at=due_at)
    notify_other(mentorship=mentorship, actor=actor, kind=kind, title=title, body=body)


def notify_both(
    *, mentorship: Mentorship, kind: str, title: str, body: str = "", url: str | None = None
) -> None:
    for person in (mentorship.mentor, mentorship.mentee):
        notify_send(
            recipient=person,
            kind=kind,
            title=title,
            body=body,
            url=url if url is not None else mentorship_url(mentorship),
        )


def roles_of(enrolments: list[Enrolment]) -> set[str]:
    return {enrolment.role for enrolment in enrolments}


def _enrolment_as(role: str, program: Program, enrolments: Iterable[Enrolment]) -> Enrolment | None:
    """Of one person's active enrolments in ``program``, in pk order, the one that lets them
    take ``role`` in a pair: their enrolment with that role; in peer programs, where any active
    member may mentor or be mentored, else their first one that is not an admin's."""
    rows = list(enrolments)
    own = next((e for e in rows if e.role == role), None)
    if own is not None or program.program_type != ProgramType.PEER:
        return own
    return next((e for e in rows if e.role != Role.ADMIN), None)


def mentor_enrolment(program: Program, enrolments: Iterable[Enrolment]) -> Enrolment | None:
    """The enrolment that makes one person a mentor in ``program`` (``_enrolment_as``)."""
    return _enrolment_as(Role.MENTOR, program, enrolments)


def mentee_enrolment(program: Program, enrolments: Iterable[Enrolment]) -> Enrolment | None:
    """The enrolment that makes one person a mentee in ``program``: a person who is a mentor
    too and was removed as a mentee only has none (``_enrolment_as``)."""
    return _enrolment_as(Role.MENTEE, program, enrolments)


def lock_enrolments(*, program_id: int, person_ids: Collection[int]) -> list[Enrolment]:
    """Lock these people's active enrolments in the program, in one query in pk order (the
    lock order in docs/mentorships.md): a send locks its sender's and recipient's, an accept
    its mentee's and mentor's, so a send and an accept of the same mentee take turns, and so
    do two accepts' capacity checks of the same mentor, and a send and leaving the program."""
    # ``__pk`` lookups: an id past 64 bits matches nothing instead of overflowing (a 500).
    return list(
        lockable(
            Enrolment.objects.filter(
                program__pk=program_id,
                person__pk__in=list(person_ids),
                status=EnrolmentStatus.ACTIVE,
            ).order_by("pk"),
            for_update=True,
        )
    )


def capacity_of(*, program: Program, enrolment: Enrolment) -> int:
    return enrolment.capacity if enrolment.capacity is not None else program.default_capacity


def notify_send_owner(*, item: ActionItem, actor: User) -> None:
    due = f" (due {day_in(item.due_on)})" if item.due_on else ""
    notify_send(
        recipient=item.owner,
        kind="action_item",
        title=f"{actor.display_name} gave you an action item{due}",
        body=item.description,
        url=mentorship_url(item.mentorship_id),
    )
