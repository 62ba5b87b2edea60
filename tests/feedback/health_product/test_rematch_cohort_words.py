"""What a re-match proposed in a cohort program tells the mentee and the admin matches what
they can do (journeys review: the mentee was told to "answer this on your mentorship's page",
where nothing asks, and the admin to start a run and forbid the pair, but a run leaves out a
mentee whose mentorship goes on: it answered "no active mentees to match yet")."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from tandem.programs.models import MatchingMode, Role
from tests.feedback.health_product.builders import started
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db


def test_a_cohort_rematch_says_the_mentee_joins_a_run_once_the_mentorship_has_ended(client):
    m = started(timezone.now() - timedelta(days=1), weeks=12)
    assert m.program.matching_mode == MatchingMode.COHORT
    client.force_login(member(m.program, Role.ADMIN))
    response = client.post(f"/feedback/mentorships/{m.pk}/health/rematch/")
    told = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "once their mentorship with" in told and "has ended" in told, told
    body = m.mentee.notifications.get(title__contains="suggests a new match").body
    assert "answer this on your mentorship's page" not in body
    assert "End early" in body and "new mentor" in body, body


@pytest.mark.parametrize(
    ("mode", "requests", "ranked", "admins"),
    [
        (MatchingMode.SELF_SERVE, True, True, False),
        (MatchingMode.COHORT, False, False, True),
        (MatchingMode.COHORT, True, True, True),
    ],
)
def test_a_proposed_rematch_names_every_way_the_program_offers(
    client, mode, requests, ranked, admins
):
    """Journeys review: a cohort program that allows direct requests was told only of the
    admins' match, though the mentee may choose from the ranked mentors too."""
    m = started(timezone.now() - timedelta(days=1), weeks=12)
    type(m.program).objects.filter(pk=m.program_id).update(
        matching_mode=mode, allow_direct_requests=requests
    )
    client.force_login(member(m.program, Role.ADMIN))
    client.post(f"/feedback/mentorships/{m.pk}/health/rematch/")
    body = m.mentee.notifications.get(title__contains="suggests a new match").body
    assert ("mentors who suit you best" in body) is ranked, body
    assert ("End early" in body) is admins, body
