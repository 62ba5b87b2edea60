"""The admins' one-click actions on a mentorship's health (send a check-in, write to the
pair, propose a re-match): an admin of the program outside the pair acts for the program, each
action recorded once a day as an ``Intervention`` and the pair told on commit."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.feedback.models import (
    INTERVENTION_NOTE_LIMIT,
    CheckIn,
    CheckInKind,
    Intervention,
    InterventionKind,
)
from tandem.feedback.questions import asked_of_pair
from tandem.feedback.selectors.checkins import checkin_template_for
from tandem.feedback.services.checkin_schedule import meetings_begun
from tandem.feedback.services.health import mentorship_health_url
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.mentorships.selectors import (
    access_mentorship_as_admin,
)
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send
from tandem.people.models import User
from tandem.programs.models import MatchingMode, Program

NOTE_REQUIRED = "Write what you want to tell the pair."
NOTE_TOO_LONG = f"Keep it under {INTERVENTION_NOTE_LIMIT} characters."
NOT_ACTIVE = "Only an active mentorship's pair can be sent this."
ALREADY_SENT = "The same was already sent to this pair today."


def _admin_act(
    *, user: User, mentorship_id: int, kind: str, same: str = "", note: str = ""
) -> Intervention:
    """Record an admin's action on an active mentorship (inside the caller's transaction, the
    mentorship locked): once a day per kind, or per ``same`` text when given (409 again)."""
    mentorship = access_mentorship_as_admin(user=user, mentorship_id=mentorship_id, for_update=True)
    if mentorship.state != MentorshipState.ACTIVE:
        raise ApplicationError(NOT_ACTIVE, status=409)
    episode = timezone.now().date().isoformat()
    if same:
        episode += ":" + hashlib.sha256(same.encode()).hexdigest()[:32]
    found, created = Intervention.objects.get_or_create(
        mentorship=mentorship,
        kind=kind,
        reason_code="",
        episode=episode,
        defaults={"actor": user, "note": note},
    )
    if not created:
        raise ApplicationError(ALREADY_SENT, status=409)
    return found


def _pulse_now(mentorship: Mentorship) -> None:
    """The next pulse, due now, for both of the pair (inside the caller's transaction, the
    mentorship locked): a side with a pulse waiting for an answer has its latest one moved to
    that point (number and date), a side without gets a new one. It takes the next pulse
    number, so the regular pulses continue one period after it instead of asking again in a
    few days; it counts as reminded, the admin's notice being its one reminder.

    Both sides always end at the same point: when only a side with no pulse waiting got one,
    the pair's next number and date (the schedule counts from the last pulse asked) told the
    other side, still waiting, whether its partner had answered (privacy review)."""
    pulses = CheckIn.objects.filter(mentorship=mentorship, kind=CheckInKind.PULSE)
    point = (pulses.aggregate(last=Max("sequence"))["last"] or 0) + 1
    now = timezone.now()
    questions = asked_of_pair(
        checkin_template_for(program_id=mentorship.program_id, kind=CheckInKind.PULSE).questions,
        have_met=meetings_begun(now).filter(mentorship=mentorship).exists(),
    )
    new = []
    for author_id in (mentorship.mentor_id, mentorship.mentee_id):
        waiting = (
            pulses.filter(author_id=author_id, answered_at__isnull=True)
            .order_by("-sequence")
            .values_list("pk", flat=True)
            .first()
        )
        if waiting is not None:
            try:
                with transaction.atomic():
                    pulses.filter(pk=waiting).update(sequence=point, due_at=now, reminded_at=now)
            except IntegrityError:
                pass  # the schedule gave this side that point meanwhile: that one is it
            continue
        new.append(
            CheckIn(
                mentorship=mentorship,
                author_id=author_id,
                kind=CheckInKind.PULSE,
                sequence=point,
                questions=questions,
                due_at=now,
                reminded_at=now,
            )
        )
    CheckIn.objects.bulk_create(new, ignore_conflicts=True)


def health_checkin_send(*, user: User, mentorship_id: int) -> Intervention:
    """An admin asks the pair for a check-in now (once a day per mentorship): each side gets a
    pulse to answer (the one already waiting, moved to now) and a notification."""
    with transaction.atomic():
        found = _admin_act(
            user=user, mentorship_id=mentorship_id, kind=InterventionKind.CHECKIN_SENT
        )
        mentorship = found.mentorship
        _pulse_now(mentorship)
        for person in (mentorship.mentor, mentorship.mentee):
            notify_send(
                recipient=person,
                kind=Kind.CHECKIN_DUE,
                title=f"{mentorship.program.name} asks how your mentorship is going",
                body=f"{user.display_name}, an admin of the program, would like a short "
                "check-in from each of you. It takes under a minute; your answers stay yours "
                "unless you share them.",
                url=reverse("checkin_list"),
            )
    return found


def health_message_to_pair(*, user: User, mentorship_id: int, note: str) -> Intervention:
    """An admin's note to both people of the pair (a notification, not a message in their
    conversation: admins never join it). The same note twice the same day is sent once."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError(NOTE_REQUIRED, fields={"note": NOTE_REQUIRED})
    if len(note) > INTERVENTION_NOTE_LIMIT:
        raise ApplicationError(NOTE_TOO_LONG, fields={"note": NOTE_TOO_LONG})
    with transaction.atomic():
        found = _admin_act(
            user=user,
            mentorship_id=mentorship_id,
            kind=InterventionKind.MESSAGE_TO_PAIR,
            same=note,
            note=note,
        )
        mentorship = found.mentorship
        for person in (mentorship.mentor, mentorship.mentee):
            notify_send(
                recipient=person,
                kind=Kind.MENTORSHIP,
                title=f"A note from {user.display_name} of {mentorship.program.name}",
                body=note,
                url=mentorship_health_url(mentorship),
            )
    return found


def rematch_url(mentorship: Mentorship) -> str:
    """Where a new mentor is found: the ranked mentors in a self-serve program (the current
    one is the mentee's to leave out); the admin's match runs in a cohort program."""
    if mentorship.program.matching_mode == MatchingMode.SELF_SERVE:
        return reverse("program_mentors", args=[mentorship.program.slug])
    return reverse("match_run_list", args=[mentorship.program.slug])


def _rematch_body(program: Program, mentor: str) -> str:
    """What the mentee is told of a proposed new match: the ranked mentors where they may
    request one, the admins' match where the admins match people, both where both hold
    (journeys review: a cohort program that allows requests was told only of the admins)."""
    choose = "you could choose someone else from the mentors who suit you best"
    ask = (
        "the program's admins can find you someone else: end it with End early on your "
        "mentorship's page and tick that you would like a new mentor"
    )
    if program.admins_match and program.takes_direct_requests:
        return f"If it is not working with {mentor}, {choose}, or {ask}."
    return f"If it is not working with {mentor}, {ask if program.admins_match else choose}."


def health_rematch_propose(*, user: User, mentorship_id: int) -> Intervention:
    """An admin proposes a new mentor to the mentee (once a day per mentorship). Self-serve:
    the mentee is sent to the ranked mentors; cohort: the mentee is told the admins will find
    someone, and the admin goes on to the match runs (the link this returns)."""
    with transaction.atomic():
        found = _admin_act(
            user=user, mentorship_id=mentorship_id, kind=InterventionKind.REMATCH_PROPOSED
        )
        mentorship = found.mentorship
        program = mentorship.program
        body = _rematch_body(program, mentorship.mentor.display_name)
        notify_send(
            recipient=mentorship.mentee,
            kind=Kind.MENTORSHIP,
            title=f"{user.display_name} of {mentorship.program.name} suggests a new match",
            body=body,
            url=mentorship_health_url(mentorship)
            if program.admins_match
            else rematch_url(mentorship),
        )
    return found
