"""Relationship health from the database: the signals of a batch of mentorships (a fixed
number of queries, whatever the batch's size), the mentorships whose activity is newer than
their health, and the reads of the health panel, the admin's oversight list and the API.

Who reads what (DESIGN.md): a mentorship's health and its reasons are read by the pair and the
program's admins. The signals are counts and times only: a check-in is read for its two scores
(never its comments) and a message for its sender and time (never its body).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Avg, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from tandem.feedback.health import (
    CADENCE_DAYS,
    Booking,
    Cancellation,
    HealthSignals,
    Pulse,
    Reply,
    Side,
)
from tandem.feedback.models import (
    CheckIn,
    Divergence,
    MentorshipHealth,
)
from tandem.feedback.questions import PROGRESS_KEY
from tandem.feedback.selectors.health_history import (
    CANCELLING_EVENTS,
    HELD_OR_MISSED,
    active_since,
    baselines_for,
    no_show,
    pauses_for,
    pulses_of,
    replies_of,
    side_of,
)
from tandem.mentorships.models import (
    ActionItem,
    ActionItemStatus,
    AgreementVersion,
    Goal,
    GoalState,
    Meeting,
    MeetingStatus,
    Mentorship,
    MentorshipEvent,
    MentorshipState,
)
from tandem.messaging.models import Message

# What the signals read of the past: older meetings, cancellations, check-ins and messages
# cannot change a state the last few cadence periods decide (a pair silent for longer than
# this is stalled whatever came before). Each side's last message is read whatever its age.
LOOKBACK = timedelta(days=183)
REPLY_LOOKBACK = timedelta(days=60)
# Plain words for the check-in questions a divergence names (question keys otherwise).
TOPIC_WORDS = {
    "fit": "how good a fit you are",
    "expectations_clear": "how clear your expectations are",
    PROGRESS_KEY: "progress toward your goals",
    "goals_still_right": "whether the goals are still right",
    "amend_agreement": "whether to amend the agreement",
    "goals_achieved": "how far you reached your goals",
}
DEFAULT_CADENCE = "biweekly"
# Bookings are read this many of a pair's periods ahead: the assessment counts one starting
# within a period of active days, which a declared pause may stretch a little.
BOOKING_HORIZON_PERIODS = 2
# The "soon after" recompute reads at most this many recent rows of each kind of activity.
RECENT_ROWS = 2000


def topic_words(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(TOPIC_WORDS.get(key, key.replace("_", " ")) for key in keys)


@dataclass
class _Gathered:
    meetings: dict[int, list[datetime]]
    cancellations: dict[int, list[Cancellation]]
    last_message: dict[int, dict[Side, datetime]]
    replies: dict[int, list[Reply]]
    overdue: dict[int, list[datetime]]
    progress: dict[int, float]
    pulses: dict[int, list[Pulse]]
    divergences: dict[int, tuple[str, ...]]
    cadence: dict[int, str]
    amendment_since: dict[int, datetime]
    bookings: dict[int, list[Booking]]


def _meetings(
    ids: list[int], now: datetime
) -> tuple[dict[int, list[datetime]], dict[int, list[Cancellation]]]:
    """The meetings held in the :data:`LOOKBACK`, and each pair's last one whatever its age:
    declared pauses leave days out of the count since it, so a meeting older than the
    lookback can still be the one that counts. And, in the same query, the lookback's
    meetings marked as not taken place (``no_show``)."""
    held: dict[int, list[datetime]] = defaultdict(list)
    missed: dict[int, list[Cancellation]] = defaultdict(list)
    past = Meeting.objects.filter(starts_at__lte=now)
    last = past.filter(
        status=MeetingStatus.SCHEDULED, mentorship_id=OuterRef("mentorship_id")
    ).order_by("-starts_at", "-pk")
    rows = (
        past.filter(mentorship_id__in=ids, status__in=HELD_OR_MISSED)
        .filter(Q(starts_at__gte=now - LOOKBACK) | Q(pk=Subquery(last.values("pk")[:1])))
        .values_list("mentorship_id", "starts_at", "status")
    )
    for mentorship_id, starts_at, status in rows:
        if status == MeetingStatus.MISSED:
            missed[mentorship_id].append(no_show(starts_at))
        else:
            held[mentorship_id].append(starts_at)
    return held, missed


def _bookings(cadence: dict[int, str], now: datetime) -> dict[int, list[Booking]]:
    """The meetings booked by ``now`` to start within :data:`BOOKING_HORIZON_PERIODS` of each
    pair's periods and not called off (one query; a weekly series is not read a year ahead)."""
    by_length: dict[int, list[int]] = defaultdict(list)
    for mentorship_id, name in cadence.items():
        by_length[CADENCE_DAYS[name]].append(mentorship_id)
    horizon = Q()
    for days, ids in by_length.items():
        until = now + timedelta(days=BOOKING_HORIZON_PERIODS * days)
        horizon |= Q(mentorship_id__in=ids, starts_at__lte=until)
    rows = Meeting.objects.filter(
        horizon, status=MeetingStatus.SCHEDULED, starts_at__gt=now, booked_at__lte=now
    ).values_list("mentorship_id", "starts_at", "booked_at")
    found: dict[int, list[Booking]] = defaultdict(list)
    for mentorship_id, starts_at, booked_at in rows:
        found[mentorship_id].append(Booking(start=starts_at, booked_at=booked_at))
    return found


def _cancellations(by_id: dict[int, Mentorship], now: datetime) -> dict[int, list[Cancellation]]:
    found: dict[int, list[Cancellation]] = defaultdict(list)
    rows = MentorshipEvent.objects.filter(
        mentorship_id__in=list(by_id),
        kind__in=list(CANCELLING_EVENTS),
        created_at__gte=now - LOOKBACK,
        created_at__lte=now,
    ).values_list("mentorship_id", "actor_id", "kind", "created_at", "due_at")
    for mentorship_id, actor_id, kind, at, due in rows:
        side = side_of(by_id[mentorship_id], actor_id)
        if side is not None:
            found[mentorship_id].append(
                Cancellation(at=at, by=side, rescheduled=CANCELLING_EVENTS[kind], due=due)
            )
    return found


def _messages(
    by_id: dict[int, Mentorship], now: datetime
) -> tuple[dict[int, dict[Side, datetime]], dict[int, list[Reply]]]:
    """Each side's last message (any age) and the recent answers' delays, from senders and
    times only."""
    ids = list(by_id)
    last: dict[int, dict[Side, datetime]] = defaultdict(dict)
    latest = (
        Message.objects.filter(conversation__mentorship_id__in=ids, created_at__lte=now)
        .values("conversation__mentorship_id", "sender_id")
        .annotate(at=Max("created_at"))
        .values_list("conversation__mentorship_id", "sender_id", "at")
    )
    for mentorship_id, sender_id, at in latest:
        side = side_of(by_id[mentorship_id], sender_id)
        if side is not None:
            last[mentorship_id][side] = at
    sequence: dict[int, list[tuple[Side, datetime]]] = defaultdict(list)
    recent = (
        Message.objects.filter(
            conversation__mentorship_id__in=ids,
            created_at__gte=now - REPLY_LOOKBACK,
            created_at__lte=now,
        )
        .order_by("conversation_id", "pk")
        .values_list("conversation__mentorship_id", "sender_id", "created_at")
    )
    for mentorship_id, sender_id, at in recent:
        side = side_of(by_id[mentorship_id], sender_id)
        if side is not None:
            sequence[mentorship_id].append((side, at))
    return last, {key: replies_of(sides) for key, sides in sequence.items()}


def _overdue(ids: list[int], today: date) -> dict[int, list[datetime]]:
    """When each open action item past its due date fell due: the end of its due day (UTC)."""
    found: dict[int, list[datetime]] = defaultdict(list)
    rows = ActionItem.objects.filter(
        mentorship_id__in=ids, status=ActionItemStatus.OPEN, due_on__lt=today
    ).values_list("mentorship_id", "due_on")
    for mentorship_id, due_on in rows:
        if due_on is not None:  # the filter leaves none out; the column allows it
            found[mentorship_id].append(datetime.combine(due_on + timedelta(days=1), time(), UTC))
    return found


def _progress(ids: list[int]) -> dict[int, float]:
    rows = (
        Goal.objects.filter(mentorship_id__in=ids)
        .exclude(state=GoalState.DROPPED)
        .values("mentorship_id")
        .annotate(average=Avg("percent"))
        .values_list("mentorship_id", "average")
    )
    return {key: min(max(float(average) / 100, 0.0), 1.0) for key, average in rows}


def _pulses(by_id: dict[int, Mentorship], now: datetime) -> dict[int, list[Pulse]]:
    return pulses_of(
        CheckIn.objects.filter(
            mentorship_id__in=list(by_id), answered_at__gte=now - LOOKBACK, answered_at__lte=now
        ),
        by_id,
    )


def _divergences(ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The topics of each mentorship's latest open divergence."""
    rows = (
        Divergence.objects.filter(mentorship_id__in=ids, resolved_at__isnull=True)
        .order_by("detected_at", "pk")
        .values_list("mentorship_id", "topics")
    )
    return {key: topic_words(topics or ()) for key, topics in rows}


def _agreements(
    by_id: dict[int, Mentorship],
) -> tuple[dict[int, str], dict[int, datetime]]:
    """The cadence of the version in effect (the program's default without one) and when the
    newest version, if not signed by both after one that is, was proposed."""
    cadence: dict[int, str] = {}
    waiting: dict[int, datetime] = {}
    rows = (
        AgreementVersion.objects.filter(mentorship_id__in=list(by_id))
        .annotate(cadence=KT("content__cadence"))
        .order_by("mentorship_id", "-number")
        .values_list(
            "mentorship_id", "cadence", "created_at", "signed_by_mentor_at", "signed_by_mentee_at"
        )
    )
    newest_unsigned: dict[int, datetime] = {}
    seen: set[int] = set()
    for mentorship_id, agreed, created_at, by_mentor, by_mentee in rows:
        first = mentorship_id not in seen
        seen.add(mentorship_id)
        signed = by_mentor is not None and by_mentee is not None
        if first and not signed:
            newest_unsigned[mentorship_id] = created_at
        if signed and mentorship_id not in cadence:
            cadence[mentorship_id] = str(agreed or "")
            if mentorship_id in newest_unsigned:
                waiting[mentorship_id] = newest_unsigned[mentorship_id]
    for mentorship_id, mentorship in by_id.items():
        if cadence.get(mentorship_id) not in CADENCE_DAYS:
            cadence[mentorship_id] = mentorship.program.default_cadence or DEFAULT_CADENCE
    return cadence, waiting


def _gather(by_id: dict[int, Mentorship], now: datetime) -> _Gathered:
    ids = list(by_id)
    last_message, replies = _messages(by_id, now)
    cadence, amendment_since = _agreements(by_id)
    held, cancellations = _meetings(ids, now)
    for mentorship_id, called_off in _cancellations(by_id, now).items():
        cancellations[mentorship_id].extend(called_off)
    return _Gathered(
        meetings=held,
        cancellations=cancellations,
        last_message=last_message,
        replies=replies,
        overdue=_overdue(ids, now.date()),
        progress=_progress(ids),
        pulses=_pulses(by_id, now),
        divergences=_divergences(ids),
        cadence=cadence,
        amendment_since=amendment_since,
        bookings=_bookings(cadence, now),
    )


def health_signals_for(
    *, mentorships: Sequence[Mentorship], now: datetime
) -> dict[int, HealthSignals]:
    """The health signals of each mentorship (their programs joined) at ``now``, in at most
    sixteen queries for the whole batch: eleven for the recent weeks and what is booked, one
    for the declared pauses, four for the first weeks of those past them (their baseline)."""
    by_id = {mentorship.pk: mentorship for mentorship in mentorships}
    if not by_id:
        return {}
    gathered = _gather(by_id, now)
    pauses = pauses_for(list(by_id), now=now)
    baselines = baselines_for(by_id, now=now)
    signals: dict[int, HealthSignals] = {}
    for pk, mentorship in by_id.items():
        waiting = gathered.amendment_since.get(pk)
        signals[pk] = HealthSignals(
            as_of=now,
            active_since=min(active_since(mentorship), now),
            cadence_days=CADENCE_DAYS[gathered.cadence[pk]],
            meetings_held=tuple(gathered.meetings.get(pk, ())),
            meetings_booked=tuple(gathered.bookings.get(pk, ())),
            cancellations=tuple(gathered.cancellations.get(pk, ())),
            last_message_at=gathered.last_message.get(pk, {}),
            replies=tuple(gathered.replies.get(pk, ())),
            overdue_action_items=tuple(gathered.overdue.get(pk, ())),
            goal_progress=gathered.progress.get(pk),
            pulses=tuple(gathered.pulses.get(pk, ())),
            divergence_topics=gathered.divergences.get(pk, ()),
            amendment_waiting_days=(
                max((now - waiting) / timedelta(days=1), 0.0) if waiting else None
            ),
            paused=tuple(pauses.get(pk, ())),
            baseline=baselines.get(pk),
        )
    return signals


# Which mentorships to recompute -----------------------------------------------------------


def active_mentorships() -> QuerySet[Mentorship]:
    return Mentorship.objects.filter(state=MentorshipState.ACTIVE).select_related("program")


def mentorships_due_daily(*, now: datetime, limit: int) -> list[Mentorship]:
    """Active mentorships whose health is missing, a day old or computed after ``now`` (by
    ``tandem manage tandem_tick --now`` in the future, or a clock set back: left alone, such a
    row would wait for the real clock to pass it), oldest first (``limit`` of them: the daily
    sweep runs every few minutes and takes a bounded share each time)."""
    stale = (
        Q(health__isnull=True)
        | Q(health__computed_at__lte=now - timedelta(days=1))
        | Q(health__computed_at__gt=now)
    )
    return list(active_mentorships().filter(stale).order_by("health__computed_at", "pk")[:limit])


def mentorships_with_new_activity(*, now: datetime, since: datetime) -> list[Mentorship]:
    """Active mentorships where something happened after ``since`` and after their health was
    last computed: a timeline event (meetings scheduled, moved or cancelled, goals, action
    items, agreements), a message, a check-in answered or edited. Each source is read through
    an index (the events' primary key, newest first; the messages' times, the check-ins' last
    change) and at most ``RECENT_ROWS`` rows; whatever a burst leaves out, the daily sweep
    takes."""
    activity: dict[int, datetime] = {}

    def seen(rows: Iterable[tuple[int | None, datetime | None]]) -> None:
        for mentorship_id, at in rows:
            if mentorship_id is not None and at is not None and since < at <= now:
                activity[mentorship_id] = max(at, activity.get(mentorship_id, at))

    seen(
        MentorshipEvent.objects.order_by("-pk").values_list("mentorship_id", "created_at")[
            :RECENT_ROWS
        ]
    )
    seen(
        Message.objects.filter(created_at__gt=since, created_at__lte=now)
        .order_by("-created_at")
        .values_list("conversation__mentorship_id", "created_at")[:RECENT_ROWS]
    )
    seen(
        CheckIn.objects.filter(answers_changed_at__gt=since, answers_changed_at__lte=now)
        .order_by("-answers_changed_at")
        .values_list("mentorship_id", "answers_changed_at")[:RECENT_ROWS]
    )
    if not activity:
        return []
    candidates = active_mentorships().filter(pk__in=list(activity))
    computed = dict(
        MentorshipHealth.objects.filter(pk__in=list(activity)).values_list(
            "mentorship_id", "computed_at"
        )
    )
    return [
        mentorship
        for mentorship in candidates
        if mentorship.pk not in computed or computed[mentorship.pk] < activity[mentorship.pk]
    ]
