"""What mentorships do when someone leaves a program (``programs/services/leaving.py`` calls
``LEAVE_STEP``): their open requests there close, and the other side is told; an open
mentorship must be ended first, on its own page (a mentorship has its reason and its
questions, which leaving cannot ask), unless the person is deleting their account, when it
ends here and the other side is told."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tandem.core.locking import lockable
from tandem.mentorships.models import (
    OPEN_STATES,
    CalendarFeed,
    Mentorship,
    MentorshipEvent,
    MentorshipRequest,
    PrivateNote,
    RequestState,
)
from tandem.mentorships.services.ending import mentorship_end_for_closed_account
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send
from tandem.people.models import FORMER_MEMBER, User
from tandem.people.services.closing import Former
from tandem.programs.models import Program
from tandem.programs.services.leaving import Blocker

LEFT_REASON = "They left the program."


def _open_requests(*, user: User, program: Program) -> QuerySet[MentorshipRequest]:
    return MentorshipRequest.objects.filter(
        Q(sender=user) | Q(recipient=user), program=program, state=RequestState.PENDING
    ).select_related("sender", "recipient")


def _open_mentorships(*, user: User, program: Program) -> QuerySet[Mentorship]:
    return Mentorship.objects.filter(
        Q(mentor=user) | Q(mentee=user), program=program, state__in=OPEN_STATES
    ).select_related("program", "mentor", "mentee")


def _close_request(*, request: MentorshipRequest, user: User, program: Program) -> None:
    """Withdrawn if they sent it, declined if it was sent to them; the other side is told."""
    now = timezone.now()
    if request.sender_id == user.pk:
        request.state, request.decided_at = RequestState.WITHDRAWN, now
        request.save(update_fields=["state", "decided_at"])
        notify_send(
            recipient=request.recipient,
            kind=Kind.REQUEST_CLOSED,
            title=f"{user.display_name} withdrew their request",
            body=f"They left {program.name}.",
            url=reverse("request_inbox"),
        )
        return
    request.state, request.decided_at = RequestState.DECLINED, now
    request.decline_reason = LEFT_REASON
    request.save(update_fields=["state", "decided_at", "decline_reason"])
    notify_send(
        recipient=request.sender,
        kind=Kind.REQUEST_ANSWERED,
        title=f"{user.display_name} can't take on your request",
        body=f"They left {program.name}. That says nothing about you: another mentor may be "
        "a great fit.",
        url=reverse("request_inbox"),
    )


class MentorshipsLeaveStep:
    def lock(self, *, user: User, program: Program) -> None:
        # Requests before enrolments (docs/mentorships.md, Lock order), in pk order.
        list(lockable(_open_requests(user=user, program=program).order_by("pk"), for_update=True))

    def blockers(self, *, user: User, program: Program) -> list[Blocker]:
        return [
            Blocker(
                text=f"your mentorship with {m.other(user).display_name}",
                url=reverse("mentorship_end", args=[m.pk]),
            )
            for m in _open_mentorships(user=user, program=program).order_by("pk")
        ]

    def consequences(self, *, user: User, program: Program) -> list[str]:
        lines = []
        for request in _open_requests(user=user, program=program).order_by("pk"):
            if request.sender_id == user.pk:
                lines.append(
                    f"Your open request to {request.recipient.display_name} is withdrawn; "
                    "they are told you left."
                )
            else:
                lines.append(
                    f"The open request from {request.sender.display_name} is declined; "
                    "they are told you left."
                )
        return lines

    def apply(self, *, user: User, program: Program, closing_account: bool) -> None:
        # Read again under the locks: a request sent meanwhile closes too.
        pending = lockable(
            _open_requests(user=user, program=program).order_by("pk"), for_update=True
        )
        for request in pending:
            _close_request(request=request, user=user, program=program)
        if closing_account:
            mentorships = lockable(
                _open_mentorships(user=user, program=program).order_by("pk"), for_update=True
            )
            for mentorship in mentorships:
                mentorship_end_for_closed_account(mentorship=mentorship, user=user)

    def program_ids_open(self, *, user: User) -> set[int]:
        mentorships = Mentorship.objects.filter(
            Q(mentor=user) | Q(mentee=user), state__in=OPEN_STATES
        ).values_list("program_id", flat=True)
        requests = MentorshipRequest.objects.filter(
            Q(sender=user) | Q(recipient=user), state=RequestState.PENDING
        ).values_list("program_id", flat=True)
        return set(mentorships) | set(requests)


LEAVE_STEP = MentorshipsLeaveStep()


def mentorships_erase_for_closed_account(*, user: User) -> None:
    """What only the person could read: their private meeting notes and their calendar feed
    (its address stops working). Everything shared with the other side stays, theirs too."""
    PrivateNote.objects.filter(author=user).delete()
    CalendarFeed.objects.filter(user=user).delete()


def mentorship_events_erase_for_closed_account(*, user: User, former: Former) -> None:
    """The timeline's summaries were written with the names of the day ("Ada Lovelace added an
    action item for Sam"): in every mentorship of the person, and every event they caused (as
    a program admin, say), their former name reads "a former member". So does their address:
    an account without a name was shown by it until it read as ``NAMELESS_MEMBER``, and
    summaries written then keep it."""
    names = [name for name in (former.name, former.email) if name]
    if not names:
        return
    mentioning = Q()
    for name in names:
        mentioning |= Q(summary__contains=name)
    events = MentorshipEvent.objects.filter(
        Q(mentorship__mentor=user) | Q(mentorship__mentee=user) | Q(actor=user), mentioning
    )
    # A name only where it stands whole: "Member #12" is also the start of "Member #121",
    # another person's name in the same timeline, and "Ann" of "Anna". The longer first, so
    # a name that starts the address ("ada", "ada@example.org") takes the whole address.
    whole = re.compile(
        "|".join(
            rf"(?<!\w){re.escape(name)}(?!\w)" for name in sorted(names, key=len, reverse=True)
        )
    )

    def former_member(found: re.Match[str]) -> str:
        return FORMER_MEMBER if found.start() == 0 else FORMER_MEMBER.lower()

    for event in events.order_by("pk"):
        summary = whole.sub(former_member, event.summary)
        if summary != event.summary:
            event.summary = summary
            event.save(update_fields=["summary"])
