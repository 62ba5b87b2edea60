"""The demo's program with a past: six quarters of invitations, match runs, mentorships in every
state, meetings, messages, check-ins and health, made by the insight scale generator at a size
a laptop loads in seconds, so every insight section (funnel, matching, engagement, outcomes,
health, equity) shows real figures. The demo admin is one of its admins.

Its people (``…@scale.test``) have no password: they exist to be counted, not to log in.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tandem.demo.insights_scale import build_insights_scale
from tandem.demo.insights_scale.world import DOMAIN
from tandem.demo.program import DEMO_ADMIN_EMAIL, HISTORY_SLUG
from tandem.people.models import User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tandem.programs.services import program_update

HISTORY_NAME = "Demo: six quarters of history"
HISTORY_DESCRIPTION = (
    "A generated program with a past, so its insights have something to show. "
    "Everyone in it is fictional."
)
# Enough for every section, and for the larger equity groups to pass the suppression of
# groups under five; small enough to add only a few seconds to `tandem run`.
HISTORY_PEOPLE = 600
HISTORY_MENTORSHIPS = 300


def seed_history_program(
    *, people: int = HISTORY_PEOPLE, mentorships: int = HISTORY_MENTORSHIPS, seed: int
) -> Program | None:
    """Create the history program once (a second run returns it untouched) and make the demo
    admin an active admin of it. Deleted since (a site admin can, in ``/admin/``), it stays
    deleted: its people are still there, and making them again would fail."""
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    program = Program.objects.filter(slug=HISTORY_SLUG).first()
    if program is None and User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        return None
    if program is None:
        with transaction.atomic():
            summary = build_insights_scale(
                people=people,
                mentorships=mentorships,
                seed=seed,
                now=timezone.now(),
                slug=HISTORY_SLUG,
            )
            # The demo's shortcut, as for the self-serve program: an enrolment, not an invitation.
            Enrolment.objects.create(
                program_id=summary.program_id,
                person=admin,
                role=Role.ADMIN,
                status=EnrolmentStatus.ACTIVE,
            )
            program = program_update(
                user=admin,
                program_id=summary.program_id,
                name=HISTORY_NAME,
                description=HISTORY_DESCRIPTION,
            )
    return program
