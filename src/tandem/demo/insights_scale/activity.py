"""What the pairs did while active: meetings at their agreed cadence (a good pairing misses
fewer; some are cancelled; active pairs have the next one booked), action items (done on
time, late or still open), goals and their progress, and messages (counts matter, so the
bodies are a word)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.demo.insights_scale.pairs import CADENCE_DAYS, Pair
from tandem.demo.insights_scale.rows import Row, first_id, insert
from tandem.demo.insights_scale.world import DAY, WEEK, World
from tandem.mentorships.models import (
    ActionItem,
    ActionItemStatus,
    Goal,
    GoalState,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    MentorshipState,
)
from tandem.messaging.models import Conversation, Message

FORMATS = (MeetingFormat.VIDEO, MeetingFormat.VIDEO, MeetingFormat.CALL, MeetingFormat.IN_PERSON)


def write_activity(world: World, pairs: list[Pair], *, program_id: int) -> dict[str, int]:
    meetings = insert(Meeting, _meetings(world, pairs), now=world.now)
    items = insert(ActionItem, _action_items(world, pairs), now=world.now)
    goals = insert(Goal, _goals(world, pairs), now=world.now)
    messages = _conversations(world, pairs, program_id=program_id)
    return {"meetings": meetings, "action items": items, "goals": goals, "messages": messages}


def _meetings(world: World, pairs: list[Pair]):
    rng, pk = world.rng, first_id(Meeting)
    for pair in pairs:
        span = pair.active_span(world.now)
        if span is None:
            continue
        start, end = span
        held = 0.45 + 0.55 * pair.quality
        moment = start + 3 * DAY
        while moment < end:
            roll = rng.random()
            if roll < held + 0.08:
                status = MeetingStatus.SCHEDULED if roll < held else MeetingStatus.CANCELLED
                yield _meeting(
                    pk,
                    pair,
                    moment + timedelta(hours=rng.randint(-30, 30)),
                    status,
                    rng.choice(FORMATS),
                )
                pk += 1
            moment += DAY * CADENCE_DAYS[pair.cadence]
        if pair.state == MentorshipState.ACTIVE:
            yield _meeting(
                pk,
                pair,
                world.now + DAY * rng.uniform(1, 14),
                MeetingStatus.SCHEDULED,
                MeetingFormat.VIDEO,
            )
            pk += 1


def _meeting(pk: int, pair: Pair, starts: datetime, status: str, format_: str) -> Row:
    return {
        "id": pk,
        "mentorship_id": pair.pk,
        "starts_at": starts,
        "duration_minutes": 45,
        "format": format_,
        "status": status,
        "created_by_id": pair.mentor,
        "created_at": starts - 7 * DAY,
        "updated_at": starts - 7 * DAY,
    }


def _action_items(world: World, pairs: list[Pair]):
    rng, pk = world.rng, first_id(ActionItem)
    for pair in pairs:
        span = pair.active_span(world.now)
        if span is None:
            continue
        start, end = span
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
            created = start + (end - start) * rng.random()
            done = world.chance(0.4 + 0.5 * pair.quality)
            done_at = created + DAY * rng.uniform(1, 20) if done else None
            if done_at is not None and done_at >= world.now:
                done_at = None
            yield {
                "id": pk,
                "mentorship_id": pair.pk,
                "description": "Read the chapter",
                "owner_id": pair.mentee if world.chance(0.75) else pair.mentor,
                "due_on": (created + 14 * DAY).date(),
                "status": ActionItemStatus.DONE if done_at else ActionItemStatus.OPEN,
                "created_by_id": pair.mentor,
                "created_at": created,
                "done_at": done_at,
            }
            pk += 1


def _goal_state(world: World, pair: Pair, elapsed: float) -> tuple[str, int]:
    roll = world.rng.random()
    if pair.state == MentorshipState.COMPLETED:
        if roll < 0.35 + 0.5 * pair.quality:
            return GoalState.ACHIEVED, 100
        return (GoalState.DROPPED, 30) if roll > 0.92 else (GoalState.IN_PROGRESS, 70)
    if pair.state == MentorshipState.ENDED_EARLY:
        if roll < 0.4:
            return GoalState.DROPPED, 20
        return (GoalState.ACHIEVED, 100) if roll > 0.9 else (GoalState.IN_PROGRESS, 40)
    percent = min(100, round(elapsed * 100 * pair.quality * 1.3 * world.rng.uniform(0.6, 1.2)))
    if percent >= 100:
        return GoalState.ACHIEVED, 100
    return (GoalState.IN_PROGRESS, percent) if percent > 0 else (GoalState.NOT_STARTED, 0)


def _goals(world: World, pairs: list[Pair]):
    rng, pk = world.rng, first_id(Goal)
    for pair in pairs:
        span = pair.active_span(world.now)
        count = rng.randint(1, 3) if span else rng.randint(0, 1)
        start = span[0] if span else pair.created
        elapsed = ((span[1] - span[0]) / (26 * WEEK)) if span else 0.0
        for _ in range(count):
            state, percent = (
                _goal_state(world, pair, elapsed) if span else (GoalState.NOT_STARTED, 0)
            )
            yield {
                "id": pk,
                "mentorship_id": pair.pk,
                "title": "Lead a project",
                "target_date": (start + 26 * WEEK).date(),
                "state": state,
                "percent": percent,
                "created_by_id": pair.mentee,
                "created_at": world.before_now(start + DAY * rng.uniform(0, 10)),
            }
            pk += 1


def _conversations(world: World, pairs: list[Pair], *, program_id: int) -> int:
    """Messages are streamed into their table (there are many); the conversations, written
    after them, carry the last message's time and id (foreign keys are checked at commit)."""
    conversations: list[Row] = []
    written = insert(Message, _messages(world, pairs, program_id, conversations), now=world.now)
    insert(Conversation, conversations, now=world.now)
    return written


def _messages(world: World, pairs: list[Pair], program_id: int, conversations: list[Row]):
    rng = world.rng
    conversation_id, message_id = first_id(Conversation), first_id(Message)
    for pair in pairs:
        end = min(pair.ended or world.now, world.now)
        weeks = (end - pair.created) / WEEK
        rate = 0.1 + 0.8 * pair.quality * rng.uniform(0.3, 1.5)
        count = int(rate * weeks + rng.random())
        moments = sorted(pair.created + (end - pair.created) * rng.random() for _ in range(count))
        for j, moment in enumerate(moments):
            sender = pair.mentee if j % 2 == 0 or world.chance(0.2) else pair.mentor
            yield {
                "id": message_id + j,
                "conversation_id": conversation_id,
                "sender_id": sender,
                "client_id": f"c{j}",
                "body": "Hi",
                "created_at": moment,
            }
        message_id += len(moments)
        conversations.append(
            {
                "id": conversation_id,
                "program_id": program_id,
                "mentor_id": pair.mentor,
                "mentee_id": pair.mentee,
                "mentorship_id": pair.pk,
                "created_at": pair.created,
                "last_message_at": moments[-1] if moments else None,
                "last_message_id": message_id - 1 if moments else 0,
            }
        )
        conversation_id += 1
