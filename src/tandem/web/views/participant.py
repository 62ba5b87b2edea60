"""The participant's dashboard: what to do next (what others wait on first), then their
profile, programs and mentorships."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from tandem.feedback.selectors.checkins import checkins_waiting_for
from tandem.mentorships.models import (
    Mentorship,
    MentorshipRequest,
    MentorshipState,
    RequestState,
)
from tandem.mentorships.selectors import lists as mentorship_lists
from tandem.people.models import User
from tandem.people.selectors import Completeness, profile_completeness
from tandem.people.services import profile_ensure
from tandem.programs.models import OPEN_STATUSES, Enrolment, EnrolmentStatus, Role
from tandem.programs.selectors import enrolment_list_for_person, person_ever_enrolled
from tandem.programs.selectors.waitlist import enrolments_mark_waitlist_position

# How long an answered request stays among the next steps, so its answer is seen.
ANSWERED_SHOWN_FOR = timedelta(days=14)
NEXT_MEETING_WITHIN_DAYS = 60
CHECKINS_SHOWN = 3
# The dashboard's three groups of next steps, in this order.
TIER_OTHERS_WAIT = "Others are waiting for you"
TIER_YOURS = "Up to you"
TIER_LATER = "Where things stand"
REQUEST_STATE_TONE = {
    RequestState.PENDING: "warn",
    RequestState.ACCEPTED: "ok",
    RequestState.DECLINED: "bad",
    RequestState.EXPIRED: "bad",
}


@dataclass(frozen=True)
class NextStep:
    """One line of the list: what to do, where, and by when."""

    kind: str  # what it is about, e.g. "profile", "sent_request" (the tests find them by it)
    text: str
    url: str = ""
    action: str = ""
    detail: str = ""
    at: datetime | None = None  # a moment, shown in the viewer's time zone
    on: date | None = None  # a day
    when: str = ""  # the words before the moment or day: "Answer by", "Due"
    state: str = ""
    tone: str = ""
    tier: str = ""  # the group it is listed under (``TIER_*``)


def _profile_steps(completeness: Completeness) -> list[NextStep]:
    if not completeness.missing:
        return []
    return [
        NextStep(
            kind="profile",
            text="Finish your profile so the matching can find you good partners",
            detail=f"Still missing: {', '.join(completeness.missing)}.",
            url=reverse("profile_edit"),
            action="Finish your profile",
        )
    ]


def _approval_steps(enrolments: list[Enrolment]) -> list[NextStep]:
    return [
        NextStep(
            kind="approval",
            text=f"Waiting for approval in {e.program.name}",
            detail="A program admin will review your request to join; we will let you know.",
            url=reverse("program_detail", args=[e.program.slug]),
            action="See the program",
            state="Waiting for approval",
            tone="warn",
        )
        for e in enrolments
        if e.status == EnrolmentStatus.PENDING
    ]


def _settled(
    user: User, open_mentorships: list[Mentorship], sent: list[MentorshipRequest]
) -> set[int]:
    """The programs where the person has a mentor or a request waiting for an answer."""
    return {m.program_id for m in open_mentorships if m.mentee_id == user.pk} | {
        r.program_id for r in sent if r.state == RequestState.PENDING
    }


def _find_mentor_steps(user: User, settled: set[int]) -> list[NextStep]:
    """Find a mentor where the person may choose one and is not settled yet."""
    return [
        NextStep(
            kind="find_mentor",
            text=f"Find a mentor in {program.name}",
            detail="Mentors with a free place, your best matches first.",
            url=reverse("program_mentors", args=[program.slug]),
            action="See your best matches",
        )
        for program in mentorship_lists.programs_to_find_a_mentor(user=user)
        if program.pk not in settled
    ]


def _admin_match_steps(enrolments: list[Enrolment], settled: set[int]) -> list[NextStep]:
    """Where the admins match mentors and mentees, say so (nothing to do but wait)."""
    return [
        NextStep(
            kind="admin_matches",
            text=f"In {e.program.name} the program admins match mentors and mentees",
            detail="You will hear from us when you have a mentor.",
            url=reverse("program_detail", args=[e.program.slug]),
            action="See the program",
        )
        for e in enrolments
        if e.role == Role.MENTEE
        and e.status == EnrolmentStatus.ACTIVE
        and e.program.archived_at is None
        and not e.program.takes_direct_requests
        and e.program_id not in settled
    ]


def _sent_request_steps(sent: list[MentorshipRequest]) -> list[NextStep]:
    steps = []
    for r in sent:
        pending = r.state == RequestState.PENDING
        steps.append(
            NextStep(
                kind="sent_request",
                text=f"Your request to {r.recipient.display_name} ({r.program.name})",
                url=reverse("request_detail", args=[r.pk]),
                action="See the request",
                at=r.expires_at if pending else r.decided_at,
                when="They can answer until" if pending else "Answered",
                state="Waiting for an answer" if pending else r.get_state_display(),
                tone=REQUEST_STATE_TONE.get(RequestState(r.state), ""),
            )
        )
    return steps


# What signing does: a first agreement starts the mentorship; an amendment of an active one
# replaces the agreement in force, which holds until both have signed.
SIGNING_STARTS = "Version {number}. The mentorship starts when you both sign."
SIGNING_AMENDS = (
    "Version {number} amends your agreement: it replaces the current one once you both sign; "
    "until then the current agreement stays in force."
)


def _signature_steps(user: User) -> tuple[list[NextStep], list[NextStep]]:
    """The signatures the person owes, as ``(asked by the partner, own proposals)``: the one
    who proposes a version does not sign it by proposing, so they still have to sign it, but
    nobody else is waiting on that."""
    asked: list[NextStep] = []
    own: list[NextStep] = []
    for version in mentorship_lists.agreements_awaiting_signature(user=user):
        m = version.mentorship
        partner = m.mentee if m.mentor_id == user.pk else m.mentor
        proposed_by_me = version.proposed_by_id == user.pk
        meaning = SIGNING_AMENDS if m.state == MentorshipState.ACTIVE else SIGNING_STARTS
        step = NextStep(
            kind="sign_own_proposal" if proposed_by_me else "signature",
            text=(
                f"Sign the agreement you proposed to {partner.display_name}"
                if proposed_by_me
                else f"Your signature is needed: the agreement with {partner.display_name}"
            ),
            detail=meaning.format(number=version.number),
            url=reverse("agreement_version", args=[m.pk, version.number]),
            action=f"Read and sign version {version.number}",
            state="Your signature is missing" if proposed_by_me else "Signature needed",
            tone="warn",
        )
        (own if proposed_by_me else asked).append(step)
    return asked, own


def _answer_steps(user: User) -> list[NextStep]:
    return [
        NextStep(
            kind="answer_request",
            text=(
                f"{r.sender.display_name} asks you to mentor them ({r.program.name})"
                if r.mentor_id == user.pk
                else f"{r.sender.display_name} offers to mentor you ({r.program.name})"
            ),
            url=reverse("request_detail", args=[r.pk]),
            action="Read and decide",
            at=r.expires_at,
            when="Answer by",
            state="Waiting for your answer",
            tone="warn",
        )
        for r in mentorship_lists.requests_waiting_for(user=user)
    ]


def _meeting_steps(user: User) -> list[NextStep]:
    meeting = mentorship_lists.meetings_upcoming_for(
        user=user, days=NEXT_MEETING_WITHIN_DAYS
    ).first()
    if meeting is None:
        return []
    m = meeting.mentorship
    partner = m.mentee if m.mentor_id == user.pk else m.mentor
    return [
        NextStep(
            kind="meeting",
            text=f"Your next meeting, with {partner.display_name}",
            url=reverse("meeting_detail", args=[meeting.pk]),
            action="Open the meeting",
            at=meeting.starts_at,
        )
    ]


def _action_item_steps(user: User, today: date) -> list[NextStep]:
    return [
        NextStep(
            kind="action_item",
            text=item.description,
            detail=f"Your action item with {partner.display_name}",
            url=f"{reverse('mentorship_detail', args=[item.mentorship_id])}#action-items",
            action="Open",
            on=item.due_on,
            when="Due" if item.due_on else "",
            state="Overdue" if item.due_on and item.due_on < today else "",
            tone="bad",
        )
        for item in mentorship_lists.action_items_open_for(user=user)
        for partner in [
            item.mentorship.mentee
            if item.mentorship.mentor_id == user.pk
            else item.mentorship.mentor
        ]
    ]


def _in(tier: str, steps: list[NextStep]) -> list[NextStep]:
    return [replace(step, tier=tier) for step in steps]


def _checkin_steps(user: User) -> list[NextStep]:
    return [
        NextStep(
            kind="checkin",
            text=f"Answer your check-in: {c.get_kind_display().lower()} with "
            f"{c.mentorship.other(user).display_name}",
            detail="A few questions, under a minute. Your answers stay yours unless shared.",
            url=reverse("checkin_answer", args=[c.pk]),
            action="Answer your check-in",
            state="Waiting for your answers",
            tone="warn",
        )
        for c in checkins_waiting_for(user=user)[:CHECKINS_SHOWN]
    ]


def takes_part(user: User, enrolments: list[Enrolment]) -> bool:
    """Whether matching needs this person's profile: a mentee or mentor of some program, or
    someone with no program yet who is not the site's staff (live review F21: a staff member
    who runs the site was asked first thing to finish a matching profile)."""
    if not enrolments:
        return not user.is_staff
    return any(e.role != Role.ADMIN and e.status in OPEN_STATUSES for e in enrolments)


def never_joined(user: User, enrolments: list[Enrolment]) -> bool:
    """Whether this person was never in a program (``enrolments`` are the open ones): they
    have no mentorships or meetings, so the dashboard leaves those cards out (leftovers review:
    "Your mentorships" and "Upcoming meetings" stood empty for site staff; UX review: and for
    someone who signed up before their invitation). The query runs only with no open
    enrolment."""
    return not enrolments and not person_ever_enrolled(user=user)


def next_steps(*, user: User, completeness: Completeness, enrolments: list[Enrolment]):
    """Everything that waits on the person in a bounded number of queries (each list is
    capped): first what others wait on (a request to answer, a signature), then the person's
    own steps (a version they proposed and have not signed, a meeting, action items, finding
    a mentor, the profile), then what only says where things stand (sent requests, approval,
    the admins matching)."""
    open_mentorships = list(mentorship_lists.mentorship_list_for(user=user, open_only=True))
    sent = mentorship_lists.requests_sent_recently(
        user=user, since=timezone.now() - ANSWERED_SHOWN_FOR
    )
    settled = _settled(user, open_mentorships, sent)
    asked_to_sign, own_proposals = _signature_steps(user)
    return [
        *_in(TIER_OTHERS_WAIT, [*_answer_steps(user), *asked_to_sign]),
        *_in(
            TIER_YOURS,
            [
                *own_proposals,
                *_meeting_steps(user),
                *_checkin_steps(user),
                *_action_item_steps(user, timezone.localdate()),
                *_find_mentor_steps(user, settled),
                *(_profile_steps(completeness) if takes_part(user, enrolments) else []),
            ],
        ),
        *_in(
            TIER_LATER,
            [
                *_sent_request_steps(sent),
                *_approval_steps(enrolments),
                *_admin_match_steps(enrolments, settled),
            ],
        ),
    ]


@login_required
@require_safe
def dashboard(request):
    profile = profile_ensure(user=request.user)
    completeness = profile_completeness(profile=profile)
    enrolments = enrolments_mark_waitlist_position(
        enrolments=list(enrolment_list_for_person(user=request.user))
    )
    joined_none = never_joined(request.user, enrolments)
    return render(
        request,
        "web/dashboard.html",
        {
            "completeness": completeness,
            "enrolments": enrolments,
            "takes_part": takes_part(request.user, enrolments),
            "never_joined": joined_none,
            "site_only": request.user.is_staff and joined_none,
            "steps": next_steps(
                user=request.user, completeness=completeness, enrolments=enrolments
            ),
        },
    )
