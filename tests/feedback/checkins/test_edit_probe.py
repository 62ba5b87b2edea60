"""An edit within the window tells the editor nothing about the other side's answer (live
privacy review): the mentee answered progress 1; the mentor re-submitted 5, 4, 3, 2, 1 and
watched the divergence panel, there at 5, 4, 3 and gone at 2, 1, so the mentee had answered 1.
Whether the two sides diverge is decided once, from their first answers; after that everything
the editor reads (the mentorship page, the check-in page, the API) is the same whatever the
other side answered, whatever value they edit to."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind, Divergence
from tandem.feedback.services.health import health_refresh
from tandem.mentorships.models import Mentorship
from tandem.notify.models import Notification
from tests.feedback.checkins.conftest import both
from tests.feedback.health_product.builders import started
from tests.feedback.observed import anonymous, differences

pytestmark = pytest.mark.django_db


def _send(client, checkin: CheckIn, answers: dict) -> None:
    response = client.post(
        f"/api/checkins/{checkin.pk}/answer",
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content


def observed_by_mentor(client, pair: Mentorship, mine: CheckIn) -> dict[str, str]:
    """Every page and API payload the mentor can read about this mentorship and check-in."""
    client.force_login(pair.mentor)
    urls = {
        "mentorship page": reverse("mentorship_detail", args=[pair.pk]),
        "check-in page": reverse("checkin_answer", args=[mine.pk]),
        "check-in list": reverse("checkin_list"),
        "health api": f"/api/mentorships/{pair.pk}/health",
        "check-in api": f"/api/checkins/{mine.pk}",
        "check-ins api": "/api/checkins",
    }
    seen = {name: client.get(url).content.decode() for name, url in urls.items()}
    seen["notifications"] = repr(
        list(Notification.objects.filter(recipient=pair.mentor).values_list("title", "body"))
    )
    return {name: anonymous(text, pair) for name, text in seen.items()}


def _twin_pairs(mentee_answers):
    now = timezone.now()
    program = started(now).program
    twins = []
    for answer in mentee_answers:
        pair = started(now, weeks=6, program=program)
        mentor_side, mentee_side = both(pair, CheckInKind.PULSE, 1)
        twins.append((pair, mentor_side, mentee_side, answer))
    return twins


def test_editing_a_pulse_answer_reads_the_same_whatever_the_mentee_answered(client, still):
    """The mentor first answers 3 (two apart from both 1 and 5: a divergence either way), then
    edits to each value; after each edit the health is refreshed as the sweep would."""
    twins = _twin_pairs((1, 5))
    for pair, mentor_side, mentee_side, answer in twins:
        client.force_login(pair.mentee)
        _send(client, mentee_side, {"progress": answer, "meeting_useful": 3})
        client.force_login(pair.mentor)
        _send(client, mentor_side, {"progress": 3, "meeting_useful": 3})
    assert Divergence.objects.filter(resolved_at__isnull=True).count() == 2
    for value in (5, 4, 3, 2, 1):
        seen = []
        for pair, mentor_side, _mentee_side, _answer in twins:
            client.force_login(pair.mentor)
            _send(client, mentor_side, {"progress": value, "meeting_useful": 3})
        health_refresh(mentorships=[pair for pair, *_rest in twins], now=still)
        for pair, mentor_side, _mentee_side, _answer in twins:
            seen.append(observed_by_mentor(client, pair, mentor_side))
        for name in seen[0]:
            assert seen[0][name] == seen[1][name], (
                value,
                name,
                differences(seen[0][name], seen[1][name]),
            )


@pytest.mark.parametrize("mentee_fit", ["no", "yes"])
def test_editing_a_choice_changes_nothing_the_mentor_reads(client, mentee_fit):
    """First-meeting fit: the mentee's "no" (or "yes") never shows through the mentor's edits:
    after each, what the mentor reads of the mentorship (the check-in page holds their own
    answer) is as before."""
    now = timezone.now()
    pair = started(now, weeks=6)
    mentor_side, mentee_side = both(pair, CheckInKind.FIRST_MEETING, 0)
    client.force_login(pair.mentee)
    _send(client, mentee_side, {"fit": 4, "expectations_clear": mentee_fit})
    client.force_login(pair.mentor)
    _send(client, mentor_side, {"fit": 4, "expectations_clear": "partly"})
    health_refresh(mentorships=[pair], now=now)
    before = observed_by_mentor(client, pair, mentor_side)
    for value in ("yes", "no", "partly"):
        client.force_login(pair.mentor)
        _send(client, mentor_side, {"fit": 4, "expectations_clear": value})
        health_refresh(mentorships=[pair], now=now)
        after = observed_by_mentor(client, pair, mentor_side)
        for name in ("mentorship page", "health api", "notifications"):
            assert after[name] == before[name], (
                value,
                name,
                differences(before[name], after[name]),
            )
