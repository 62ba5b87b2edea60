"""Check-ins: created when due (after the first meeting, on the agreed cadence, at the
mid-point, at the end), answered by their author, compared between the two sides, and
reminded once.

Answers stay their author's (DESIGN.md); the author may share some with the other person of
the pair and, separately, the whole check-in with the program's admins. An answered check-in
may be changed for ``EDIT_WINDOW`` after its first answer; after that it is refused with
``ANSWER_WINDOW_CLOSED`` (a form sent back unchanged is still fine: it changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.feedback.health.signals import CADENCE_DAYS
from tandem.feedback.models import (
    CHECKIN_COMMENT_LIMIT,
    CheckIn,
    CheckInKind,
    Divergence,
    Intervention,
    InterventionKind,
)
from tandem.feedback.questions import Question
from tandem.feedback.selectors.checkins import (
    SCALE_HIGH,
    SCALE_LOW,
    TemplateSettings,
    access_checkin,
    checkin_partner_of,
    checkin_templates_for,
    divergence_topic_texts,
    expectations_guide_url,
)
from tandem.mentorships.models import (
    AgreementVersion,
    Meeting,
    MeetingStatus,
    Mentorship,
    MentorshipState,
)
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.services import mentorship_confirm_midpoint
from tandem.notify.kinds import Kind
from tandem.notify.selectors import in_quiet_hours
from tandem.notify.services import notify_send
from tandem.people.models import User

EDIT_WINDOW = timedelta(hours=24)
BATCH = 500
# A mentorship that ended longer ago than this gets no closing survey (nor does a first
# meeting held longer ago get a fit check): too late to ask.
TOO_LATE = timedelta(days=30)
# Two scale answers this far apart, or more, are a divergence.
SCALE_GAP = 2
NO = "no"
AMEND_AGREEMENT_KEY = "amend_agreement"

ANSWER_REQUIRED = "Answer this question."
BAD_SCALE = "Choose a number from {low} to {high}."
BAD_CHOICE = "Choose one of the answers offered."
TEXT_TOO_LONG = "Keep this under {limit} characters."
NOT_A_QUESTION = "This check-in has no such question."
SOME_ANSWERS_WRONG = "Some answers need attention."
ANSWER_WINDOW_CLOSED = (
    "You answered this check-in more than a day ago, so it can no longer be changed. "
    "Your next check-in is a new chance to say how things are."
)
CHECKIN_CLOSED = "This mentorship has ended, so this check-in can no longer be answered."


# Creating the check-ins that are due ------------------------------------------------------


def _candidates(now: datetime) -> QuerySet[Mentorship]:
    """Active mentorships and those ended lately, with the agreed cadence and the first
    meeting started before ``now`` read in the same query."""
    signed = AgreementVersion.objects.filter(
        mentorship=OuterRef("pk"),
        signed_by_mentor_at__isnull=False,
        signed_by_mentee_at__isnull=False,
    ).order_by("-number")
    first = Meeting.objects.filter(
        mentorship=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__lte=now
    ).order_by("starts_at", "pk")
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


def _start_of(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _pulse_point(
    mentorship: Any, settings: TemplateSettings, last: int | None, now: datetime
) -> _Point | None:
    """The latest pulse due: one every ``every_periods`` agreed cadence periods since the
    mentorship started (the program's cadence until an agreement says otherwise). Missed
    ones are not made up for."""
    start = mentorship.activated_at or (
        _start_of(mentorship.starts_on) if mentorship.starts_on else None
    )
    cadence = mentorship.agreed_cadence or mentorship.program.default_cadence
    if start is None or cadence not in CADENCE_DAYS:
        return None
    interval = timedelta(days=CADENCE_DAYS[cadence] * max(settings.every_periods, 1))
    sequence = (now - start) // interval
    due_at = start + sequence * interval
    if sequence < 1 or sequence <= (last or 0):
        return None
    if mentorship.ends_on and due_at.date() > mentorship.ends_on:
        return None
    return _Point(CheckInKind.PULSE, sequence, due_at)


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
    last: Mapping[tuple[int, str], int],
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


def _create_for(batch: list[Mentorship], now: datetime) -> int:
    templates = checkin_templates_for(program_ids={m.program_id for m in batch})
    last = {
        (row["mentorship_id"], row["kind"]): row["last"]
        for row in CheckIn.objects.filter(mentorship__in=batch)
        .values("mentorship_id", "kind")
        .annotate(last=Max("sequence"))
        .order_by()
    }
    rows = [
        CheckIn(
            mentorship=mentorship,
            author_id=author_id,
            kind=point.kind,
            sequence=point.sequence,
            questions=templates[(mentorship.program_id, point.kind)].questions,
            due_at=point.due_at,
        )
        for mentorship in batch
        for point in _points_for(mentorship, templates, last, now)
        for author_id in (mentorship.mentor_id, mentorship.mentee_id)
    ]
    # The unique point per person makes a second run (or a second worker) add nothing.
    CheckIn.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def checkins_create_due(now: datetime) -> int:
    """The periodic job: create every check-in due at ``now``, for both of each pair, in
    batches of ``BATCH`` mentorships (three queries a batch, whatever its size); resolve the
    divergences a newly signed agreement answers. Returns how many check-ins it wrote."""
    created = 0
    after = 0
    while batch := list(_candidates(now).filter(pk__gt=after)[:BATCH]):
        after = batch[-1].pk
        with transaction.atomic():
            created += _create_for(batch, now)
    divergences_resolve_by_agreement(now=now)
    return created


def divergences_resolve_by_agreement(*, now: datetime) -> int:
    """An agreement version both signed after a divergence was found settles it."""
    signed_since = AgreementVersion.objects.filter(
        mentorship=OuterRef("mentorship"),
        signed_by_mentor_at__isnull=False,
        signed_by_mentee_at__isnull=False,
    ).filter(
        Q(signed_by_mentor_at__gt=OuterRef("detected_at"))
        | Q(signed_by_mentee_at__gt=OuterRef("detected_at"))
    )
    with transaction.atomic():
        return (
            Divergence.objects.filter(resolved_at__isnull=True)
            .filter(Exists(signed_since))
            .update(resolved_at=now)
        )


# Answering ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _answer(question: Question, raw: Any) -> tuple[Any, str | None]:
    """One answer normalised (an int for a scale), or None when not given; with the field's
    error if it is wrong."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ANSWER_REQUIRED if question.get("required") else None
    if question["type"] == "scale":
        low, high = question.get("low", SCALE_LOW), question.get("high", SCALE_HIGH)
        try:
            value = int(raw) if not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high or str(raw).strip() != str(value):
            return None, BAD_SCALE.format(low=low, high=high)
        return value, None
    if question["type"] == "choice":
        if raw not in [value for value, _label in question["choices"]]:
            return None, BAD_CHOICE
        return raw, None
    text = _text(raw)
    if len(text) > CHECKIN_COMMENT_LIMIT:
        return None, TEXT_TOO_LONG.format(limit=CHECKIN_COMMENT_LIMIT)
    return text or None, None


def check_answers(questions: list[Question], given: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as stored (``{key: value}``, ints for scales, unanswered optional questions
    left out); raises with a message per question key."""
    errors = {key: NOT_A_QUESTION for key in given if key not in {q["key"] for q in questions}}
    answers = {}
    for question in questions:
        value, error = _answer(question, given.get(question["key"]))
        if error:
            errors[question["key"]] = error
        elif value is not None:
            answers[question["key"]] = value
    if errors:
        raise ApplicationError(SOME_ANSWERS_WRONG, fields=errors)
    return answers


def check_shared_keys(
    questions: list[Question], answers: Mapping[str, Any], shared: Iterable[str]
) -> list[str]:
    """The keys to share, in question order: only questions answered (nothing else to show)."""
    wanted = set(shared)
    unknown = wanted - {question["key"] for question in questions}
    if unknown:
        raise ApplicationError(NOT_A_QUESTION, fields={"shared_keys": NOT_A_QUESTION})
    return [q["key"] for q in questions if q["key"] in wanted and q["key"] in answers]


@dataclass(frozen=True)
class Answered:
    checkin: CheckIn
    first_time: bool
    changed: bool
    # Where to go next when the answers ask for it (amending the agreement), else "".
    next_url: str = ""


def checkin_answer(
    *,
    user: User,
    checkin_id: int,
    answers: Mapping[str, Any],
    shared_keys: Iterable[str] = (),
    shared_with_admins: bool = False,
) -> Answered:
    """Save the author's answers and sharing choices. The same answers and choices again
    change nothing (no write, nobody told); a change is taken within ``EDIT_WINDOW`` of the
    first answer and refused after it."""
    now = timezone.now()
    with transaction.atomic():
        checkin = access_checkin(user=user, checkin_id=checkin_id, for_update=True)
        clean = check_answers(checkin.questions, answers)
        shared = check_shared_keys(checkin.questions, clean, shared_keys)
        unchanged = (
            checkin.answered_at is not None
            and clean == checkin.answers
            and shared == list(checkin.shared_keys)
            and shared_with_admins == checkin.shared_with_admins
        )
        if unchanged:
            return Answered(checkin, first_time=False, changed=False)
        if checkin.answered_at and now > checkin.answered_at + EDIT_WINDOW:
            raise ApplicationError(ANSWER_WINDOW_CLOSED, status=409)
        mentorship = checkin.mentorship
        if mentorship.state != MentorshipState.ACTIVE and checkin.kind != CheckInKind.CLOSING:
            raise ApplicationError(CHECKIN_CLOSED, status=409)
        first_time = checkin.answered_at is None
        checkin.answers = clean
        checkin.shared_keys = shared
        checkin.shared_with_admins = shared_with_admins
        checkin.answered_at = checkin.answered_at or now
        checkin.save(update_fields=["answers", "shared_keys", "shared_with_admins", "answered_at"])
        _compare_sides(checkin, now=now)
        next_url = _midpoint_follow_up(checkin, user=user)
    return Answered(checkin, first_time=first_time, changed=True, next_url=next_url)


def _midpoint_follow_up(checkin: CheckIn, *, user: User) -> str:
    """The mid-point review feeds the mentorship's "Halfway there" step: "keep the agreement"
    confirms it (as its button does); "amend it" leads to the agreement page to propose the
    amendment."""
    if checkin.kind != CheckInKind.MIDPOINT or AMEND_AGREEMENT_KEY not in checkin.answers:
        return ""
    mentorship = checkin.mentorship
    if mentorship.state != MentorshipState.ACTIVE:
        return ""
    if checkin.answers[AMEND_AGREEMENT_KEY] == NO:
        if mentorship.midpoint_confirmed_at is None:
            mentorship_confirm_midpoint(user=user, mentorship_id=mentorship.pk)
        return ""
    return reverse("agreement_edit", args=[mentorship.pk])


# Divergence ---------------------------------------------------------------------------


def answers_diverge(question: Question, first: Any, second: Any) -> bool:
    """Whether two people's answers to one question differ notably: scales ``SCALE_GAP`` or
    more apart (2 and 4 do, 3 and 4 do not); choices when one says "no" and the other does
    not (yes/no, partly/no), or when they sit two or more places apart in the list of
    choices. Free text is never compared, nor a question either side left blank.

    >>> scale = {"type": "scale"}
    >>> answers_diverge(scale, 2, 4), answers_diverge(scale, 3, 4)
    (True, False)
    >>> choice = {"type": "choice", "choices": [["yes", "Yes"], ["partly", "Partly"], ["no", "No"]]}
    >>> answers_diverge(choice, "partly", "no"), answers_diverge(choice, "yes", "partly")
    (True, False)
    """
    if first is None or second is None or first == second:
        return False
    if question["type"] == "scale":
        return abs(int(first) - int(second)) >= SCALE_GAP
    if question["type"] == "choice":
        if NO in (first, second):
            return True
        values = [value for value, _label in question["choices"]]
        if first in values and second in values:
            return abs(values.index(first) - values.index(second)) >= 2
    return False


def diverging_topics(
    questions: list[Question], first: Mapping[str, Any], second: Mapping[str, Any]
) -> list[str]:
    """The keys of the ``compare`` questions both answered and answered notably differently."""
    return [
        question["key"]
        for question in questions
        if question.get("compare")
        and answers_diverge(question, first.get(question["key"]), second.get(question["key"]))
    ]


def _compared_any(
    questions: list[Question], first: Mapping[str, Any], second: Mapping[str, Any]
) -> bool:
    return any(
        question.get("compare") and question["key"] in first and question["key"] in second
        for question in questions
    )


def _compare_sides(checkin: CheckIn, *, now: datetime) -> None:
    """Once both have answered the same point: a notable difference on a compared question is
    a divergence (found once, both prompted once); agreement on every compared question
    settles the divergences still open."""
    partner = checkin_partner_of(checkin)
    if partner is None or partner.answered_at is None:
        return
    topics = diverging_topics(checkin.questions, checkin.answers, partner.answers)
    mentorship = checkin.mentorship
    if not topics:
        if _compared_any(checkin.questions, checkin.answers, partner.answers):
            Divergence.objects.filter(mentorship=mentorship, resolved_at__isnull=True).update(
                resolved_at=now
            )
        return
    divergence, found = Divergence.objects.get_or_create(
        mentorship=mentorship,
        kind=checkin.kind,
        sequence=checkin.sequence,
        defaults={"topics": topics},
    )
    if not found:
        if divergence.topics != topics or divergence.resolved_at is not None:
            divergence.topics, divergence.resolved_at = topics, None
            divergence.save(update_fields=["topics", "resolved_at"])
        return
    _, prompted = Intervention.objects.get_or_create(
        mentorship=mentorship,
        kind=InterventionKind.DIVERGENCE_PROMPT,
        reason_code="",
        episode=f"{checkin.kind}:{checkin.sequence}",
    )
    if prompted:
        _prompt_both(mentorship, divergence, checkin.questions)


def _prompt_both(mentorship: Mentorship, divergence: Divergence, questions: list[Question]) -> None:
    topics = ", ".join(f"“{text}”" for text in divergence_topic_texts(divergence, questions))
    for person in (mentorship.mentor, mentorship.mentee):
        other = mentorship.other(person)
        notify_send(
            recipient=person,
            kind=Kind.CHECKIN_DIVERGENCE,
            title=f"You and {other.display_name} see some things differently",
            body=(
                f"In your {CheckInKind(divergence.kind).label.lower()} you answered differently "
                f"about {topics}. That is common, and worth a conversation: what does each of "
                "you expect? Neither of you sees the other's answers unless they shared them, "
                "and the program's admins see only that this happened. A short guide to that "
                "conversation is linked here."
            ),
            url=expectations_guide_url(mentorship),
        )


# Reminders ------------------------------------------------------------------------------


def _unreminded(now: datetime) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(
        Q(mentorship__state=MentorshipState.ACTIVE) | Q(kind=CheckInKind.CLOSING),
        answered_at__isnull=True,
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
