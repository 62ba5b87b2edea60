"""Issue 8, item 6: what the pages say ("between us", "only you") is what the code does.

Every content type of a mentorship is planted with a marker, and every role reads every page,
API endpoint, calendar export and notification it can reach. The pair reads their shared
content; a private note is its author's alone; a program admin sees status, dates and counts
(and the early-end reason), never content; everyone else sees nothing, site staff included.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tandem.mentorships import services
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import (
    ProgramFactory,
    UserFactory,
    meeting,
    member,
    mentorship,
    valid_content,
)

pytestmark = pytest.mark.django_db

SHARED = {
    "agreement": "AGREEMENT-MARKER",
    "goal": "GOAL-MARKER",
    "milestone": "MILESTONE-MARKER",
    "progress": "PROGRESS-MARKER",
    "action_item": "ACTION-MARKER",
    "agenda": "AGENDA-MARKER",
    "shared_notes": "SHARED-NOTES-MARKER",
}
PRIVATE = "PRIVATE-NOTE-MARKER"  # the mentee's
ROLES = [
    "mentor",
    "mentee",
    "admin",
    "other_admin",
    "same_program",
    "stranger",
    "staff",
    "anonymous",
]


@pytest.fixture
def world():
    m = mentorship()
    mt = meeting(m)
    mentor, mentee = m.mentor, m.mentee
    services.agreement_propose(
        user=mentor,
        mentorship_id=m.pk,
        content=valid_content(
            m.program,
            objectives=[{"goal": SHARED["agreement"], "measure": "", "target_date": ""}],
        ),
    )
    goal = services.goal_create(user=mentee, mentorship_id=m.pk, title=SHARED["goal"])
    services.milestone_add(user=mentee, goal_id=goal.pk, title=SHARED["milestone"])
    services.goal_update_progress(
        user=mentor, goal_id=goal.pk, state="in_progress", percent=20, note=SHARED["progress"]
    )
    services.action_item_create(
        user=mentor,
        mentorship_id=m.pk,
        description=SHARED["action_item"],
        owner_id=mentee.pk,
        meeting_id=mt.pk,
    )
    services.agenda_item_add(user=mentee, meeting_id=mt.pk, text=SHARED["agenda"])
    services.meeting_notes_update(
        user=mentor, meeting_id=mt.pk, shared_notes=SHARED["shared_notes"]
    )
    services.private_note_save(user=mentee, meeting_id=mt.pk, body=PRIVATE)
    other_program = ProgramFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    return {
        "m": m,
        "meeting": mt,
        "goal": goal,
        "people": {
            "mentor": mentor,
            "mentee": mentee,
            "admin": member(m.program, Role.ADMIN),
            "other_admin": member(other_program, Role.ADMIN),
            "same_program": member(m.program, Role.MENTOR),
            "stranger": member(other_program, Role.MENTEE),
            "staff": staff,
            "anonymous": None,
        },
    }


def expected_markers(role: str) -> set[str]:
    if role == "mentee":
        return {*SHARED.values(), PRIVATE}
    if role == "mentor":
        return set(SHARED.values())
    return set()


def pages(w) -> list[str]:
    m, mt = w["m"], w["meeting"]
    return [
        reverse("dashboard"),
        reverse("mentorship_list"),
        reverse("mentorship_detail", args=[m.pk]),
        reverse("agreement_version", args=[m.pk, 1]),
        reverse("agreement_version", args=[m.pk, 2]),
        reverse("meeting_detail", args=[mt.pk]),
        reverse("meeting_ics", args=[mt.pk]),
        reverse("program_mentorships", args=[m.program_id]),
        reverse("notification_list"),
    ]


def api_reads(w) -> list[str]:
    m, mt = w["m"], w["meeting"]
    base = "/api/mentorships"
    return [
        f"{base}/",
        f"{base}/{m.pk}",
        f"{base}/{m.pk}/agreement/versions",
        f"{base}/{m.pk}/goals",
        f"{base}/{m.pk}/meetings",
        f"{base}/{m.pk}/action-items",
        f"{base}/meetings/{mt.pk}",
        f"{base}/meetings/{mt.pk}/agenda",
        f"{base}/meetings/{mt.pk}/private-note",
        f"{base}/meetings/{mt.pk}/ics",
        f"{base}/programs/{m.program_id}",
        "/api/notifications/",
    ]


def _login(client, person):
    client.logout()
    if person is not None:
        client.force_login(person)


def _seen(content: bytes) -> set[str]:
    text = content.decode("utf-8", "replace")
    return {marker for marker in (*SHARED.values(), PRIVATE) if marker in text}


def _calendar_feed(client, person) -> bytes:
    if person is None:
        return b""
    feed = services.calendar_feed_ensure(user=person)
    return client.get(reverse("calendar_feed", args=[feed.token])).content


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_each_content_type_to_its_readers_only(client, world, role):
    person = world["people"][role]
    _login(client, person)
    seen: set[str] = set()
    for url in pages(world):
        response = client.get(url)
        assert response.status_code < 500, url
        seen |= _seen(response.content)
    seen |= _seen(_calendar_feed(client, person))
    assert seen == expected_markers(role)


@pytest.mark.parametrize("role", ROLES)
def test_api_shows_each_content_type_to_its_readers_only(client, world, role):
    person = world["people"][role]
    _login(client, person)
    seen: set[str] = set()
    for url in api_reads(world):
        response = client.get(url)
        assert response.status_code < 500, url
        seen |= _seen(response.content)
    # The API has no read of milestones and progress notes (they are on the pages).
    assert seen == expected_markers(role) - {SHARED["milestone"], SHARED["progress"]}


@pytest.mark.parametrize("role", ["admin", "other_admin", "same_program", "stranger", "staff"])
def test_content_pages_and_endpoints_are_404_for_non_participants(client, world, role):
    _login(client, world["people"][role])
    m, mt = world["m"], world["meeting"]
    for url in (
        reverse("agreement_version", args=[m.pk, 1]),
        reverse("meeting_detail", args=[mt.pk]),
        reverse("meeting_ics", args=[mt.pk]),
        f"/api/mentorships/{m.pk}/agreement/versions",
        f"/api/mentorships/{m.pk}/goals",
        f"/api/mentorships/{m.pk}/meetings",
        f"/api/mentorships/{m.pk}/action-items",
        f"/api/mentorships/meetings/{mt.pk}",
        f"/api/mentorships/meetings/{mt.pk}/agenda",
        f"/api/mentorships/meetings/{mt.pk}/private-note",
    ):
        assert client.get(url).status_code == 404, url


def test_program_admin_sees_status_dates_and_counts(client, world):
    m = world["m"]
    _login(client, world["people"]["admin"])
    page = client.get(reverse("mentorship_detail", args=[m.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 open (0 overdue)" in text and "0 of 1 achieved" in text
    assert m.starts_on.strftime("%-d %b %Y") in text
    api = client.get(f"/api/mentorships/{m.pk}").json()
    assert api["state"] == "active" and api["starts_on"] == m.starts_on.isoformat()


def test_closing_reflection_is_the_pairs(client, world):
    m = world["m"]
    m.ends_on = m.starts_on
    m.save(update_fields=["ends_on"])
    services.mentorship_complete(user=m.mentee, mentorship_id=m.pk, reflection="REFLECTION-MARK")
    for role, reads in (("mentor", True), ("admin", False)):
        _login(client, world["people"][role])
        page = client.get(reverse("mentorship_detail", args=[m.pk])).content
        api = client.get(f"/api/mentorships/{m.pk}").json()
        assert (b"REFLECTION-MARK" in page) is reads, role
        assert (api["closing_reflection"] == "REFLECTION-MARK") is reads, role


def test_notifications_carry_content_to_the_pair_only(world):
    pair = {world["m"].mentor_id, world["m"].mentee_id}
    for note in Notification.objects.exclude(recipient_id__in=pair):
        assert not _seen(json.dumps([note.title, note.body]).encode()), note
