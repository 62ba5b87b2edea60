"""Relationship health in the product: recompute it, nudge the pair, alert the admins, and the
admins' one-click actions.

``health_refresh`` assesses a batch of mentorships (``feedback.health.assess`` on the signals
``selectors.health`` gathers), updates each ``MentorshipHealth`` in place and adds a
``HealthSnapshot`` only when the state or the reason codes change. Two periodic jobs call it:
``health_sweep_daily`` (every active mentorship whose health is a day old, a bounded share per
tick) and ``health_sweep_recent`` (mentorships with activity newer than their health).

Each side's view is assessed and stored too (``health_sides``): the pair reads only its own.
Nudges before alerts: when a side's view becomes flagged (at risk or stalled) that side gets ONE
suggestion built from its view's top reason; if the full state is stalled, or still at risk
after ``ALERT_GRACE``, the program's admins outside the pair get an alert. Each is an
``Intervention`` keyed by the flagged episode (when the spell began; per side for a nudge),
checked and written under the health row's lock, so two workers or two runs never send the same
one twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse

from tandem.core.locking import lockable
from tandem.core.templatetags.readable_dates import when_in
from tandem.feedback.health import (
    FLAGGED,
    REASONS,
    SIDES,
    HealthAssessment,
    HealthSignals,
    assess,
    suggested_actions,
)
from tandem.feedback.health.audience import about_the_pair
from tandem.feedback.models import (
    HealthSnapshot,
    HealthState,
    Intervention,
    InterventionKind,
    MentorshipHealth,
)
from tandem.feedback.selectors.guidance import guidance_for
from tandem.feedback.selectors.health import (
    health_signals_for,
    mentorships_due_daily,
    mentorships_with_new_activity,
)
from tandem.feedback.selectors.health_reads import (
    nudge_concern_for,
    reason_concern,
    reasons_as_read,
)
from tandem.feedback.services.health_sides import (
    flagged_since,
    reasons_of,
    side_episode,
    side_view,
    signals_seen_by,
)
from tandem.mentorships.models import Mentorship
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.selectors import (
    admins_outside_pair,
    meeting_suggestions_for,
)
from tandem.notify.kinds import Kind
from tandem.notify.services import notify_send, notify_send_each
from tandem.people.models import User

BATCH_SIZE = 200
DAILY_PER_TICK = 2000  # the daily sweep's share per tick (ticks come every few minutes)
RECENT_WINDOW = timedelta(hours=2)  # activity the "soon after" job looks back over
ALERT_GRACE = timedelta(days=10)  # at risk this long after the nudge: the admins are told
SUGGESTED_SLOTS = 3
SLOT_MINUTES = 45
# Reasons whose suggestion is to meet: the nudge offers times that suit both.
MEET_REASONS = {"missed_periods", "no_contact", "cancellations", "cancelling_side"}


@dataclass
class RefreshResult:
    assessed: int = 0
    changed: int = 0
    nudges: int = 0
    alerts: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, other: RefreshResult) -> None:
        self.assessed += other.assessed
        self.changed += other.changed
        self.nudges += other.nudges
        self.alerts += other.alerts
        for state, n in other.states.items():
            self.states[state] = self.states.get(state, 0) + n

    def as_dict(self) -> dict[str, object]:
        return {
            "assessed": self.assessed,
            "changed": self.changed,
            "nudges": self.nudges,
            "alerts": self.alerts,
        }


def health_page_url(program_id: int) -> str:
    return reverse("feedback_program_health", args=[program_id])


def mentorship_health_url(mentorship: Mentorship) -> str:
    return reverse("mentorship_detail", args=[mentorship.pk]) + "#health"


def _codes(reasons: Sequence[dict[str, object]]) -> list[str]:
    return [str(reason["code"]) for reason in reasons]


def _views(
    signals: HealthSignals, previous: MentorshipHealth | None, now: datetime
) -> dict[str, dict[str, Any]]:
    """Each side's view (``health_sides``), with that view's previous state for hysteresis."""
    before = previous.views if previous is not None else {}
    return {
        side: side_view(
            assess(signals_seen_by(signals, side), previous=before.get(side, {}).get("state")),
            before.get(side),
            now,
        )
        for side in SIDES
    }


def _row(
    mentorship: Mentorship,
    assessment: HealthAssessment,
    previous: MentorshipHealth | None,
    views: dict[str, dict[str, Any]],
    now: datetime,
) -> MentorshipHealth:
    state = assessment.state
    signals = {
        "missed_periods": assessment.missed_periods,
        "flagged_since": flagged_since(
            previous.state if previous else None,
            previous.signals.get("flagged_since") if previous else None,
            state,
            now,
        ),
        "contributions": {c.signal: c.points for c in assessment.contributions},
        # "|code|code|": what the admin's reason filter matches (one text test per row).
        "codes": "".join(f"|{reason.code}" for reason in assessment.reasons) + "|",
    }
    changed_state = previous is None or previous.state != state
    return MentorshipHealth(
        mentorship=mentorship,
        program_id=mentorship.program_id,
        state=state,
        score=assessment.score,
        reasons=reasons_of(assessment),
        signals=signals,
        views=views,
        last_activity_at=assessment.last_contact_at,
        # Never since a moment after ``now``: a row a tick computed as a future moment (a
        # later worker's clock keeps the episode, so its nudges and alerts go once).
        state_since=now if changed_state or previous is None else min(previous.state_since, now),
        computed_at=now,
    )


HEALTH_FIELDS = [
    "program",
    "state",
    "score",
    "reasons",
    "signals",
    "views",
    "last_activity_at",
    "state_since",
    "computed_at",
]


def health_refresh(*, mentorships: Sequence[Mentorship], now: datetime) -> RefreshResult:
    """Assess ``mentorships`` (active ones, their programs joined) at ``now`` and store the
    result; a snapshot only for a change of state or reasons; nudges and alerts once per
    flagged episode. Runs in batches of ``BATCH_SIZE``, one transaction each."""
    result = RefreshResult()
    for start in range(0, len(mentorships), BATCH_SIZE):
        result.add(_refresh_batch(mentorships[start : start + BATCH_SIZE], now))
    return result


def _refresh_batch(batch: Sequence[Mentorship], now: datetime) -> RefreshResult:
    result = RefreshResult(assessed=len(batch))
    signals = health_signals_for(mentorships=batch, now=now)
    by_id = {mentorship.pk: mentorship for mentorship in batch}
    with transaction.atomic():
        # Every row exists (a placeholder, state "", for a first assessment) and is locked
        # before anything is read: two workers on the same mentorships take turns, and the
        # second reads the first's committed state, episode and interventions. Both the
        # placeholders (an insert waits on the other worker's uncommitted one) and the locks
        # go in pk order, so two workers whose batches overlap in any order cannot deadlock.
        MentorshipHealth.objects.bulk_create(
            [
                MentorshipHealth(
                    mentorship=by_id[pk],
                    program_id=by_id[pk].program_id,
                    state="",
                    score=0,
                    state_since=now,
                    computed_at=now,
                )
                for pk in sorted(by_id)
            ],
            ignore_conflicts=True,
        )
        locked = lockable(
            MentorshipHealth.objects.filter(pk__in=list(by_id)).order_by("pk"), for_update=True
        )
        previous = {row.pk: row for row in locked if row.state}
        rows, snapshots = [], []
        for pk, mentorship in by_id.items():
            before = previous.get(pk)
            # The stored state: a flagged pair needs a margin to recover (hysteresis).
            found = assess(signals[pk], previous=before.state if before else None)
            row = _row(mentorship, found, before, _views(signals[pk], before, now), now)
            rows.append(row)
            result.states[row.state] = result.states.get(row.state, 0) + 1
            if (
                before is None
                or before.state != row.state
                or (_codes(before.reasons) != _codes(row.reasons))
            ):
                snapshots.append(
                    HealthSnapshot(
                        mentorship=mentorship,
                        program_id=mentorship.program_id,
                        state=row.state,
                        score=row.score,
                        reason_codes=_codes(row.reasons),
                        computed_at=now,
                    )
                )
        MentorshipHealth.objects.bulk_update(rows, HEALTH_FIELDS)
        HealthSnapshot.objects.bulk_create(snapshots)
        result.changed = len(snapshots)
        nudges, alerts = _interventions_send(rows, by_id, now)
        result.nudges, result.alerts = nudges, alerts
    return result


def _interventions_send(
    rows: list[MentorshipHealth], by_id: dict[int, Mentorship], now: datetime
) -> tuple[int, int]:
    """Nudge each side when a spell of ITS view begins; alert the admins when the full state
    is stalled or still at risk after the grace period. One query finds what each episode
    already had."""
    alerting = {row.mentorship_id: row for row in rows if row.state in FLAGGED}
    episodes = {pk: str(row.signals["flagged_since"]) for pk, row in alerting.items()}
    side_episodes = {
        (row.mentorship_id, side): side_episode(side, view)
        for row in rows
        for side, view in row.views.items()
        if view["state"] in FLAGGED
    }
    if not episodes and not side_episodes:
        return 0, 0
    sent = set(
        Intervention.objects.filter(
            mentorship_id__in={*episodes, *(pk for pk, _side in side_episodes)},
            kind__in=[InterventionKind.NUDGE, InterventionKind.ALERT],
            episode__in={*episodes.values(), *side_episodes.values()},
        ).values_list("mentorship_id", "kind", "episode")
    )
    rows_by_id = {row.mentorship_id: row for row in rows}
    nudges = alerts = 0
    for (pk, side), episode in side_episodes.items():
        if (pk, InterventionKind.NUDGE, episode) not in sent:
            _nudge_send(by_id[pk], rows_by_id[pk], side, episode, now)
            nudges += 1
    for pk, row in alerting.items():
        mentorship, episode = by_id[pk], episodes[pk]
        since = datetime.fromisoformat(episode)
        due = row.state == HealthState.STALLED or now - since >= ALERT_GRACE
        if due and (pk, InterventionKind.ALERT, episode) not in sent:
            _alert_send(mentorship, row, _top_concern(row), episode)
            alerts += 1
    return nudges, alerts


def _concerns(row: MentorshipHealth) -> list[dict[str, Any]]:
    """The concerns in the order the pair and the admins read them (no rank by the points of
    a reason read from check-in answers: the nudge and the alert name the top one)."""
    return [reason for reason in reasons_as_read(row.reasons) if reason_concern(reason) is True]


def _top_concern(row: MentorshipHealth) -> dict[str, object]:
    concerns = _concerns(row)
    return concerns[0] if concerns else {"code": "", "text": "", "weight": 0}


def _slots_text(mentorship: Mentorship, person: User, now: datetime) -> str:
    slots = meeting_suggestions_for(mentorship=mentorship, duration_minutes=SLOT_MINUTES, now=now)[
        :SUGGESTED_SLOTS
    ]
    if not slots:
        return ""
    zone = zone_of(person)
    times = "; ".join(when_in(slot, zone) for slot in slots)
    return f"Times that suit you both ({zone.key}): {times}."


def nudge_text(mentorship: Mentorship, top: dict[str, object], person: User, now: datetime) -> str:
    """The one suggestion a person of the pair gets: the top reason, what to do about it, three
    times that suit both when the suggestion is to meet, and where to read more."""
    code = str(top["code"])
    lines = [str(top["text"])] if top["text"] else []
    if code in REASONS:
        lines.append(f"A suggestion: {suggested_actions(code)[0]}.")
    if code in MEET_REASONS:
        slots = _slots_text(mentorship, person, now)
        if slots:
            lines.append(slots)
    for article in guidance_for(mentorship.program, reason_codes=[code] if code else [], limit=1):
        lines.append(f"Guidance that may help: {article.title}, {article.url}")
    return "\n\n".join(lines)


def _nudge_send(
    mentorship: Mentorship, row: MentorshipHealth, side: str, episode: str, now: datetime
) -> None:
    """One side's suggestion, naming the top concern of that side's view."""
    person = mentorship.mentor if side == "mentor" else mentorship.mentee
    top = nudge_concern_for(row, mentorship, person)
    Intervention.objects.create(
        mentorship=mentorship,
        kind=InterventionKind.NUDGE,
        reason_code=str(top["code"]),
        episode=episode,
    )
    notify_send(
        recipient=person,
        kind=Kind.HEALTH_NUDGE,
        title=f"A suggestion for your mentorship with {mentorship.other(person).display_name}",
        body=nudge_text(mentorship, top, person, now),
        url=mentorship_health_url(mentorship),
    )


def _alert_send(
    mentorship: Mentorship, row: MentorshipHealth, top: dict[str, object], episode: str
) -> None:
    Intervention.objects.create(
        mentorship=mentorship,
        kind=InterventionKind.ALERT,
        reason_code=str(top["code"]),
        episode=episode,
    )
    reasons = "\n".join(f"- {about_the_pair(str(reason['text']))}" for reason in _concerns(row))
    actions = [
        "Send them a check-in",
        "Write to the pair",
        "Suggest they adjust the agreement",
        "Propose a re-match",
    ]
    state = HealthState(row.state).label.lower()
    notify_send_each(
        recipients=admins_outside_pair(mentorship=mentorship),
        kind=Kind.HEALTH_ALERT,
        title=(
            f"{mentorship.mentor.display_name} and {mentorship.mentee.display_name} are "
            f"{state} in {mentorship.program.name}"
        ),
        body=f"Why:\n{reasons}\n\nWhat you can do: {'; '.join(actions)}. Each of the pair is "
        "sent a suggestion when what they can see flags it too.",
        url=health_page_url(mentorship.program_id) + f"?state={row.state}",
    )


# Periodic jobs -------------------------------------------------------------------------------


def health_sweep_daily(now: datetime) -> dict[str, object]:
    """Every active mentorship is recomputed once a day: each tick takes up to
    ``DAILY_PER_TICK`` of those whose health is a day old (or missing), oldest first."""
    return health_refresh(
        mentorships=mentorships_due_daily(now=now, limit=DAILY_PER_TICK), now=now
    ).as_dict()


def health_sweep_recent(now: datetime) -> dict[str, object]:
    """Soon after something happens: mentorships with activity newer than their health."""
    found = mentorships_with_new_activity(now=now, since=now - RECENT_WINDOW)
    return health_refresh(mentorships=found, now=now).as_dict()
