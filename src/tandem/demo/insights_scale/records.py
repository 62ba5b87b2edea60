"""The rows behind each generated mentorship: the mentorship itself, its agreement versions,
its timeline, the mentee's word after an early end, and the match runs that made the cohort
pairs (with their scores and reasons, and the mentees each run left unmatched and why)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.demo.insights_scale.pairs import Pair, run_times
from tandem.demo.insights_scale.people import People
from tandem.demo.insights_scale.rows import Row, first_id, insert
from tandem.demo.insights_scale.world import DAY, World
from tandem.matching.explain import Reason, unmatched_reason
from tandem.matchruns.engine import pair_rows, reason_rows
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched, Objective, RunStatus
from tandem.mentorships.models import (
    AgreementVersion,
    EarlyEndFeedback,
    Mentorship,
    MentorshipEvent,
    MentorshipState,
)
from tandem.mentorships.services.agreement_content import (
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_NO_FAULT_EXIT,
    check_agreement_content,
)
from tandem.people.models import User
from tandem.programs.models import EnrolmentStatus

PAIR_REASONS = (
    Reason("goals", "shares goals in leadership"),
    Reason("skills", "offers system design"),
    Reason("availability", "6 h/week overlap"),
    Reason("cadence", "both prefer every two weeks"),
    Reason("seniority", "mentor is two levels more senior"),
    Reason("working_style", "similar working style"),
    Reason("format", "meeting format fits"),
)
# (why a mentee was left unmatched, how often): the engine's own reasons, words and kind (a
# note, never a strength shown with a check)
UNMATCHED_REASONS = (
    (unmatched_reason("all_compatible_full"), 0.5),
    (unmatched_reason("solver"), 0.2),
    (unmatched_reason("language"), 0.15),
    (unmatched_reason("city"), 0.1),
    (unmatched_reason("manager"), 0.05),
)


def write_mentorships(
    world: World, pairs: list[Pair], *, program_id: int, run_ids: list[int]
) -> None:
    rows: list[Row] = []
    versions: list[Row] = []
    events: list[Row] = []
    feedback: list[Row] = []
    version_id, event_id = first_id(AgreementVersion), first_id(MentorshipEvent)
    for pair in pairs:
        starts = (pair.signed or pair.created).date()
        rows.append(
            {
                "id": pair.pk,
                "program_id": program_id,
                "mentor_id": pair.mentor,
                "mentee_id": pair.mentee,
                "state": pair.state,
                "match_run_ref": "" if pair.run_id is None else str(run_ids[pair.run_id]),
                "starts_on": starts,
                "ends_on": starts + timedelta(weeks=26),
                "created_at": pair.created,
                "activated_at": pair.signed,
                "ended_at": pair.ended,
                "ended_by_id": pair.mentee if pair.ended else None,
                "end_category": pair.reason[0],
                "end_reason": pair.reason[1],
            }
        )
        for version in _versions(world, pair):
            versions.append(version | {"id": version_id})
            version_id += 1
        for kind, moment in _events(pair):
            events.append(
                {
                    "id": event_id,
                    "mentorship_id": pair.pk,
                    "actor_id": pair.mentee,
                    "kind": kind,
                    "summary": kind.replace("_", " "),
                    "created_at": moment,
                }
            )
            event_id += 1
        if pair.state == MentorshipState.ENDED_EARLY and world.chance(0.5):
            feedback.append(
                {
                    "id": len(feedback) + first_id(EarlyEndFeedback),
                    "mentorship_id": pair.pk,
                    "what_did_not": "Time.",
                    "wants_new_mentor": world.chance(0.4),
                    "created_at": pair.ended,
                    "updated_at": pair.ended,
                }
            )
    insert(Mentorship, rows, now=world.now)
    insert(AgreementVersion, versions, now=world.now)
    insert(MentorshipEvent, events, now=world.now)
    insert(EarlyEndFeedback, feedback, now=world.now)


def _versions(world: World, pair: Pair) -> list[Row]:
    starts = (pair.signed or pair.created).date()
    # Checked as the agreement page saves a version, so the page opens these and saves them
    # untouched (objectives written as plain strings made it fail with a 500).
    content = check_agreement_content(
        {
            "objectives": [{"goal": "Grow in the role", "measure": "", "target_date": ""}],
            "cadence": pair.cadence,
            "meeting_format": "video",
            "meeting_minutes": 45,
            "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(weeks=26)).isoformat(),
            "confidentiality": DEFAULT_CONFIDENTIALITY,
            "no_fault_exit": DEFAULT_NO_FAULT_EXIT,
        }
    )
    first: Row = {
        "mentorship_id": pair.pk,
        "number": 1,
        "content": content,
        "proposed_by_id": pair.mentor,
        "created_at": pair.created + timedelta(hours=2),
        "signed_by_mentee_at": pair.signed,
    }
    if pair.signed:
        first["signed_by_mentor_at"] = pair.created + (pair.signed - pair.created) / 2
    elif world.chance(0.5):
        first["signed_by_mentor_at"] = world.before_now(pair.created + DAY)
    versions = [first]
    amended = pair.signed and pair.signed + 10 * timedelta(weeks=1)
    if amended and amended < min(pair.ended or world.now, world.now) and world.chance(0.08):
        signed = amended + 3 * DAY if world.chance(0.8) and amended + 3 * DAY < world.now else None
        versions.append(
            {
                "mentorship_id": pair.pk,
                "number": 2,
                "content": content | {"cadence": "monthly"},
                "proposed_by_id": pair.mentee,
                "created_at": amended,
                "signed_by_mentor_at": signed,
                "signed_by_mentee_at": signed,
            }
        )
    return versions


def _events(pair: Pair) -> list[tuple[str, datetime]]:
    events = [("created", pair.created)]
    if pair.signed:
        events += [("agreement_signed", pair.signed), ("activated", pair.signed)]
    if pair.ended:
        events.append((str(pair.state), pair.ended))
    return events


def write_match_runs(
    world: World, people: People, pairs: list[Pair], *, program_id: int, admin_id: int
) -> list[int]:
    """The fortnightly runs (published) with a discarded trial run each quarter; returns the
    published runs' ids in time order."""
    times = run_times(world)
    run_id = first_id(MatchRun)
    ids = [run_id + k for k in range(len(times))]
    by_run: dict[int, list[Pair]] = {k: [] for k in range(len(times))}
    left: dict[int, list[int]] = {k: [] for k in range(len(times))}
    for pair in pairs:
        if pair.run_id is not None:
            by_run[pair.run_id].append(pair)
            for skipped in pair.waited_runs:
                left[skipped].append(pair.mentee)
    matched = {pair.mentee for pair in pairs}
    for mentee in people.mentees:
        if mentee.user_id not in matched and mentee.status == EnrolmentStatus.ACTIVE:
            after = [k for k, moment in enumerate(times) if moment > mentee.joined]
            for k in after[:1] + after[-1:]:
                left[k].append(mentee.user_id)
    runs = [
        _run(ids[k], program_id, admin_id, moment, len(by_run[k]), len(set(left[k])))
        | {"inputs": _cohort(people, by_run[k], left[k], moment)}
        for k, moment in enumerate(times)
    ]
    trial_id = ids[-1] + 1 if ids else run_id
    for k, moment in enumerate(times[::6]):
        trial = _run(trial_id + k, program_id, admin_id, moment - DAY, 0, 0)
        runs.append(trial | {"status": RunStatus.DISCARDED, "published_at": None})
    insert(MatchRun, runs, now=world.now)
    insert(MatchPair, _pairs(world, by_run, ids), now=world.now)
    insert(MatchUnmatched, _unmatched(world, left, ids), now=world.now)
    return ids


def _cohort(people: People, pairs: list[Pair], left: list[int], moment: datetime) -> Row:
    """The run's snapshot as far as its pages read it (who was in it, by id and name): the
    mentees it matched and left, the mentors active by then. Without it a run counted no
    mentees, so its unmatched came out negative."""
    mentees = {pair.mentee for pair in pairs} | set(left)
    mentors = {pair.mentor for pair in pairs} | {
        m.user_id
        for m in people.mentors
        if m.joined <= moment and m.status == EnrolmentStatus.ACTIVE
    }
    names = {
        user.pk: user.display_name
        for user in User.objects.filter(pk__in=mentees | mentors).only(
            "first_name", "last_name", "email"
        )
    }

    def records(ids: set[int]) -> list[dict[str, str]]:
        return [{"id": str(pk), "name": names[pk]} for pk in sorted(ids)]

    return {"mentees": records(mentees), "mentors": records(mentors)}


def _pairs(world: World, by_run: dict[int, list[Pair]], ids: list[int]) -> list[Row]:
    rng, pk = world.rng, first_id(MatchPair)
    rows: list[Row] = []
    for k, run_pairs in by_run.items():
        for pair in run_pairs:
            score = round(
                min(0.98, max(0.2, 0.35 + 0.6 * pair.quality + rng.uniform(-0.08, 0.08))), 3
            )
            chosen = rng.sample(PAIR_REASONS, rng.randint(2, 3))
            rows.append(
                {
                    "id": pk + len(rows),
                    "run_id": ids[k],
                    "mentee_id": pair.mentee,
                    "mentor_id": pair.mentor,
                    "score": score,
                    "reasons": pair_rows(score, chosen),
                }
            )
    return rows


def _unmatched(world: World, left: dict[int, list[int]], ids: list[int]) -> list[Row]:
    reasons = [reason for reason, _ in UNMATCHED_REASONS]
    weights = [weight for _, weight in UNMATCHED_REASONS]
    rows: list[Row] = []
    pk = first_id(MatchUnmatched)
    for k, mentee_ids in left.items():
        for mentee_id in sorted(set(mentee_ids)):
            reason = world.rng.choices(reasons, weights)[0]
            rows.append(
                {
                    "id": pk + len(rows),
                    "run_id": ids[k],
                    "person_id": mentee_id,
                    "side": "mentee",
                    "reasons": reason_rows([reason]),
                }
            )
    return rows


def _run(pk: int, program_id: int, admin_id: int, moment: datetime, pairs: int, left: int) -> Row:
    return {
        "id": pk,
        "program_id": program_id,
        "objective": Objective.FAIR if pk % 3 == 0 else Objective.OPTIMAL,
        "status": RunStatus.PUBLISHED,
        "progress": 100,
        "report": {"matched": pairs, "unmatched": left},
        "created_by_id": admin_id,
        "created_at": moment - timedelta(hours=2),
        "started_at": moment - timedelta(hours=2),
        "finished_at": moment - timedelta(hours=1),
        "published_at": moment,
        "published_by_id": admin_id,
    }
