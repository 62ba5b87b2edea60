"""What the pairs said and how they were judged: check-ins on both sides (first-meeting fit,
pulses every six weeks, mid-point, closing survey) answered more often and more warmly by a
good pairing, divergences where the two fit answers differ, and health: a snapshot at each
change of state or reasons, and the current health of every active mentorship."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from tandem.demo.insights_scale.pairs import Pair
from tandem.demo.insights_scale.rows import Row, first_id, insert
from tandem.demo.insights_scale.world import DAY, WEEK, World
from tandem.feedback.health.audience import known_without_answers
from tandem.feedback.models import (
    FLAGGED_STATES,
    CheckIn,
    CheckInKind,
    Divergence,
    HealthSnapshot,
    HealthState,
    MentorshipHealth,
)
from tandem.feedback.questions import (
    DEFAULT_QUESTIONS,
    EARLY_END_QUESTION,
    END_CATEGORY_KEY,
    Question,
)
from tandem.mentorships.models import MentorshipState
from tandem.mentorships.models.mentorships import EndCategory

PULSE_EVERY = 6 * WEEK
LEVELS = (HealthState.STALLED, HealthState.AT_RISK, HealthState.ON_TRACK, HealthState.THRIVING)
SCORES = (20, 45, 65, 85)
CONCERNS = ("missed_periods", "no_contact", "low_pulse", "overdue_items", "cancellations")
STRENGTHS = ("meets_on_cadence", "quick_replies", "high_pulse", "goal_progress")


def write_feedback(world: World, pairs: list[Pair], *, program_id: int) -> dict[str, int]:
    divergences: list[Row] = []
    checkins = insert(CheckIn, _checkins(world, pairs, divergences), now=world.now)
    insert(Divergence, divergences, now=world.now)
    current: list[Row] = []
    snapshots = insert(HealthSnapshot, _snapshots(world, pairs, program_id, current), now=world.now)
    insert(MentorshipHealth, current, now=world.now)
    return {"check-ins": checkins, "health snapshots": snapshots}


def _points(pair: Pair, now: datetime) -> Iterator[tuple[str, int, datetime]]:
    span = pair.active_span(now)
    if span is None:
        return
    start, end = span
    yield CheckInKind.FIRST_MEETING, 0, start + 2 * WEEK
    due, sequence = start + PULSE_EVERY, 1
    while due < end:
        yield CheckInKind.PULSE, sequence, due
        due, sequence = due + PULSE_EVERY, sequence + 1
    yield CheckInKind.MIDPOINT, 0, start + 13 * WEEK
    if pair.state in (MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY):
        yield CheckInKind.CLOSING, 0, end


def _questions(kind: str, pair: Pair) -> list[Question]:
    """The questions asked, as the check-in schedule copies them: an early end's closing
    survey also asks each side why it ended."""
    questions = DEFAULT_QUESTIONS[kind]
    if kind == CheckInKind.CLOSING and pair.state == MentorshipState.ENDED_EARLY:
        return [*questions, EARLY_END_QUESTION]
    return questions


def _scale(world: World, quality: float) -> int:
    return max(1, min(5, round(1 + 4 * quality + world.rng.gauss(0, 0.7))))


def _answers(world: World, kind: str, pair: Pair) -> dict[str, object]:
    quality = pair.quality
    pick = world.rng.choices
    if kind == CheckInKind.FIRST_MEETING:
        clear = pick(("yes", "partly", "no"), (quality, 0.4, 1 - quality))[0]
        return {"fit": _scale(world, quality), "expectations_clear": clear, "adjust": ""}
    if kind == CheckInKind.PULSE:
        return {"progress": _scale(world, quality), "meeting_useful": _scale(world, quality)}
    if kind == CheckInKind.MIDPOINT:
        return {
            "progress": _scale(world, quality),
            "goals_still_right": "yes",
            "amend_agreement": "no",
        }
    recommend = pick(("yes", "maybe", "no"), (quality, 0.3, 1 - quality))[0]
    closing: dict[str, object] = {
        "goals_achieved": _scale(world, quality),
        "satisfaction": _scale(world, quality),
        "would_recommend": recommend,
        "keep": "The check-ins." if world.chance(0.2) else "",
    }
    if pair.state == MentorshipState.ENDED_EARLY and world.chance(0.8):  # an optional question
        # each side's own view; often the recorded category, sometimes another
        closing[END_CATEGORY_KEY] = (
            pair.reason[0] if world.chance(0.6) else world.rng.choice(EndCategory.values)
        )
    return closing


def _checkins(world: World, pairs: list[Pair], divergences: list[Row]) -> Iterator[Row]:
    rng, pk, divergence_id = world.rng, first_id(CheckIn), first_id(Divergence)
    for pair in pairs:
        for kind, sequence, due in _points(pair, world.now):
            if due >= world.now or (
                kind == CheckInKind.MIDPOINT and due >= (pair.ended or world.now)
            ):
                continue
            fits = []
            for author in (pair.mentee, pair.mentor):
                answered = None
                if world.chance(0.5 + 0.45 * pair.quality):
                    answered = world.before_now(due + DAY * rng.uniform(0, 5))
                answers = _answers(world, kind, pair) if answered else {}
                fits.append(answers.get("fit"))
                yield {
                    "id": pk,
                    "mentorship_id": pair.pk,
                    "author_id": author,
                    "kind": kind,
                    "sequence": sequence,
                    "questions": _questions(kind, pair),
                    "due_at": due,
                    "answered_at": answered,
                    "answers_changed_at": answered,
                    "answers": answers,
                    "created_at": due - DAY,
                }
                pk += 1
            if None not in fits and abs(fits[0] - fits[1]) >= 2:  # type: ignore[operator]
                divergences.append(
                    {
                        "id": divergence_id,
                        "mentorship_id": pair.pk,
                        "kind": kind,
                        "sequence": sequence,
                        "topics": ["fit"],
                        "detected_at": due + 5 * DAY,
                    }
                )
                divergence_id += 1


def _snapshots(
    world: World, pairs: list[Pair], program_id: int, current: list[Row]
) -> Iterator[Row]:
    """A pair's health wanders from a level its quality sets; a row at each change."""
    rng, pk = world.rng, first_id(HealthSnapshot)
    for pair in pairs:
        span = pair.active_span(world.now)
        if span is None:
            continue
        start, end = span
        level = min(3, max(0, int(pair.quality * 4 + rng.gauss(0, 0.6))))
        moment, since, codes = start + 2 * WEEK, start, _codes(world, level)
        changed = True
        while moment < end:
            if changed:
                since = moment
                yield _snapshot(pk, pair, program_id, level, codes, moment)
                pk += 1
            step = rng.random()
            before = level
            if step < 0.18 * pair.quality:
                level = min(3, level + 1)
            elif step < 0.18:
                level = max(0, level - 1)
            changed = level != before
            if changed:
                codes = _codes(world, level)
            moment += DAY * rng.randint(14, 28)
        if pair.state == MentorshipState.ACTIVE:
            reasons = [{"code": c, "text": c.replace("_", " "), "weight": 0} for c in codes]
            current.append(
                {
                    "mentorship_id": pair.pk,
                    "program_id": program_id,
                    "state": LEVELS[level],
                    "score": SCORES[level],
                    "signals": {},
                    "reasons": reasons,
                    "views": _side_views(LEVELS[level], reasons, since),
                    "last_activity_at": end - DAY * rng.uniform(0, 20),
                    "state_since": since,
                    "computed_at": world.now - timedelta(hours=3),
                }
            )


def _side_views(state: str, reasons: list[Row], since: datetime) -> dict[str, Row]:
    """What each of the pair reads (``feedback.services.health_sides``): these made-up reasons
    name no side, so both views are what a row without views shows the pair
    (``known_without_answers``; third privacy review: without views the pair read the full
    state, and "at risk" beside a lone cancellation of no weight told a mentor that the mentee
    had answered low)."""
    state, kept = known_without_answers(state, reasons)
    flagged = since.isoformat() if state in FLAGGED_STATES else None
    view = {
        "state": state,
        "state_since": since.isoformat(),
        "flagged_since": flagged,
        "reasons": kept,
        "changed_at": since.isoformat(),
    }
    return {"mentor": view, "mentee": dict(view)}


def _codes(world: World, level: int) -> list[str]:
    return world.rng.sample(CONCERNS if level <= 1 else STRENGTHS, world.rng.randint(1, 2))


def _snapshot(
    pk: int, pair: Pair, program_id: int, level: int, codes: list[str], moment: datetime
) -> Row:
    return {
        "id": pk,
        "mentorship_id": pair.pk,
        "program_id": program_id,
        "state": LEVELS[level],
        "score": SCORES[level] + pk % 7,
        "reason_codes": codes,
        "computed_at": moment,
    }
