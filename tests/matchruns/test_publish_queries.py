"""Publishing a run costs the same number of queries whatever its number of pairs: a cohort of
a thousand pairs is published inside one request."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.matchruns import services
from tandem.matchruns.models import MatchPair, MatchRun, RunStatus
from tandem.mentorships.models import AgreementVersion, Mentorship, MentorshipEvent
from tandem.notify.models import Notification
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor


def _publish(pairs: int) -> int:
    """Queries of publishing a finished draft of ``pairs`` pairs; checks what it created."""
    program = ProgramFactory()
    boss = admin(program)
    run = MatchRun.objects.create(
        program=program, created_by=boss, status=RunStatus.DONE, finished_at=timezone.now()
    )
    MatchPair.objects.bulk_create(
        MatchPair(run=run, mentee=mentee(program), mentor=mentor(program), score=0.5)
        for _ in range(pairs)
    )
    with CaptureQueriesContext(connection) as queries:
        services.match_run_publish(user=boss, run=run)
    made = Mentorship.objects.filter(program=program, match_run_ref=str(run.pk))
    assert made.count() == pairs
    assert AgreementVersion.objects.filter(mentorship__in=made).count() == pairs
    assert MentorshipEvent.objects.filter(mentorship__in=made).count() == pairs
    assert Notification.objects.filter(title__endswith=program.name).count() == 2 * pairs
    return len(queries)


def test_publishing_costs_the_same_queries_for_2_or_12_pairs(db):
    assert _publish(12) == _publish(2)
