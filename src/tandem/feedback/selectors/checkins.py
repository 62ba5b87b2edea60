"""Reads of check-ins: a program's questions and timing, one person's check-ins, the answers
the other person of the pair chose to share, and the aggregates a program's admins read.

Who reads what (DESIGN.md): a check-in and its answers are its author's (``access_checkin``);
the other person of the pair reads only the answers the author shared (``shared_answers_for``);
the program's admins read counts, averages and distributions of at least ``AGGREGATE_MIN``
answers, that a divergence exists, and the answers of a check-in its author shared with them
(``checkin_list_shared_with_admins``). Nobody else reads anything; site staff included.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from tandem.core.exceptions import NotFound
from tandem.core.locking import lockable
from tandem.feedback.models import CheckIn, CheckInKind, CheckInTemplate, Divergence
from tandem.feedback.questions import DEFAULT_QUESTIONS, Question
from tandem.feedback.selectors.guidance import guidance_for
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.people.models import User
from tandem.people.selectors import is_signed_in

DIVERGENCE_REASON = "divergence"
EXPECTATIONS_GUIDE_URL = "/feedback/guidance/talking-about-expectations/"
CHECKIN_NOT_FOUND = "That check-in does not exist, or it is not yours."
SHARED_SHOWN = 3
DEFAULT_EVERY_PERIODS = 1
DEFAULT_DELAY_DAYS = 0
# Scales run from 1 to 5 in every template (the health rules read pulse scores on that scale).
SCALE_LOW, SCALE_HIGH = 1, 5


@dataclass(frozen=True)
class TemplateSettings:
    """The questions and timing a program uses for one kind: its admins' version or the
    built-in one (``edited`` False)."""

    kind: str
    questions: list[Question]
    every_periods: int = DEFAULT_EVERY_PERIODS
    delay_days: int = DEFAULT_DELAY_DAYS
    edited: bool = False

    @property
    def label(self) -> str:
        return CheckInKind(self.kind).label


def builtin_template(kind: str) -> TemplateSettings:
    return TemplateSettings(kind=kind, questions=copy.deepcopy(DEFAULT_QUESTIONS[kind]))


def _settings_of(row: CheckInTemplate) -> TemplateSettings:
    return TemplateSettings(
        kind=row.kind,
        questions=copy.deepcopy(row.questions),
        every_periods=row.every_periods,
        delay_days=row.delay_days,
        edited=True,
    )


def checkin_templates_for(*, program_ids: Iterable[int]) -> dict[tuple[int, str], TemplateSettings]:
    """Every kind's settings for each program, in one query."""
    ids = set(program_ids)
    found = {
        (row.program_id, row.kind): _settings_of(row)
        for row in CheckInTemplate.objects.filter(program_id__in=ids)
    }
    return {
        (program_id, kind): found.get((program_id, kind)) or builtin_template(kind)
        for program_id in ids
        for kind in CheckInKind.values
    }


def checkin_template_for(*, program_id: int, kind: str) -> TemplateSettings:
    return checkin_templates_for(program_ids=[program_id])[(program_id, kind)]


# One person's check-ins ----------------------------------------------------------------------


def checkin_queryset() -> QuerySet[CheckIn]:
    return CheckIn.objects.select_related(
        "mentorship", "mentorship__program", "mentorship__mentor", "mentorship__mentee"
    )


def access_checkin(
    *, user: User | AnonymousUser, checkin_id: int, for_update: bool = False
) -> CheckIn:
    """The check-in if ``user`` is its author (nobody else, the partner and admins included);
    a missing one and someone else's look the same. ``for_update`` locks it (inside
    ``transaction.atomic`` only)."""
    if not is_signed_in(user):
        raise NotFound(CHECKIN_NOT_FOUND)
    found = (
        lockable(checkin_queryset(), for_update=for_update)
        .filter(pk=checkin_id, author__pk=user.pk, due_at__lte=timezone.now())
        .first()
    )
    if found is None:
        raise NotFound(CHECKIN_NOT_FOUND)
    return found


def _answerable() -> Q:
    """A check-in still worth answering: its mentorship goes on, or it is the closing one."""
    return Q(mentorship__state=MentorshipState.ACTIVE) | Q(kind=CheckInKind.CLOSING)


def still_waiting() -> Q:
    """An unanswered check-in its author can still answer: its mentorship goes on (or it is
    the closing one) and the account was not deleted. The one rule of what waits, for the
    author's lists, the reminders and the admins' counts alike."""
    return _answerable() & Q(answered_at__isnull=True, author__is_active=True)


def counts_as_due() -> Q:
    """For the admins' "answered of due": every answered check-in, and the unanswered ones
    still waiting. One nobody can answer any more (its author deleted their account, or its
    mentorship ended, as it has for someone who left the program) is not waiting for anyone."""
    return Q(answered_at__isnull=False) | still_waiting()


def checkin_list_for(*, user: User) -> QuerySet[CheckIn]:
    """The person's check-ins that are due: waiting ones first, then the answered, newest
    first."""
    return (
        checkin_queryset()
        .filter(author=user, due_at__lte=timezone.now())
        .order_by(F("answered_at").desc(nulls_first=True), "-due_at", "-pk")
    )


def checkins_waiting_for(
    *, user: User, mentorship: Mentorship | None = None, now: datetime | None = None
) -> QuerySet[CheckIn]:
    """The person's due check-ins not answered yet (in one mentorship if given), oldest
    first."""
    qs = checkin_queryset().filter(still_waiting(), author=user, due_at__lte=now or timezone.now())
    if mentorship is not None:
        qs = qs.filter(mentorship=mentorship)
    return qs.order_by("due_at", "pk")


def checkin_point_lock(checkin: CheckIn) -> None:
    """Lock both people's check-ins at this point of the mentorship, in id order (inside
    ``transaction.atomic`` only): two answers given at the same moment are then compared one
    after the other, so the second sees the first and a divergence is never missed."""
    list(
        CheckIn.objects.select_for_update()
        .filter(mentorship_id=checkin.mentorship_id, kind=checkin.kind, sequence=checkin.sequence)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def checkin_partner_of(checkin: CheckIn) -> CheckIn | None:
    """The other person's check-in at the same point of the same mentorship."""
    return (
        CheckIn.objects.filter(
            mentorship_id=checkin.mentorship_id, kind=checkin.kind, sequence=checkin.sequence
        )
        .exclude(author_id=checkin.author_id)
        .first()
    )


# Showing answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    key: str
    question: str
    answer: str


def answer_text(question: Question, value: Any) -> str:
    """An answer in words: "4 of 5", a choice's label, or the text as written."""
    if value is None or value == "":
        return "Not answered"
    if question["type"] == "scale":
        return f"{value} of {question.get('high', SCALE_HIGH)}"
    if question["type"] == "choice":
        return dict(map(tuple, question["choices"])).get(value, str(value))
    return str(value)


def answer_rows(checkin: CheckIn, *, keys: Iterable[str] | None = None) -> list[AnswerRow]:
    """The check-in's answers in question order (only ``keys`` if given), from the questions
    it was asked."""
    wanted = None if keys is None else set(keys)
    return [
        AnswerRow(
            key=question["key"],
            question=question["text"],
            answer=answer_text(question, checkin.answers.get(question["key"])),
        )
        for question in checkin.questions
        if (wanted is None or question["key"] in wanted) and question["key"] in checkin.answers
    ]


@dataclass(frozen=True)
class SharedCheckIn:
    checkin: CheckIn
    rows: list[AnswerRow]


def shared_answers_for(*, mentorship: Mentorship, user: User) -> list[SharedCheckIn]:
    """What the other person of the pair shared with ``user`` (one of the pair), newest first:
    only the answers they ticked, never the rest."""
    if not mentorship.is_participant(user):
        return []
    partner_id = mentorship.mentee_id if user.pk == mentorship.mentor_id else mentorship.mentor_id
    found = (
        CheckIn.objects.filter(
            mentorship=mentorship, author_id=partner_id, answered_at__isnull=False
        )
        .exclude(shared_keys=[])
        .order_by("-answered_at", "-pk")[:SHARED_SHOWN]
    )
    return [
        SharedCheckIn(checkin=checkin, rows=answer_rows(checkin, keys=checkin.shared_keys))
        for checkin in found
    ]


def open_divergence_for(*, mentorship: Mentorship) -> Divergence | None:
    return Divergence.objects.filter(mentorship=mentorship, resolved_at__isnull=True).first()


def divergence_topic_texts(divergence: Divergence, questions: list[Question]) -> list[str]:
    """The questions the pair answered differently, for the pair (never the answers)."""
    texts = {question["key"]: question["text"] for question in questions}
    return [texts.get(key, key) for key in divergence.topics]


def divergence_topics_for(divergence: Divergence) -> list[str]:
    """``divergence_topic_texts`` with the questions of the check-ins that diverged."""
    questions = (
        CheckIn.objects.filter(
            mentorship_id=divergence.mentorship_id,
            kind=divergence.kind,
            sequence=divergence.sequence,
        )
        .values_list("questions", flat=True)
        .first()
    )
    return divergence_topic_texts(divergence, list(questions or []))


def expectations_guide_url(mentorship: Mentorship) -> str:
    """The guidance on talking about expectations, as the pair's program shows it: the first
    article for the health reason "divergence", else the shipped one on expectations."""
    found = guidance_for(mentorship.program, reason_codes=[DIVERGENCE_REASON], limit=1)
    if found:
        return found[0].url
    return f"{EXPECTATIONS_GUIDE_URL}?{urlencode({'program': mentorship.program.slug})}"


@dataclass(frozen=True)
class MentorshipCheckInCounts:
    """For the program's admins: how many check-ins are due and answered, and whether a
    divergence is open (never its topics or the answers)."""

    due: int
    answered: int
    divergence_open: bool


def checkin_counts_for(*, mentorship: Mentorship) -> MentorshipCheckInCounts:
    counts = CheckIn.objects.filter(
        counts_as_due(), mentorship=mentorship, due_at__lte=timezone.now()
    ).aggregate(due=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    return MentorshipCheckInCounts(
        due=counts["due"],
        answered=counts["answered"],
        divergence_open=open_divergence_for(mentorship=mentorship) is not None,
    )
