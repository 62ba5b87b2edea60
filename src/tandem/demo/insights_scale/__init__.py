"""A program at the scale issue #13 asks the insight pages to serve: by default 100,000 people
and 50,000 mentorships over six quarters, with everything the insight sections count (see
``build_insights_scale``). Deterministic for a seed and a ``now``; written with raw bulk
inserts (``rows``), so it takes minutes on SQLite or PostgreSQL, not hours."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tandem.demo.insights_scale.activity import write_activity
from tandem.demo.insights_scale.checkins import write_feedback
from tandem.demo.insights_scale.pairs import make_pairs, pair_count_by_state
from tandem.demo.insights_scale.people import make_people, make_program, make_staff
from tandem.demo.insights_scale.records import write_match_runs, write_mentorships
from tandem.demo.insights_scale.rows import first_id, reset_sequences
from tandem.demo.insights_scale.world import World
from tandem.mentorships.models import Mentorship


@dataclass
class ScaleSummary:
    program_id: int
    slug: str
    admin_email: str
    staff_email: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def build_insights_scale(
    *,
    people: int = 100_000,
    mentorships: int = 50_000,
    seed: int = 13,
    now: datetime | None = None,
    slug: str = "insights-scale",
) -> ScaleSummary:
    """One program (``slug``, which must be new) with ``people`` mentees and mentors and
    ``mentorships`` mentorships in every state, and their whole history up to ``now``: who
    was invited and joined, match runs with pairs and the unmatched, agreements, meetings,
    action items, goals, messages, check-ins with answers, health over time, opt-in
    identities. A program admin and a site staff member come with it (``*_email``)."""
    started = time.perf_counter()
    world = World(seed=seed, now=(now or timezone.now()).replace(microsecond=0), slug=slug)
    with transaction.atomic():
        admin_id, staff_id = make_staff(world)
        program_id = make_program(world, admin_id=admin_id)
        crowd = make_people(world, people=people, program_id=program_id, admin_id=admin_id)
        pairs = make_pairs(world, crowd, mentorships=mentorships, first_pk=first_id(Mentorship))
        run_ids = write_match_runs(world, crowd, pairs, program_id=program_id, admin_id=admin_id)
        write_mentorships(world, pairs, program_id=program_id, run_ids=run_ids)
        counts = {"people": people, "mentorships": len(pairs), "identities": len(crowd.identity)}
        counts |= pair_count_by_state(pairs)
        counts |= write_activity(world, pairs, program_id=program_id)
        counts |= write_feedback(world, pairs, program_id=program_id)
        reset_sequences()
    return ScaleSummary(
        program_id=program_id,
        slug=slug,
        admin_email=world.email("admin", 0),
        staff_email=world.email("staff", 0),
        seconds=time.perf_counter() - started,
        counts=counts,
    )
