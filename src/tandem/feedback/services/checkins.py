"""Check-ins answered by their author and compared between the two sides (when they come
and their reminder: ``checkin_schedule``).

Answers stay their author's (DESIGN.md); the author may share some with the other person of
the pair and, separately, the whole check-in with the program's admins. An answered check-in
may be changed for ``EDIT_WINDOW`` after its first answer; after that it is refused with
``ANSWER_WINDOW_CLOSED`` (a form sent back unchanged is still fine: it changes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.text import clean_text
from tandem.feedback.models import (
    CHECKIN_COMMENT_LIMIT,
    EDIT_WINDOW,
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
    access_checkin,
    checkin_partner_of,
    checkin_point_lock,
    divergence_topic_texts,
    expectations_guide_url,
)
from tandem.mentorships.models import (
    AgreementVersion,
    Mentorship,
    MentorshipState,
)
from tandem.mentorships.services import mentorship_confirm_midpoint
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send
from tandem.people.models import User

# Two scale answers this far apart, or more, are a divergence.
SCALE_GAP = 2
NO = "no"
AMEND_AGREEMENT_KEY = "amend_agreement"

ANSWER_REQUIRED = "Answer this question."
BAD_SCALE = "Choose a number from {low} to {high}."
BAD_CHOICE = "Choose one of the answers offered."
TEXT_TOO_LONG = "Keep this under {limit} characters."
NOT_TEXT = "Write this answer as text."
NOT_A_QUESTION = "This check-in has no such question."
SOME_ANSWERS_WRONG = "Some answers need attention."
ANSWER_WINDOW_CLOSED = (
    "You answered this check-in more than a day ago, so it can no longer be changed. "
    "Your next check-in is a new chance to say how things are."
)
CHECKIN_CLOSED = "This mentorship has ended, so this check-in can no longer be answered."


# Answering ------------------------------------------------------------------------------


def _answer(question: Question, raw: Any) -> tuple[Any, str | None]:
    """One answer normalised (an int for a scale), or None when not given; with the field's
    error if it is wrong."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ANSWER_REQUIRED if question.get("required") else None
    if question["type"] == "scale":
        low, high = question.get("low", SCALE_LOW), question.get("high", SCALE_HIGH)
        value = _whole_number(raw)
        if value is None or not low <= value <= high:
            return None, BAD_SCALE.format(low=low, high=high)
        return value, None
    if question["type"] == "choice":
        if raw not in [value for value, _label in question["choices"]]:
            return None, BAD_CHOICE
        return raw, None
    if not isinstance(raw, str):  # an API client's ["a"] was stored as the text "['a']"
        return None, NOT_TEXT
    text = clean_text(raw)
    if len(text) > CHECKIN_COMMENT_LIMIT:
        return None, TEXT_TOO_LONG.format(limit=CHECKIN_COMMENT_LIMIT)
    return text or None, None


def _whole_number(raw: Any) -> int | None:
    """A scale's answer as one int however it came: ``3``, ``3.0`` (a JSON client's number)
    or ``"3"`` (the page's form); None for anything else (``3.5``, ``"3.0"``, ``true``). A
    review found ``"3"`` taken and ``3.0`` refused."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, int):
        return raw
    text = raw.strip() if isinstance(raw, str) else ""
    if text.isascii() and text.isdigit() and str(int(text)) == text:
        return int(text)
    return None


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


def _unchanged(
    checkin: CheckIn, clean: dict[str, Any], shared: list[str], shared_with_admins: bool
) -> bool:
    return (
        checkin.answered_at is not None
        and clean == checkin.answers
        and shared == list(checkin.shared_keys)
        and shared_with_admins == checkin.shared_with_admins
    )


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
        checkin = access_checkin(user=user, checkin_id=checkin_id)
        clean = check_answers(checkin.questions, answers)
        shared = check_shared_keys(checkin.questions, clean, shared_keys)
        if _unchanged(checkin, clean, shared, shared_with_admins):
            return Answered(checkin, first_time=False, changed=False)
        checkin_point_lock(checkin)
        checkin = access_checkin(user=user, checkin_id=checkin_id, for_update=True)
        if _unchanged(checkin, clean, shared, shared_with_admins):  # the same sent twice at once
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
        checkin.answers_changed_at = now
        checkin.save(
            update_fields=[
                "answers",
                "shared_keys",
                "shared_with_admins",
                "answered_at",
                "answers_changed_at",
            ]
        )
        if first_time:
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
        # A review sent before the mid-point (an admin's, say) is an answer, not the step.
        if mentorship.midpoint_confirmed_at is None and mentorship.midpoint_reached(
            timezone.localdate()
        ):
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
    """When the second side first answers a point (never on an edit): a notable difference on
    a compared question is a divergence (both prompted once); agreement on every compared
    question settles the divergences still open.

    Decided once, from the two first answers: were an edit to open, settle or re-word it, the
    editor could try each value within the edit window and watch the divergence panel come
    and go, and so read the other's private answer (live privacy review)."""
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
