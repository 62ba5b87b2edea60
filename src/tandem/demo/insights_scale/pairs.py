"""The mentorships of the scale program and how they came about: fortnightly cohort match
runs (published, with their pairs and the mentees left unmatched and why) and direct pairings
in between; each mentorship's agreement, timeline and end. States follow from the dates:
proposed while the terms are being agreed, active for the program's 26 weeks, then completed,
or ended early (more often for a poor pairing), and some of the mentees whose mentorship ended
are matched again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.demo.insights_scale.people import Joiner, People
from tandem.demo.insights_scale.world import DAY, WEEK, World
from tandem.mentorships.models import MentorshipState
from tandem.mentorships.models.mentorships import EndCategory
from tandem.programs.models import EnrolmentStatus

DURATION = 26 * WEEK
RUN_EVERY = 2 * WEEK
REMATCH_SHARE = 0.08  # of all mentorships: a mentee's second mentorship
COHORT_SHARE = 0.7  # the rest were agreed directly, between two runs
SLOWER_GROUP = "first-generation professional"  # waits longer: the equity section's signal
CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 30}
# (category everyone counts, the private words for the admins)
END_REASONS = (
    (EndCategory.SCHEDULE, "Our schedules did not fit."),
    (EndCategory.CHANGE, "The mentee moved to another role."),
    (EndCategory.LEFT, "The mentor left the company."),
    (EndCategory.GOALS_MET, "We reached the goals early."),
    (EndCategory.FIT, "Not a good fit."),
    (EndCategory.SCHEDULE, "Too busy this quarter."),
    (EndCategory.OTHER, "Personal reasons."),
)
NEVER_AGREED = (EndCategory.PROGRAM, "The terms were never agreed.")


@dataclass
class Pair:
    pk: int
    mentor: int
    mentee: int
    created: datetime
    quality: float  # 0..1: how well the pairing works; drives activity, answers and endings
    cadence: str
    run_id: int | None = None
    signed: datetime | None = None  # both signed; the mentorship became active then
    ended: datetime | None = None
    state: str = MentorshipState.PROPOSED
    reason: tuple[str, str] = ("", "")  # (category, the private words)
    waited_runs: tuple[int, ...] = ()  # runs that left the mentee unmatched first

    def active_span(self, now: datetime) -> tuple[datetime, datetime] | None:
        if self.signed is None:
            return None
        return self.signed, min(self.ended or now, now)


def run_times(world: World) -> list[datetime]:
    times, moment = [], world.start + 10 * DAY
    while moment < world.now - DAY:
        times.append(moment)
        moment += RUN_EVERY
    return times


def _settle(world: World, pair: Pair) -> None:
    """The state a pair reached by ``now`` from its dates."""
    rng = world.rng
    delay = DAY * min(40.0, 0.3 + rng.expovariate(1 / 5))
    stuck = world.chance(0.03)
    if stuck or pair.created + delay >= world.now:
        if stuck and pair.created + 8 * WEEK < world.now and world.chance(0.5):
            pair.state, pair.reason = MentorshipState.ENDED_EARLY, NEVER_AGREED
            # 8 to 10 weeks after it was made, and never later than now.
            pair.ended = min(pair.created + DAY * rng.uniform(56, 70), world.now - DAY)
        return
    pair.signed = pair.created + delay
    early = world.chance(0.06 + 0.25 * (1 - pair.quality))
    end = pair.signed + (
        DURATION * rng.uniform(0.05, 0.85) if early else DURATION + DAY * rng.uniform(0, 10)
    )
    if end >= world.now:
        pair.state = MentorshipState.ACTIVE
    elif early:
        pair.state, pair.ended, pair.reason = (
            MentorshipState.ENDED_EARLY,
            end,
            rng.choice(END_REASONS),
        )
    else:
        pair.state, pair.ended = MentorshipState.COMPLETED, end


class Matcher:
    """Hands out mentors in proportion to their capacity, each near the mentee's join time."""

    def __init__(self, world: World, mentors: list[Joiner]) -> None:
        self.world = world
        self.slots = sorted(
            (
                m
                for m in mentors
                if m.status != EnrolmentStatus.REMOVED
                for _ in range(m.capacity or 1)
            ),
            key=lambda m: m.joined,
        )

    def mentor_for(self, fraction: float, *, not_id: int = 0) -> Joiner:
        index = int(fraction * (len(self.slots) - 1))
        index = min(len(self.slots) - 1, max(0, index + self.world.rng.randint(-40, 40)))
        mentor = self.slots[index]
        if mentor.user_id == not_id:
            mentor = self.slots[(index + 1) % len(self.slots)]
        return mentor


def make_pairs(world: World, people: People, *, mentorships: int, first_pk: int) -> list[Pair]:
    rng, runs = world.rng, run_times(world)
    matcher = Matcher(world, people.mentors)
    waiting = sorted(
        (m for m in people.mentees if m.status == EnrolmentStatus.ACTIVE), key=lambda m: m.joined
    )
    rematches = round(mentorships * REMATCH_SHARE)
    candidates: list[Pair] = []
    for k, mentee in enumerate(waiting):
        mentor = matcher.mentor_for(k / max(1, len(waiting)))
        pair = _first_pair(world, people, mentee, mentor, runs)
        if pair is not None and world.chance(0.93):  # some are never matched
            candidates.append(pair)
    rng.shuffle(candidates)
    pairs = sorted(candidates[: mentorships - rematches], key=lambda p: p.created)
    for pair in pairs:
        _settle(world, pair)
    again = [p for p in pairs if p.state == MentorshipState.ENDED_EARLY] + [
        p for p in pairs if p.state == MentorshipState.COMPLETED
    ]
    for previous in again:
        if len(pairs) >= mentorships:
            break
        assert previous.ended is not None
        created = previous.ended + DAY * rng.uniform(3, 40)
        if created >= world.now:
            continue
        mentor = matcher.mentor_for(rng.random(), not_id=previous.mentor)
        pair = Pair(
            0, mentor.user_id, previous.mentee, created, rng.betavariate(5, 2), _cadence(world)
        )
        _settle(world, pair)
        pairs.append(pair)
    if len(pairs) < mentorships:
        raise ValueError(
            f"{len(people.mentees):,} mentees cannot have {mentorships:,} mentorships; "
            "ask for more people or fewer mentorships."
        )
    pairs.sort(key=lambda p: p.created)
    for k, pair in enumerate(pairs):
        pair.pk = first_pk + k
    return pairs


def _cadence(world: World) -> str:
    return world.rng.choice(("weekly", "biweekly", "biweekly", "monthly"))


def _first_pair(
    world: World, people: People, mentee: Joiner, mentor: Joiner, runs: list[datetime]
) -> Pair | None:
    rng = world.rng
    ready = max(mentee.joined, mentor.joined) + DAY * rng.uniform(1, 4)
    if SLOWER_GROUP in people.identity.get(mentee.user_id, ()):
        ready += DAY * rng.uniform(5, 15)
    quality = rng.betavariate(5, 2)
    if world.chance(COHORT_SHARE):
        upcoming = [k for k, moment in enumerate(runs) if moment >= ready]
        skipped = 0
        while world.chance(0.25) and skipped < 3:
            skipped += 1
        if len(upcoming) <= skipped:
            return None
        index = upcoming[skipped]
        pair = Pair(0, mentor.user_id, mentee.user_id, runs[index], quality, _cadence(world))
        pair.run_id = index  # a run's position; the run rows give it its id
        pair.waited_runs = tuple(upcoming[:skipped])
        return pair
    created = ready + DAY * rng.expovariate(1 / 10)
    if created >= world.now:
        return None
    return Pair(0, mentor.user_id, mentee.user_id, created, quality, _cadence(world))


def pair_count_by_state(pairs: list[Pair]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pair in pairs:
        counts[pair.state] = counts.get(pair.state, 0) + 1
    return counts
