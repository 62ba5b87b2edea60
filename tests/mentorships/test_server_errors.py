"""Issue 8, item 9: each server error seen on the mentorship pages and API is now a clear 4xx
that names the field and the reason."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone

from tandem.core.dates import DATE_OUT_OF_RANGE
from tandem.core.locking import LOCK_OUTSIDE_TRANSACTION
from tandem.mentorships import selectors, services
from tandem.mentorships.models import (
    ActionItem,
    ActionItemStatus,
    AgreementVersion,
    Goal,
    Meeting,
    MeetingStatus,
    Mentorship,
    PrivateNote,
)
from tests.mentorships.factories import (
    action_item,
    at_midpoint,
    meeting,
    mentorship,
    non_participants,
    valid_content,
)
from tests.mentorships.test_api import endpoints
from tests.mentorships.test_views import posts


def _api(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _world():
    m = at_midpoint(mentorship())  # the mid-point confirmation is due
    mt = meeting(m)
    item = action_item(m)
    goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Speak")
    return {"m": m, "meeting": mt, "item": item, "goal": goal, **non_participants(m)}


# select_for_update outside a transaction --------------------------------------------------
# These run outside a test transaction (transactional_db), as a live server does: PostgreSQL
# refuses FOR UPDATE in autocommit, and the access helpers refuse it on every database.


@pytest.mark.django_db(transaction=True)
def test_every_api_write_locks_inside_a_transaction(client):
    world = _world()
    client.force_login(world["m"].mentor)
    for method, url, body, _, status in endpoints(world):
        response = _api(client, method, url, body) if body is not None else None
        if response is None:
            response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == status, (url, response.content)


def _page_writes(world):
    """Each page write of ``posts`` with where it must land and the change it must make:
    a refused write also answers 302 (``friendly_errors``), so the status proves nothing."""
    m, mt, item = world["m"], world["meeting"], world["item"]
    detail = reverse("mentorship_detail", args=[m.pk])
    meeting_page = reverse("meeting_detail", args=[mt.pk])
    # Version 1 is signed by both: signing it again is refused, so the mentee proposes a
    # version 2 for the mentor to sign.
    ends_on = date.today() + timedelta(weeks=10)
    services.agreement_propose(
        user=m.mentee,
        mentorship_id=m.pk,
        content=valid_content(
            m.program, starts_on=date.today().isoformat(), ends_on=ends_on.isoformat()
        ),
    )
    return {
        "agenda_add": (
            meeting_page + "#agenda",
            lambda: mt.agenda_items.filter(text="x", author=m.mentor).exists(),
        ),
        "meeting_notes": (
            meeting_page + "#notes",
            lambda: Meeting.objects.get(pk=mt.pk).shared_notes == "x",
        ),
        "meeting_private_note": (
            meeting_page + "#private-note",
            lambda: PrivateNote.objects.filter(meeting=mt, author=m.mentor, body="x").exists(),
        ),
        "meeting_cancel": (
            detail,
            lambda: Meeting.objects.get(pk=mt.pk).status == MeetingStatus.CANCELLED,
        ),
        "action_item_toggle": (
            detail + "#action-items",
            lambda: ActionItem.objects.get(pk=item.pk).status == ActionItemStatus.DONE,
        ),
        "action_item_add": (
            detail + "#action-items",
            lambda: ActionItem.objects.filter(
                mentorship=m, description="x", owner=m.mentee
            ).exists(),
        ),
        "goal_add": (
            detail + "#goals",
            lambda: Goal.objects.filter(mentorship=m, title="x").exists(),
        ),
        "agreement_sign": (
            detail,
            lambda: (
                AgreementVersion.objects.get(mentorship=m, number=2).signed_by_mentor_at is not None
            ),
        ),
        "midpoint_confirm": (
            detail,
            lambda: Mentorship.objects.get(pk=m.pk).midpoint_confirmed_at is not None,
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_every_page_write_locks_inside_a_transaction_and_takes_effect(client):
    """Review of issue 8: this test accepted any 302, and a refused write is one too."""
    world = _world()
    expected = _page_writes(world)
    client.force_login(world["m"].mentor)
    sent = []
    for url, data in posts(world):
        name = resolve(url).url_name
        if name == "agreement_sign":  # the version the mentor has not signed yet
            url = reverse(name, args=[world["m"].pk, 2])
        location, took_effect = expected[name]
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content)
        assert response["Location"] == location, name
        errors = [
            str(message)
            for message in get_messages(response.wsgi_request)
            if message.level >= messages.WARNING
        ]
        assert errors == [], name
        assert took_effect(), name
        sent.append(name)
    assert sorted(sent) == sorted(expected)


@pytest.mark.django_db(transaction=True)
def test_locking_outside_a_transaction_is_refused_on_every_database():
    world = _world()
    with pytest.raises(RuntimeError, match=LOCK_OUTSIDE_TRANSACTION.split(" ")[0]):
        selectors.access_action_item(
            user=world["m"].mentor, action_item_id=world["item"].pk, for_update=True
        )
    with transaction.atomic():
        found = selectors.access_action_item(
            user=world["m"].mentor, action_item_id=world["item"].pk, for_update=True
        )
    assert found.pk == world["item"].pk
    # Without for_update nothing is locked, so reading outside a transaction is fine.
    assert selectors.access_goal(user=world["m"].mentee, goal_id=world["goal"].pk)


# Empty "add goal" form --------------------------------------------------------------------


@pytest.mark.django_db
def test_empty_add_goal_form_says_which_field_and_adds_nothing(client):
    m = mentorship()
    client.force_login(m.mentor)
    response = client.post(reverse("goal_add", args=[m.pk]), {"title": ""})
    assert response.status_code == 400  # the page again, the error on the field
    assert response.context["goal_form"].errors["title"] == ["This field is required."]
    assert not Goal.objects.filter(mentorship=m).exists()


# Time zones: starts_at without an offset ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_meeting_time_without_offset_is_a_422_naming_the_field(client, field):
    m = mentorship()
    client.force_login(m.mentor)
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    body = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "format": "call",
    }
    body[field] = body[field][:19]  # 2026-12-04T09:00:00, no offset
    response = _api(client, "post", f"/api/mentorships/{m.pk}/meetings", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    found = meeting(m)
    moved = {
        "starts_at": start.isoformat()[:19],
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }
    response = _api(client, "post", f"/api/mentorships/meetings/{found.pk}/reschedule", moved)
    assert response.status_code == 422 and "starts_at" in response.json()["fields"]
    assert Meeting.objects.filter(mentorship=m).count() == 1


@pytest.mark.django_db
def test_service_refuses_a_naive_time_with_the_field():
    from tandem.core.exceptions import ApplicationError

    m = mentorship()
    naive = (timezone.now() + timedelta(days=2)).replace(tzinfo=None)
    with pytest.raises(ApplicationError) as error:
        services.meeting_schedule(
            user=m.mentor,
            mentorship_id=m.pk,
            starts_at=naive,
            ends_at=naive + timedelta(hours=1),
            format="call",
        )
    assert "starts_at" in error.value.fields


# Dates near year 9999 ----------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_near_year_9999_is_a_field_error_on_the_pages(client):
    m = mentorship()
    found = meeting(m)
    client.force_login(m.mentor)
    data = {"date": "9999-12-31", "time": "23:30", "duration_minutes": 60, "format": "call"}
    for url in (
        reverse("meeting_new", args=[m.pk]),
        reverse("meeting_reschedule", args=[found.pk]),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert DATE_OUT_OF_RANGE in response.context["form"].errors["date"]
    assert Meeting.objects.filter(mentorship=m).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2027-13-01", "x"]
)
def test_a_hand_edited_suggestion_link_opens_an_empty_form(client, at):
    m = mentorship()
    client.force_login(m.mentor)
    response = client.get(reverse("meeting_new", args=[m.pk]), {"at": at})
    assert response.status_code == 200
    assert response.context["form"]["date"].value() is None


@pytest.mark.django_db
def test_dates_near_year_9999_are_422_in_the_api(client):
    m = mentorship()
    found = meeting(m)
    goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Speak")
    client.force_login(m.mentor)
    late = "9999-12-31T23:30:00+00:00"
    cases = [
        (
            f"/api/mentorships/{m.pk}/meetings",
            {"starts_at": late, "ends_at": late, "format": "call"},
        ),
        (f"/api/mentorships/meetings/{found.pk}/reschedule", {"starts_at": late, "ends_at": late}),
        (f"/api/mentorships/{m.pk}/goals", {"title": "t", "target_date": "9999-12-31"}),
        (f"/api/mentorships/goals/{goal.pk}/milestones", {"title": "t", "due_on": "9999-12-31"}),
        (
            f"/api/mentorships/{m.pk}/action-items",
            {"description": "d", "owner_id": m.mentee_id, "due_on": "9999-12-31"},
        ),
    ]
    for url, body in cases:
        response = _api(client, "post", url, body)
        assert response.status_code == 422, (url, response.content)
        fields = response.json()["fields"]
        assert any(DATE_OUT_OF_RANGE in message for message in fields.values()), fields


@pytest.mark.django_db
@pytest.mark.parametrize("starts_at", ["2100-12-31T22:00:00-05:00", "1900-01-01T02:00:00+05:00"])
def test_a_meeting_on_another_year_for_the_partner_is_refused(client, starts_at):
    """Live review: booked from New York at 2100-12-31 22:00, it fell on 2101-01-01 for the
    Berlin partner, whose reschedule form then refused its own date, even saved untouched."""
    m = mentorship()
    client.force_login(m.mentee)
    body = {
        "starts_at": starts_at,
        "ends_at": starts_at.replace(":00:00", ":45:00"),
        "format": "call",
    }
    response = _api(client, "post", f"/api/mentorships/{m.pk}/meetings", body)
    assert response.status_code in (400, 422), response.content
    assert DATE_OUT_OF_RANGE in " ".join(response.json()["fields"].values())
    assert not Meeting.objects.filter(mentorship=m).exists()


@pytest.mark.django_db
def test_agreement_and_goal_dates_near_year_9999_are_field_errors_on_the_pages(client):
    m = mentorship()
    client.force_login(m.mentor)
    response = client.post(
        reverse("goal_add", args=[m.pk]), {"title": "Speak", "target_date": "9999-12-31"}
    )
    assert DATE_OUT_OF_RANGE in " ".join(response.context["goal_form"].errors["target_date"])
    assert not Goal.objects.filter(mentorship=m, title="Speak").exists()


@pytest.mark.django_db
def test_agreement_service_refuses_dates_out_of_range():
    from tandem.core.exceptions import ApplicationError
    from tests.mentorships.factories import valid_content

    m = mentorship()
    with pytest.raises(ApplicationError) as error:
        services.agreement_propose(
            user=m.mentor,
            mentorship_id=m.pk,
            content=valid_content(m.program, ends_on="9999-12-31"),
        )
    assert error.value.fields == {"ends_on": DATE_OUT_OF_RANGE}


# Notes that were too long were saved as "" -------------------------------------------------


@pytest.mark.django_db
def test_notes_too_long_are_refused_not_erased(client):
    m = mentorship()
    found = meeting(m, shared_notes="keep me")
    client.force_login(m.mentor)
    response = client.post(reverse("meeting_notes", args=[found.pk]), {"shared_notes": "x" * 20001})
    assert response.status_code == 400  # shown again with the text, on its field
    found.refresh_from_db()
    assert found.shared_notes == "keep me"
