"""Simulated mentorship timelines of known fates, for ``bench/health_sim.py``.

Each timeline is a list of events in days from its start (meetings held, cancellations and
moves with who did it, messages and replies with their delay, pulse scores, action items,
goal progress, divergences, amendments, declared pauses) plus its fate and the day its
decline starts (None for the healthy fates). The model:

- Each side has an *engagement* from 0 to 1 over time (healthy 0.8-1; a declining side's
  falls linearly to a floor over a fade of some weeks) and a *satisfaction* that sets its
  pulse scores.
- Meetings are due every cadence period. A side cancels with a probability that grows as its
  engagement falls; a cancellation is usually a move (a few days later), sometimes a skip.
  Noise: meetings skipped without a word, holidays (a side away: no meetings, no messages, late
  replies; declared as a pause only sometimes), jitter of the actual time.
- Messages come in threads; the other side answers with a probability and a delay that
  worsen as its engagement falls.
- Pulse check-ins every period (at least every two weeks), each side answering or not.
- Bookings: every meeting held or called off was booked first. A pair books the next meeting
  at the end of the last one (``Noise.book_ahead`` of the time when both sides are engaged,
  less as a side's engagement falls) or a few days before it (one to half a period, at most a
  week); a moved meeting's new time is booked when it is moved. A meeting silently skipped
  was never booked. The bookings come from a random stream of their own, so every other
  event is what it was before bookings were modelled.

Fates: thriving, steady, ended_well (healthy: decline None); fading (one side's commitment
fades), mismatched (the sides expected different things: one side's satisfaction drops early,
its commitment erodes slowly), breakdown (communication breaks down on both sides),
ended_early (one side fades fast and the pair ends the mentorship weeks later).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SIDES = ("mentor", "mentee")
HEALTHY = ("thriving", "steady", "ended_well")
DECLINING = ("fading", "mismatched", "breakdown", "ended_early")
FATES = HEALTHY + DECLINING


@dataclass(frozen=True)
class Noise:
    """The noise a set of timelines is drawn with (see the module docstring)."""

    cadence_mix: tuple[tuple[int, float], ...]  # (days, share)
    holidays_per_year: float  # per side
    holiday_weeks: tuple[int, int]  # shortest, longest
    holiday_declared: float  # share of holidays the pair declares as a pause
    cancel_base: float  # chance a side cancels a due meeting when fully engaged
    moved_share: float  # share of cancellations that are moves (new time agreed)
    skip: float  # chance a due meeting silently does not happen
    jitter_share: float  # sd of a meeting's actual time, as a share of the period (<= 3 days)
    missed_checkin: float  # chance a side leaves a pulse check-in unanswered
    reply_sigma: float  # log-normal spread of reply delays
    unanswered: float  # chance a message in a healthy pair gets no answer
    overdue: float  # chance a fully engaged owner misses an action item's due date
    false_divergence: float  # chance a check-in opens a divergence in a healthy pair
    book_ahead: float  # chance an engaged pair books the next meeting at the end of one


@dataclass
class Timeline:
    fate: str
    cadence: int
    start_day: int  # days since 2025-01-01 (the start's date)
    end: float  # the last day assessed (completed, ended early, or the end of the window)
    decline: float | None
    meetings: list[float] = field(default_factory=list)
    cancellations: list[tuple[float, str, bool]] = field(default_factory=list)
    messages: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIDES})
    replies: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {s: [] for s in SIDES}
    )
    pulses: dict[str, list[tuple[float, int]]] = field(
        default_factory=lambda: {s: [] for s in SIDES}
    )
    items: list[tuple[float, float]] = field(default_factory=list)  # (due, done or inf)
    progress: list[tuple[float, float]] = field(default_factory=list)  # (day, value)
    has_goals: bool = True
    divergences: list[tuple[float, float]] = field(default_factory=list)  # (open, resolved)
    amendments: list[tuple[float, float]] = field(default_factory=list)  # (sent, signed)
    pauses: list[tuple[float, float]] = field(default_factory=list)  # declared
    # (booked at, start, called off at or inf): every meeting held or called off
    bookings: list[tuple[float, float, float]] = field(default_factory=list)
    # Ground truth for the bench's breakdown only, never shown to the rules: each side's
    # holidays (side, start, end, declared) and the due days silently skipped.
    away: list[tuple[str, float, float, bool]] = field(default_factory=list)
    skipped: list[float] = field(default_factory=list)


@dataclass
class _Side:
    engagement: float
    satisfaction: float
    fade_from: float = math.inf
    fade_days: float = 1.0
    floor: float = 1.0
    sat_drop_from: float = math.inf
    sat_after: float = 1.0
    away: list[tuple[float, float]] = field(default_factory=list)

    def engaged(self, day: float) -> float:
        if day <= self.fade_from:
            return self.engagement
        share = min(1.0, (day - self.fade_from) / self.fade_days)
        return self.engagement - (self.engagement - self.floor) * share

    def satisfied(self, day: float) -> float:
        if day <= self.sat_drop_from:
            return self.satisfaction
        return self.sat_after

    def is_away(self, day: float) -> bool:
        return self.back_from(day) is not None

    def back_from(self, day: float) -> float | None:
        """The day this side comes back, when away on ``day``."""
        return next((end for start, end in self.away if start <= day < end), None)


def _slack(engagement: float) -> float:
    """The extra chance a side lets something go: none while engaged (0.85 and up)."""
    return max(0.0, 0.85 - engagement)


def _cadence(rng: np.random.Generator, noise: Noise) -> int:
    days, shares = zip(*noise.cadence_mix, strict=True)
    return int(rng.choice(days, p=np.array(shares) / sum(shares)))


def _holidays(rng: np.random.Generator, noise: Noise, t: Timeline, sides: dict[str, _Side]):
    """Each side's holidays; the declared ones become the pair's pauses."""
    for name, side in sides.items():
        for _ in range(rng.poisson(noise.holidays_per_year * t.end / 365)):
            start = float(rng.uniform(10, t.end))
            length = 7 * float(rng.uniform(*noise.holiday_weeks))
            side.away.append((start, start + length))
            declared = bool(rng.random() < noise.holiday_declared)
            if declared:
                t.pauses.append((start - 1, start + length + 1))
            t.away.append((name, start, start + length, declared))
    t.pauses.sort()


def _sides(rng: np.random.Generator, fate: str, decline: float | None) -> dict[str, _Side]:
    """Each side's engagement and satisfaction, and how they change from the decline on."""
    level = {"thriving": (0.93, 1.0), "steady": (0.8, 0.92)}.get(fate, (0.85, 0.97))
    sides = {s: _Side(float(rng.uniform(*level)), float(rng.uniform(0.8, 1.0))) for s in SIDES}
    if fate == "steady":
        for side in sides.values():
            side.satisfaction = float(rng.uniform(0.7, 0.9))
    if decline is None:
        return sides
    one = sides[str(rng.choice(SIDES))]
    other = next(s for s in sides.values() if s is not one)
    if fate == "fading":
        one.fade_from, one.fade_days, one.floor = decline, float(rng.uniform(30, 90)), 0.1
        one.sat_drop_from, one.sat_after = decline + 20, float(rng.uniform(0.55, 0.75))
        other.sat_drop_from, other.sat_after = decline + 30, float(rng.uniform(0.5, 0.7))
    elif fate == "mismatched":
        one.sat_drop_from, one.sat_after = decline, float(rng.uniform(0.35, 0.6))
        one.fade_from, one.fade_days, one.floor = decline, float(rng.uniform(60, 150)), 0.3
    elif fate == "breakdown":
        for side in (one, other):
            side.fade_from, side.fade_days, side.floor = decline, float(rng.uniform(10, 30)), 0.15
            side.sat_drop_from, side.sat_after = decline + 14, float(rng.uniform(0.4, 0.65))
    else:  # ended_early
        one.fade_from, one.fade_days, one.floor = decline, float(rng.uniform(14, 30)), 0.05
        one.sat_drop_from, one.sat_after = decline + 7, float(rng.uniform(0.3, 0.6))
        other.sat_drop_from, other.sat_after = decline + 21, float(rng.uniform(0.4, 0.7))
    return sides


@dataclass
class _Slot:
    """One meeting as booked: when, whether it was held, when it was called off, and the
    moment it was moved to (its new time booked then)."""

    start: float
    called_off: float = math.inf
    moved_at: float | None = None


def _meetings(rng, noise: Noise, t: Timeline, sides: dict[str, _Side]) -> list[_Slot]:
    c, due = t.cadence, float(rng.uniform(2, t.cadence))
    jitter = min(3.0, noise.jitter_share * c)
    slots: list[_Slot] = []
    while due < t.end:
        backs = [back for side in sides.values() if (back := side.back_from(due)) is not None]
        if backs:  # planned around the holiday: the next meeting after it
            due = max(backs) + float(rng.uniform(0, 3))
            continue
        if rng.random() < noise.skip:
            t.skipped.append(due)
            due += c
            continue
        when, held, moved_at = due, False, None
        for _attempt in range(3):
            cancellers = [
                name
                for name, side in sides.items()
                if rng.random() < noise.cancel_base + _slack(side.engaged(when))
            ]
            if not cancellers:
                held = True
                break
            moved = rng.random() < noise.moved_share
            called_off = when - float(rng.uniform(0.1, 2))
            t.cancellations.append((called_off, cancellers[0], moved))
            slots.append(_Slot(when, called_off, moved_at))
            if not moved:
                break
            moved_at = called_off
            when += float(rng.uniform(1, min(c, 7)))
        if held:
            actual = when + float(rng.normal(0, jitter))
            if actual < t.end:
                t.meetings.append(max(actual, 0.1))
                slots.append(_Slot(max(actual, 0.1), math.inf, moved_at))
                _items_from(rng, noise, t, sides, actual)
        due += c
    t.meetings.sort()
    t.cancellations.sort()
    return slots


def _bookings(rng, noise: Noise, t: Timeline, sides: dict[str, _Side], slots: list[_Slot]):
    """When each meeting was booked (see the module docstring), drawn from ``rng`` alone."""
    lead = (1.0, max(1.0, min(7.0, t.cadence / 2)))
    for slot in slots:
        before = [m for m in t.meetings if m < slot.start]
        previous = before[-1] if before else 0.0
        engaged = min(side.engaged(previous) for side in sides.values())
        if slot.moved_at is not None:
            booked = slot.moved_at
        elif rng.random() < noise.book_ahead * max(0.0, 1 - 2 * _slack(engaged)):
            booked = previous + 1 / 24  # at the end of the last meeting
        else:
            booked = max(previous, slot.start - float(rng.uniform(*lead)))
        t.bookings.append((min(booked, slot.called_off), slot.start, slot.called_off))
    t.bookings.sort()


def _items_from(rng, noise: Noise, t: Timeline, sides: dict[str, _Side], day: float) -> None:
    for _ in range(rng.poisson(0.8)):
        owner = sides[str(rng.choice(SIDES))]
        due = day + t.cadence
        late = noise.overdue + _slack(owner.engaged(due))
        if rng.random() >= late:
            t.items.append((due, due - float(rng.uniform(0, t.cadence))))
        elif rng.random() < 0.5:
            t.items.append((due, due + float(rng.uniform(1, 2 * t.cadence))))
        else:
            t.items.append((due, math.inf))


def _messages(rng, noise: Noise, t: Timeline, sides: dict[str, _Side], base_hours: float):
    per_day = {7: 1.2, 14: 1.6, 30: 2.5}.get(t.cadence, 2.0) / t.cadence
    day = float(rng.exponential(1 / per_day))
    while day < t.end:
        weights = np.array([sides[s].engaged(day) + 0.05 for s in SIDES])
        writer = str(rng.choice(SIDES, p=weights / weights.sum()))
        other = SIDES[1 - SIDES.index(writer)]
        if not sides[writer].is_away(day):
            t.messages[writer].append(day)
            e = sides[other].engaged(day)
            if rng.random() < (1 - noise.unanswered) * min(1.0, 0.2 + e):
                hours = base_hours * float(rng.lognormal(0, noise.reply_sigma)) / max(e, 0.05) ** 2
                back = sides[other].back_from(day) or day
                answer = max(day + hours / 24, back + float(rng.uniform(0, 2)))
                hours = (answer - day) * 24
                if answer < t.end:
                    t.messages[other].append(answer)
                    t.replies[other].append((answer, hours))
        day += float(rng.exponential(1 / per_day))
    for side in SIDES:
        t.messages[side].sort()
        t.replies[side].sort()


def _pulses(rng, noise: Noise, t: Timeline, sides: dict[str, _Side]) -> None:
    every = max(t.cadence, 14)
    day = float(every)
    while day < t.end:
        answers = {}
        for name, side in sides.items():
            e = side.engaged(day)
            if side.is_away(day) or rng.random() < noise.missed_checkin + 0.5 * (1 - e):
                continue
            score = int(np.clip(round(rng.normal(side.satisfied(day) * 5, 0.55)), 1, 5))
            answers[name] = score
            t.pulses[name].append((day + float(rng.uniform(0, 3)), score))
        real = (
            len(answers) == 2
            and abs(answers["mentor"] - answers["mentee"]) >= 2
            and min(answers.values()) <= 3
            and rng.random() < 0.6  # the check-in's questions disagree, not just the scores
        )
        if real or rng.random() < noise.false_divergence:
            t.divergences.append(
                (day + 3, day + 3 + float(rng.uniform(5, 20)) if not real else math.inf)
            )
        day += every


def _goals(rng, t: Timeline, sides: dict[str, _Side]) -> None:
    t.has_goals = rng.random() < 0.8
    expected = max(4.0, (t.end - 0) / t.cadence)
    value = 0.0
    for day in t.meetings:
        e = min(side.engaged(day) for side in sides.values())
        value = min(1.0, value + e * float(rng.uniform(0.5, 1.5)) / expected)
        t.progress.append((day + 1, value))


def _amendments(rng, t: Timeline, sides: dict[str, _Side]) -> None:
    if rng.random() < 0.25:
        sent = float(rng.uniform(30, t.end))
        e = min(side.engaged(sent) for side in sides.values())
        wait = float(rng.uniform(1, 10)) / max(e, 0.1)
        t.amendments.append((sent, sent + wait))


def timeline(
    rng: np.random.Generator, fate: str, noise: Noise, booking_rng: np.random.Generator
) -> Timeline:
    """One mentorship of the given fate, drawn with the given noise (its bookings with
    ``booking_rng``, so adding them changed no other event)."""
    cadence = _cadence(rng, noise)
    duration = float(rng.uniform(180, 365))
    decline: float | None = None
    end = duration
    if fate in ("fading", "breakdown"):
        decline = float(rng.uniform(0.2, 0.6)) * duration
    elif fate == "mismatched":
        decline = float(rng.uniform(14, 60))
    elif fate == "ended_early":
        decline = float(rng.uniform(0.15, 0.5)) * duration
        end = decline + float(rng.uniform(21, 60))
    t = Timeline(fate, cadence, int(rng.integers(0, 700)), end, decline)
    sides = _sides(rng, fate, decline)
    _holidays(rng, noise, t, sides)
    base_hours = {"thriving": 4.0, "steady": 14.0}.get(fate, 8.0)
    slots = _meetings(rng, noise, t, sides)
    _messages(rng, noise, t, sides, base_hours)
    _pulses(rng, noise, t, sides)
    _goals(rng, t, sides)
    _amendments(rng, t, sides)
    _bookings(booking_rng, noise, t, sides, slots)
    return t


def timelines(seed: int, count: int, noise: Noise) -> list[Timeline]:
    """``count`` timelines, the fates in equal shares, from one seed."""
    rng, booking_rng = np.random.default_rng(seed), np.random.default_rng([seed, 1])
    return [timeline(rng, FATES[i % len(FATES)], noise, booking_rng) for i in range(count)]
