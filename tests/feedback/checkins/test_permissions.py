"""Who reads and answers a check-in, and who reads a program's aggregates and changes its
questions, per role, on every page and API operation. A check-in is its author's: the partner,
the admins and site staff get the same 404 as a missing one; anonymous is sent to log in
(pages) or gets 401 (API)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tandem.feedback.models import CheckIn, CheckInKind, CheckInTemplate
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tests.feedback.checkins.conftest import ROLES, checkin

AUTHOR = {"author"}
ADMINS = {"program admin"}
ANSWERS = {"progress": 4, "meeting_useful": 3}


def login(client, world, role):
    person = world.person(role)
    if person is not None:
        client.force_login(person)


def page_status(role, allowed):
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 404


def api_status(role, allowed, ok=200):
    if role == "anonymous":
        return 401
    return ok if role in allowed else 404


def api(client, method, url, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_answer_page(client, world, role):
    mine = checkin(world.pair, world.mentee)
    login(client, world, role)
    url = reverse("checkin_answer", args=[mine.pk])
    assert client.get(url).status_code == page_status(role, AUTHOR)
    posted = client.post(url, {"answer_progress": "4", "answer_meeting_useful": "3"})
    assert posted.status_code == (302 if role in AUTHOR | {"anonymous"} else 404)
    assert CheckIn.objects.get(pk=mine.pk).answered_at is not None if role in AUTHOR else True
    assert (CheckIn.objects.get(pk=mine.pk).answered_at is None) == (role not in AUTHOR)


@pytest.mark.parametrize("role", ROLES)
def test_list_page_shows_only_ones_own(client, world, role):
    checkin(world.pair, world.mentee)
    login(client, world, role)
    response = client.get(reverse("checkin_list"))
    assert response.status_code == (302 if role == "anonymous" else 200)
    if role != "anonymous":
        assert ("Pulse check-in" in response.content.decode()) == (role in AUTHOR)


@pytest.mark.parametrize("role", ROLES)
def test_program_pages(client, world, role):
    login(client, world, role)
    program = world.program.pk
    aggregates = client.get(reverse("program_checkins", args=[program]))
    editor = reverse("checkin_template_edit", args=[program, CheckInKind.PULSE])
    edit = client.get(editor)
    reset = client.post(
        reverse("checkin_template_reset", args=[program, CheckInKind.PULSE]), {"confirm": "yes"}
    )
    assert aggregates.status_code == page_status(role, ADMINS)
    assert edit.status_code == page_status(role, ADMINS)
    assert reset.status_code == (302 if role in ADMINS | {"anonymous"} else 404)


@pytest.mark.parametrize("role", ROLES)
def test_mentorship_panel(client, world, role):
    """The author: their waiting check-in. The partner: only what the author shared. The
    program's admin: counts. Anyone else: not the page at all."""
    answered = checkin(world.pair, world.mentee, sequence=1)
    answered.answers = {"progress": 2, "meeting_useful": 3, "comment": "A private worry"}
    answered.shared_keys = ["progress"]
    answered.answered_at = answered.due_at
    answered.save()
    checkin(world.pair, world.mentee, sequence=2)
    login(client, world, role)
    response = client.get(reverse("mentorship_detail", args=[world.pair.pk]))
    page = response.content.decode()
    assert "A private worry" not in page
    if role == "author":
        assert "Your check-in is waiting" in page
    elif role == "partner":
        assert "shared from their pulse check-in" in page
        assert "2 of 5" in page
        assert "Your check-in is waiting" not in page
    elif role == "program admin":
        assert "1 of 2 check-ins due have been answered" in page
        assert "2 of 5" not in page
    else:
        assert response.status_code in (302, 404)


@pytest.mark.parametrize("role", ROLES)
def test_api_check_ins(client, world, role):
    mine = checkin(world.pair, world.mentee)
    login(client, world, role)
    listed = api(client, "get", "/api/checkins")
    one = api(client, "get", f"/api/checkins/{mine.pk}")
    answered = api(client, "post", f"/api/checkins/{mine.pk}/answer", {"answers": ANSWERS})
    assert listed.status_code == (401 if role == "anonymous" else 200)
    if role != "anonymous":
        ids = [item["id"] for item in listed.json()["items"]]
        assert ids == ([mine.pk] if role in AUTHOR else [])
    assert one.status_code == api_status(role, AUTHOR)
    assert answered.status_code == api_status(role, AUTHOR, ok=201)


@pytest.mark.parametrize("role", ROLES)
def test_api_program_operations(client, world, role):
    login(client, world, role)
    base = f"/api/programs/{world.program.pk}"
    body = {"questions": DEFAULT_QUESTIONS[CheckInKind.PULSE][:3], "every_periods": 2}
    assert api(client, "get", f"{base}/checkin-templates").status_code == api_status(role, ADMINS)
    assert api(client, "get", f"{base}/checkin-aggregates").status_code == api_status(role, ADMINS)
    put = api(client, "put", f"{base}/checkin-templates/pulse", body)
    assert put.status_code == api_status(role, ADMINS)
    assert CheckInTemplate.objects.exists() == (role in ADMINS)
    reset = api(client, "delete", f"{base}/checkin-templates/pulse")
    assert reset.status_code == api_status(role, ADMINS)
    assert not CheckInTemplate.objects.exists()
