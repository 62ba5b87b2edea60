"""Property-based API checks: the live OpenAPI schema, fuzzed in-process with schemathesis.

Every GET operation (and the writes that only touch the caller's own rows) gets a few
generated requests, authenticated with a personal API token, once as a program admin and once
as a participant (a mentee with no admin rights); no response may be a 5xx, every response
must match the schema the API publishes, and its status must be one the operation documents.
A second test calls each GET with ids that exist, so the response schemas are also checked
against real rows, not only 404s. Both run in the PostgreSQL pass of `make test` too.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tandem.api import api
from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.matchruns.models import MatchRun, RunStatus
from tandem.mentorships.models import Goal
from tandem.notify.models import Notification
from tandem.people.services import api_token_create
from tandem.programs.models import ImportBatch, ParticipantInvitation, Role
from tests.mentorships import factories as mentoring
from tests.programs.factories import EnrolmentFactory, InvitationFactory, ProgramFactory

# Writes that only touch the caller's own rows, so any input is safe to throw at them.
SAFE_WRITES = {
    ("PATCH", "/api/people/me"),
    ("PUT", "/api/people/me/identity"),
    ("POST", "/api/people/me/tokens"),
    ("PUT", "/api/notifications/preferences"),
}
# The suite runs the same examples every time (a flaky test is a bug); to hunt for new
# failures, run with TANDEM_FUZZ_EXPLORE=20: random examples, 20 times as many.
EXPLORE = int(os.environ.get("TANDEM_FUZZ_EXPLORE", "1"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
CALLERS = ("program admin", "mentee")
# GETs with real ids that rightly refuse each caller; everything else answers 200.
NOT_200 = {
    "program admin": {  # who is also the mentor of the pair
        "/api/people/me/identity": 404,  # no background saved
        "/api/match-runs/{slug}/recommendations": 403,  # recommendations are for mentees
        "/api/programs/{slug}/import/{batch_id}/problem-rows": 404,  # the upload had none
        # ``{slug}`` is the program's, which names no guidance article.
        "/api/guidance/{slug}": 404,
        # Every program's insights are for site staff.
        "/api/insights": 404,
        "/api/insights/{section}": 404,
        "/api/insights/{section}/xlsx": 404,
        "/api/insights/{section}/{table}/csv": 404,
        # The invitation by email sharing the link's token is the mentee's.
        "/api/programs/invited/{token}/questions": 404,
    },
    "mentee": {
        "/api/people/me/identity": 404,
        # What only the program's admins may read.
        "/api/programs/{slug}/participants": 404,
        "/api/programs/{slug}/invitations": 404,
        "/api/programs/{slug}/export": 404,
        "/api/programs/{slug}/import/{batch_id}": 404,
        "/api/programs/{slug}/import/{batch_id}/problem-rows": 404,
        "/api/programs/{slug}/email-invitations": 404,
        "/api/match-runs/{slug}/runs": 404,
        "/api/match-runs/{slug}/runs/{run_id}": 404,
        "/api/match-runs/{slug}/runs/{run_id}/pairs": 404,
        "/api/match-runs/{slug}/runs/{run_id}/unmatched": 404,
        "/api/match-runs/{slug}/runs/{run_id}/constraints": 404,
        "/api/match-runs/{slug}/runs/{run_id}/compare/{other_id}": 404,
        "/api/mentorships/programs/{program_id}": 404,
        "/api/mentorships/programs/{program_id}/problem-reports": 404,
        # A request between two other people, and its conversation.
        "/api/mentorships/requests/{request_id}": 404,
        "/api/requests/{request_id}/messages": 404,
        # The program's check-in figures and health list, and the mentor's own check-in.
        "/api/programs/{program_id}/checkin-aggregates": 404,
        "/api/programs/{program_id}/checkin-templates": 404,
        "/api/programs/{program_id}/health": 404,
        "/api/checkins/{checkin_id}": 404,
        "/api/guidance/{slug}": 404,
        # The program's insights are for its admins, every program's for site staff.
        "/api/programs/{slug}/insights": 404,
        "/api/programs/{slug}/insights/{section}": 404,
        "/api/programs/{slug}/insights/{section}/xlsx": 404,
        "/api/programs/{slug}/insights/{section}/{table}/csv": 404,
        "/api/insights": 404,
        "/api/insights/{section}": 404,
        "/api/insights/{section}/xlsx": 404,
        "/api/insights/{section}/{table}/csv": 404,
    },
}


@pytest.fixture(scope="module")
def api_schema():
    """The schema as the running app serves it, bound to the real WSGI handler.

    Django's test client switches off closing "old" connections at request boundaries; so
    must we, or the first request would close the test's transaction.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db):
    """A program admin who mentors someone, with a little of everything to list."""
    program = ProgramFactory()
    pair = mentoring.mentorship(program=program)
    EnrolmentFactory(program=program, person=pair.mentor, role=Role.ADMIN)
    meeting = mentoring.meeting(pair, shared_notes="Outline")
    meeting.agenda_items.create(author=pair.mentor, text="Abstract")
    Goal.objects.create(mentorship=pair, title="Give a talk", created_by=pair.mentee)
    mentoring.action_item(pair)
    request = mentoring.RequestFactory(
        program=program, sender=mentoring.member(program), recipient=pair.mentor
    )
    Notification.objects.create(recipient=pair.mentor, kind="meeting_reminder", title="Soon")
    invitation = InvitationFactory(program=program)
    ParticipantInvitation.objects.create(
        program=program, email=pair.mentee.email, role=Role.MENTOR, token=invitation.token
    )
    batch = ImportBatch.objects.create(
        program=program, uploaded_by=pair.mentor, filename="people.csv", content=b""
    )
    runs = [
        MatchRun.objects.create(program=program, status=RunStatus.DONE, report={}) for _ in range(2)
    ]
    checkin = CheckIn.objects.create(
        mentorship=pair,
        author=pair.mentor,
        kind=CheckInKind.PULSE,
        sequence=1,
        questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
        due_at=timezone.now() - timedelta(hours=1),
    )
    tokens = {
        "program admin": api_token_create(user=pair.mentor, name="schemathesis")[1],
        "mentee": api_token_create(user=pair.mentee, name="schemathesis")[1],
    }
    return {
        "headers": {
            caller: {"Authorization": f"Bearer {secret}"} for caller, secret in tokens.items()
        },
        "ids": {
            "slug": program.slug,
            "program_id": program.pk,
            "user_id": pair.mentee.pk,
            "mentorship_id": pair.pk,
            "meeting_id": meeting.pk,
            "request_id": request.pk,
            "invitation_id": invitation.pk,
            "token": invitation.token,
            "batch_id": batch.pk,
            "run_id": runs[0].pk,
            "other_id": runs[1].pk,
            "checkin_id": checkin.pk,
            "section": "health",  # the insight section and one of its tables
            "table": "reasons",
        },
    }


def _operations(*wanted: str) -> list[tuple[str, str]]:
    # Collected from the same NinjaAPI the WSGI app serves, so ids name each operation.
    # (schemathesis' lazy ``from_fixture`` needs pytest internals that pytest 9 removed.)
    paths = api.get_openapi_schema()["paths"]
    return [
        (method.upper(), path)
        for path, methods in paths.items()
        for method in methods
        if method.upper() in wanted or (method.upper(), path) in SAFE_WRITES
    ]


# Requests sent, by (database, caller, status class), for the run's summary.
TALLY = pytest.StashKey[Counter]()


@pytest.fixture
def tally(request, caller):
    counts = request.config.stash.setdefault(TALLY, Counter())

    def count(response) -> None:
        counts[(connection.vendor, caller, f"{response.status_code // 100}xx")] += 1

    return count


def _fuzz(operation, headers: dict[str, str], max_examples: int, count) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=max_examples * EXPLORE,
        deadline=None,
        database=None,
        derandomize=EXPLORE == 1,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case):
        count(case.call_and_validate(headers=headers, checks=CHECKS))

    run()


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path"), _operations("GET"), ids=lambda value: value)
def test_operation_never_fails_and_matches_the_schema(
    api_schema, world, method, path, caller, tally
):
    examples = 10 if (method, path) in SAFE_WRITES else 5
    _fuzz(api_schema[path][method], world["headers"][caller], examples, tally)


@pytest.mark.parametrize("caller", CALLERS)
def test_get_operations_with_real_ids_match_the_schema(api_schema, world, caller, tally):
    headers = world["headers"][caller]
    checked = []
    for result in api_schema.include(method="GET").get_all_operations():
        operation = result.ok()
        names = [param.name for param in operation.path_parameters]
        case = operation.Case(path_parameters={name: world["ids"][name] for name in names})
        response = case.call(headers=headers)
        tally(response)
        case.validate_response(response, checks=CHECKS, headers=headers)
        checked.append((operation.path, response.status_code))
    # The seeded ids really reach the handlers: everything else answers 200, not 404.
    assert len(checked) > 30
    expected = {path: status for path, status in NOT_200[caller].items() if path in dict(checked)}
    assert {path: status for path, status in checked if status != 200} == expected


def test_schema_documents_every_error_status_for_every_operation():
    """The check above only sees the statuses the examples happen to reach; the handler can
    raise any of these from any operation, so each one is documented everywhere."""
    from tandem.core.openapi import ERROR_STATUSES

    paths = api.get_openapi_schema()["paths"]
    missing = {
        f"{method.upper()} {path}": sorted(set(ERROR_STATUSES) - set(map(int, op["responses"])))
        for path, methods in paths.items()
        for method, op in methods.items()
        if not set(ERROR_STATUSES) <= set(map(int, op["responses"]))
    }
    assert missing == {}
