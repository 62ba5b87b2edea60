"""Journeys review: after a mentee ended her mentorship early, her dashboard still said under
"Where things stand" "Your request to Lena Vogel (…) Accepted", as if the mentorship it opened
were under way. An accepted request leaves the next steps once its mentorship has ended; while
the mentorship goes on, its answer shows as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships.models import MentorshipState, RequestState
from tandem.programs.models import MatchingMode, Role
from tests.mentorships.factories import RequestFactory, member, mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (MentorshipState.ACTIVE, True),
        (MentorshipState.ENDED_EARLY, False),
        (MentorshipState.COMPLETED, False),
    ],
)
def test_an_accepted_request_shows_while_its_mentorship_goes_on(client, state, shown):
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    mentee, mentor = member(program), member(program, Role.MENTOR)
    accepted = RequestFactory(
        program=program, sender=mentee, recipient=mentor, state=RequestState.ACCEPTED
    )
    accepted.decided_at = timezone.now() - timedelta(days=1)
    accepted.save()
    m = mentorship(program=program, mentor=mentor, mentee=mentee, state=state)
    m.origin_request = accepted
    m.save(update_fields=["origin_request"])
    client.force_login(mentee)
    steps = client.get(reverse("dashboard")).context["steps"]
    assert ("sent_request" in [s.kind for s in steps]) is shown
