"""When check-ins come and their one reminder: the periodic jobs that create the check-ins
that are due (after the first meeting, on the agreed cadence, at the mid-point, at the end)
and remind each author once, outside their quiet hours, never after they answered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.urls import reverse

from tandem.feedback.health.signals import CADENCE_DAYS
from tandem.feedback.models import (
    CheckIn,
    CheckInKind,
)
from tandem.feedback.questions import EARLY_END_QUESTION, Question, asked_of_pair
from tandem.feedback.selectors.checkins import (
    TemplateSettings,
    checkin_templates_for,
    still_waiting,
)
from tandem.feedback.services.checkins import divergences_resolve_by_agreement
from tandem.mentorships.models import (
    AgreementVersion,
    Meeting,
    MeetingStatus,
    Mentorship,
    MentorshipState,
)
from tandem.mentorships.scheduling import zone_of
from tandem.notify.kinds import Kind
from tandem.notify.selectors import in_quiet_hours
from tandem.notify.services import notifications_withdraw, notify_send

BATCH = 500
# A mentorship that ended longer ago than this gets no closing survey (nor does a first
# meeting held longer ago get a fit check): too late to ask.
TOO_LATE = timedelta(days=30)


# Creating the check-ins that are due ------------------------------------------------------


def meetings_begun(now: datetime) -> QuerySet[Meeting]:
    """Meetings that began by ``now`` and were not cancelled or said not to have taken place:
    the first of them is a pair's first meeting."""
    return Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__lte=now)


def _candidates(now: datetime) -> QuerySet[Mentorship]:
    """Active mentorships and those ended lately, with the agreed cadence and the first
    meeting started before ``now`` read in the same query."""
    signed = AgreementVersion.objects.filter(
        mentorship=OuterRef("pk"),
        signed_by_mentor_at__isnull=False,
        signed_by_mentee_at__isnull=False,
    ).order_by("-number")
    first = meetings_begun(now).filter(mentorship=OuterRef("pk")).order_by("starts_at", "pk")
    return (
        Mentorship.objects.filter(
            Q(state=MentorshipState.ACTIVE)
            | Q(
                state__in=(MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY),
                ended_at__gte=now - TOO_LATE,
            )
        )
        .select_related("program")
        .annotate(
            mentor_active=F("mentor__is_active"),
            mentee_active=F("mentee__is_active"),
            agreed_cadence=Subquery(
                signed.annotate(cadence=KT("content__cadence")).values("cadence")[:1]
            ),
            first_meeting_at=Subquery(first.values("starts_at")[:1]),
            first_meeting_minutes=Subquery(first.values("duration_minutes")[:1]),
        )
        .order_by("pk")
    )


@dataclass(frozen=True)
class _Point:
    kind: str
    sequence: int
    due_at: datetime


@dataclass(frozen=True)
class _Last:
    """The latest check-in of one kind a mentorship has: its number and when it was due."""

    sequence: int
    due_at: datetime


def _start_of(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _pulse_point(
    mentorship: Any, settings: TemplateSettings, last: _Last | None, now: datetime
) -> _Point | None:
    """The latest pulse due: one every ``every_periods`` agreed cadence periods (the program's
    cadence until an agreement says otherwise), counted from the last pulse asked, or from the
    start. Counting from the last one keeps pulses coming when the cadence slows down (a pulse
    number under the old, shorter period would otherwise wait months for the new one to catch
    up). Missed ones are not made up for."""
    start = mentorship.activated_at or (
        _start_of(mentorship.starts_on) if mentorship.starts_on else None
    )
    cadence = mentorship.agreed_cadence or mentorship.program.default_cadence
    if start is None or cadence not in CADENCE_DAYS:
        return None
    interval = timedelta(days=CADENCE_DAYS[cadence] * max(settings.every_periods, 1))
    since, sequence = (last.due_at, last.sequence) if last else (start, 0)
    periods = (now - since) // interval
    if periods < 1:
        return None
    due_at = since + periods * interval
    if mentorship.ends_on and due_at.date() > mentorship.ends_on:
        return None
    return _Point(CheckInKind.PULSE, sequence + periods, due_at)


def _closing_point(mentorship: Any, delay_days: int, now: datetime) -> _Point | None:
    due = mentorship.ended_at + timedelta(days=delay_days) if mentorship.ended_at else None
    return _Point(CheckInKind.CLOSING, 0, due) if due and due <= now else None


def _first_meeting_point(mentorship: Any, delay_days: int, now: datetime) -> _Point | None:
    """After the first meeting held: the first one not cancelled, once its end has passed."""
    if not mentorship.first_meeting_at:
        return None
    ended = mentorship.first_meeting_at + timedelta(minutes=mentorship.first_meeting_minutes)
    due = ended + timedelta(days=delay_days)
    if due > now or ended < now - TOO_LATE:
        return None
    return _Point(CheckInKind.FIRST_MEETING, 0, due)


def _midpoint_point(mentorship: Any, delay_days: int, now: datetime) -> _Point | None:
    """Half-way through the agreed dates (those of the agreement in effect)."""
    if not (mentorship.starts_on and mentorship.ends_on):
        return None
    midpoint = mentorship.starts_on + (mentorship.ends_on - mentorship.starts_on) / 2
    due = _start_of(midpoint) + timedelta(days=delay_days)
    return _Point(CheckInKind.MIDPOINT, 0, due) if due <= now else None


def _points_for(
    mentorship: Any,
    templates: Mapping[tuple[int, str], TemplateSettings],
    last: Mapping[tuple[int, str], _Last],
    now: datetime,
) -> list[_Point]:
    """Every check-in point of one mentorship that is due at ``now`` and not created yet."""
    ended = mentorship.state != MentorshipState.ACTIVE
    once: list[tuple[str, Callable[[Any, int, datetime], _Point | None]]] = (
        [(CheckInKind.CLOSING, _closing_point)]
        if ended
        else [
            (CheckInKind.FIRST_MEETING, _first_meeting_point),
            (CheckInKind.MIDPOINT, _midpoint_point),
        ]
    )
    points = [
        find(mentorship, templates[(mentorship.program_id, kind)].delay_days, now)
        for kind, find in once
        if (mentorship.pk, kind) not in last
    ]
    if not ended:
        pulse = templates[(mentorship.program_id, CheckInKind.PULSE)]
        points.append(
            _pulse_point(mentorship, pulse, last.get((mentorship.pk, CheckInKind.PULSE)), now)
        )
    return [point for point in points if point is not None]


def _questions(
    mentorship: Any,
    point: _Point,
    templates: Mapping[tuple[int, str], TemplateSettings],
) -> list[Question]:
    """The program's questions for the point; a closing survey after an early end also asks
    each side why it ended, in their view."""
    questions = asked_of_pair(
        templates[(mentorship.program_id, point.kind)].questions,
        have_met=mentorship.first_meeting_at is not None,
    )
    if point.kind == CheckInKind.CLOSING and mentorship.state == MentorshipState.ENDED_EARLY:
        return [*questions, EARLY_END_QUESTION]
    return questions


def _withdraw_fit_checks_without_a_meeting(batch: list[Any]) -> None:
    """A fit check asked after a first meeting that one of the pair then said did not take
    place is withdrawn while neither side has answered it; the first meeting held asks again.
    Its notices go with it. A few statements a batch, whatever its size."""
    unmet = [
        m.pk for m in batch if m.state == MentorshipState.ACTIVE and m.first_meeting_at is None
    ]
    if not unmet:
        return
    answered = CheckIn.objects.filter(
        mentorship_id__in=unmet, kind=CheckInKind.FIRST_MEETING, answered_at__isnull=False
    ).values("mentorship_id")
    withdrawn = list(
        CheckIn.objects.filter(mentorship_id__in=unmet, kind=CheckInKind.FIRST_MEETING)
        .exclude(mentorship_id__in=answered)
        .values_list("pk", flat=True)
    )
    if withdrawn:
        notifications_withdraw(urls=[reverse("checkin_answer", args=[pk]) for pk in withdrawn])
        CheckIn.objects.filter(pk__in=withdrawn).delete()


def _authors(mentorship: Any) -> tuple[int, ...]:
    """Who of the pair is asked (``_candidates`` annotates whether each account is active): a
    deleted (or deactivated) account answers nothing, so no check-in is made for it."""
    return tuple(
        author_id
        for author_id, active in (
            (mentorship.mentor_id, mentorship.mentor_active),
            (mentorship.mentee_id, mentorship.mentee_active),
        )
        if active
    )


def _create_for(batch: list[Mentorship], now: datetime) -> int:
    _withdraw_fit_checks_without_a_meeting(batch)
    templates = checkin_templates_for(program_ids={m.program_id for m in batch})
    last = {
        (row["mentorship_id"], row["kind"]): _Last(row["last"], row["last_due"])
        for row in CheckIn.objects.filter(mentorship__in=batch)
        .values("mentorship_id", "kind")
        .annotate(last=Max("sequence"), last_due=Max("due_at"))
        .order_by()
    }
    rows = [
        CheckIn(
            mentorship=mentorship,
            author_id=author_id,
            kind=point.kind,
            sequence=point.sequence,
            questions=_questions(mentorship, point, templates),
            due_at=point.due_at,
        )
        for mentorship in batch
        for point in _points_for(mentorship, templates, last, now)
        for author_id in _authors(mentorship)
    ]
    # The unique point per person makes a second run (or a second worker) add nothing.
    CheckIn.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def checkins_create_due(now: datetime) -> int:
    """The periodic job: create every check-in due at ``now``, for both of each pair, in
    batches of ``BATCH`` mentorships (a few queries a batch, whatever its size); resolve the
    divergences a newly signed agreement answers. Returns how many check-ins it wrote."""
    created = 0
    after = 0
    while batch := list(_candidates(now).filter(pk__gt=after)[:BATCH]):
        after = batch[-1].pk
        with transaction.atomic():
            created += _create_for(batch, now)
    divergences_resolve_by_agreement(now=now)
    return created


# Reminders ------------------------------------------------------------------------------


def _unreminded(now: datetime) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(
        still_waiting(),  # a deleted account is reminded of nothing
        reminded_at__isnull=True,
        due_at__lte=now,
    ).select_related(
        "author",
        "author__profile",
        "mentorship__program",
        "mentorship__mentor",
        "mentorship__mentee",
    )


def checkin_reminders_send(now: datetime) -> int:
    """The periodic job: tell each author once that a check-in waits (by email too if their
    preferences say so), never during their quiet hours (the next run after them does), never
    once it is answered. The claim is a conditional update of ``reminded_at``: two workers
    cannot both send. Returns how many were sent."""
    sent = 0
    after = 0
    while batch := list(_unreminded(now).filter(pk__gt=after).order_by("pk")[:BATCH]):
        after = batch[-1].pk
        for checkin in batch:
            author = checkin.author
            if in_quiet_hours(user=author, zone=zone_of(author).key, now=now):
                continue
            with transaction.atomic():
                claimed = CheckIn.objects.filter(
                    pk=checkin.pk, reminded_at__isnull=True, answered_at__isnull=True
                ).update(reminded_at=now)
                if claimed:
                    _remind(checkin)
                    sent += 1
    return sent


def _remind(checkin: CheckIn) -> None:
    other = checkin.mentorship.other(checkin.author)
    notify_send(
        recipient=checkin.author,
        kind=Kind.CHECKIN_DUE,
        title=f"Your {checkin.get_kind_display().lower()} is waiting",
        body=(
            f"A few questions about your mentorship with {other.display_name}, under a "
            "minute. Your answers stay yours unless you choose to share them."
        ),
        url=reverse("checkin_answer", args=[checkin.pk]),
    )
