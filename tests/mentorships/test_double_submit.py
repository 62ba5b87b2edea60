"""Live review on PostgreSQL: sending an add form twice at once (a double click) made two goals,
milestones, agenda items, action items and problem reports, and told the admins twice. Each
add now takes the lock of the row the new one belongs to and finds the first's row
(``core.locking.refuse_repeat``, as message reports and match-run starts do): the page lands
where the first one did with a note, the API answers 409, and nothing is written or sent twice.
The same add while the first is still current (an open goal, an unresolved report) is the
same; once it is done or resolved, an identical one is new."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tandem.core.exceptions import Repeated
from tandem.mentorships import services
from tandem.mentorships.models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    Goal,
    GoalState,
    Mentorship,
    Milestone,
    ProblemReport,
)
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import call, meeting, member, mentorship
from tests.mentorships.test_lock_order import race, row_lock, unexpected


@dataclass
class Add:
    """One kind of add: its page form and API call, the rows it makes, the notices it sends."""

    name: str
    page: str
    form: dict[str, Any]
    api: str
    body: dict[str, Any]
    landing: str
    rows: Any
    notices: int


def _setup(name: str) -> tuple[Mentorship, Add]:
    m = mentorship()
    member(m.program, Role.ADMIN)  # a reader of problem reports
    home = reverse("mentorship_detail", args=[m.pk])
    if name == "goal":
        return m, Add(
            name,
            reverse("goal_add", args=[m.pk]),
            {"title": "Double goal", "measure": "m", "target_date": ""},
            f"/api/mentorships/{m.pk}/goals",
            {"title": "Double goal", "measure": "m"},
            home + "#goals",
            lambda: Goal.objects.filter(mentorship=m).count(),
            0,
        )
    if name == "milestone":
        goal = services.goal_create(user=m.mentor, mentorship_id=m.pk, title="A goal")
        return m, Add(
            name,
            reverse("milestone_add", args=[goal.pk]),
            {"title": "Double milestone", "due_on": ""},
            f"/api/mentorships/goals/{goal.pk}/milestones",
            {"title": "Double milestone"},
            home + "#goals",
            lambda: Milestone.objects.filter(goal=goal).count(),
            0,
        )
    if name == "agenda item":
        held = meeting(m)
        return m, Add(
            name,
            reverse("agenda_add", args=[held.pk]),
            {"text": "Double agenda"},
            f"/api/mentorships/meetings/{held.pk}/agenda",
            {"text": "Double agenda"},
            reverse("meeting_detail", args=[held.pk]) + "#agenda",
            lambda: AgendaItem.objects.filter(meeting=held).count(),
            0,
        )
    if name == "action item":
        return m, Add(
            name,
            reverse("action_item_add", args=[m.pk]),
            {"description": "Double item", "owner": m.mentee_id, "due_on": "", "meeting": ""},
            f"/api/mentorships/{m.pk}/action-items",
            {"description": "Double item", "owner_id": m.mentee_id},
            home + "#action-items",
            lambda: ActionItem.objects.filter(mentorship=m).count(),
            1,  # the owner is told, once
        )
    assert name == "problem report"
    return m, Add(
        name,
        reverse("problem_report_new", args=[m.pk]),
        {"text": "Double problem"},
        f"/api/mentorships/{m.pk}/problem-reports",
        {"text": "Double problem"},
        reverse("problem_report_new", args=[m.pk]),
        lambda: ProblemReport.objects.filter(mentorship=m).count(),
        1,  # the program's admin is told, once
    )


NAMES = ["goal", "milestone", "agenda item", "action item", "problem report"]


def _notices() -> int:
    return Notification.objects.filter(
        kind__in=["action_item", Kind.PROBLEM_REPORTED, Kind.MENTORSHIP]
    ).count()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_the_page_sent_twice_adds_once_and_lands_where_the_first_did(name):
    m, add = _setup(name)
    client = _client(m.mentor)
    first = client.post(add.page, add.form)
    again = client.post(add.page, add.form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert first.url == again.url == add.landing
    notes = [str(note) for note in get_messages(again.wsgi_request)]
    assert any("once" in note for note in notes), notes
    assert add.rows() == 1
    assert _notices() == add.notices


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_the_api_sent_twice_adds_once_and_answers_409(client, name):
    m, add = _setup(name)
    assert call(client, "post", add.api, m.mentor, add.body).status_code == 201
    again = call(client, "post", add.api, m.mentor, add.body)
    assert again.status_code == 409 and "once" in again.json()["detail"]
    assert add.rows() == 1
    assert _notices() == add.notices


@pytest.mark.django_db
def test_an_htmx_agenda_sent_twice_loads_the_meeting_page():
    m, add = _setup("agenda item")
    client = _client(m.mentee)
    assert client.post(add.page, add.form, HTTP_HX_REQUEST="true").status_code == 200
    again = client.post(add.page, add.form, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and again["HX-Redirect"] == add.landing
    assert add.rows() == 1


@pytest.mark.django_db
def test_an_identical_add_once_the_first_is_done_is_a_new_one():
    """Only a still current one is the same: a goal achieved (or dropped), a milestone or an
    action item done, a report resolved leaves the words free for a new one."""
    m = mentorship()
    admin = member(m.program, Role.ADMIN)
    goal = services.goal_create(user=m.mentor, mentorship_id=m.pk, title="Ship it")
    with pytest.raises(Repeated):
        services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Ship it")
    services.goal_update_progress(
        user=m.mentor, goal_id=goal.pk, state=GoalState.ACHIEVED, percent=100
    )
    services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Ship it")

    step = services.milestone_add(user=m.mentor, goal_id=goal.pk, title="Step")
    services.milestone_toggle(user=m.mentor, milestone_id=step.pk)
    services.milestone_add(user=m.mentor, goal_id=goal.pk, title="Step")

    kwargs = {
        "user": m.mentor,
        "mentorship_id": m.pk,
        "description": "Read",
        "owner_id": m.mentee_id,
    }
    item = services.action_item_create(**kwargs)
    services.action_item_create(**{**kwargs, "owner_id": m.mentor_id})  # someone else's
    services.action_item_set_status(
        user=m.mentee, action_item_id=item.pk, status=ActionItemStatus.DONE
    )
    services.action_item_create(**kwargs)

    report = services.problem_report_create(user=m.mentee, mentorship_id=m.pk, text="Late")
    services.problem_report_create(user=m.mentor, mentorship_id=m.pk, text="Late")  # theirs
    services.problem_report_resolve(user=admin, report_id=report.pk)
    services.problem_report_create(user=m.mentee, mentorship_id=m.pk, text="Late")

    assert Goal.objects.filter(mentorship=m, title="Ship it").count() == 2
    assert Milestone.objects.filter(goal=goal, title="Step").count() == 2
    assert ActionItem.objects.filter(mentorship=m, description="Read").count() == 3
    assert ProblemReport.objects.filter(mentorship=m, text="Late").count() == 3


@pytest.mark.django_db
def test_the_same_words_in_another_mentorship_or_meeting_are_theirs():
    m, other = mentorship(), mentorship()
    for pair in (m, other):
        services.goal_create(user=pair.mentor, mentorship_id=pair.pk, title="Same")
    for held in (meeting(m), meeting(m, in_hours=72)):
        services.agenda_item_add(user=m.mentor, meeting_id=held.pk, text="Same")
    assert Goal.objects.filter(title="Same").count() == 2
    assert AgendaItem.objects.filter(text="Same").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", NAMES)
def test_a_double_click_on_postgresql_adds_once(postgres_only, name):
    m, add = _setup(name)
    clients = [_client(m.mentor) for _ in range(2)]
    outcomes = race(
        *(lambda client=client: client.post(add.page, add.form) for client in clients),
        found=row_lock,
    )
    assert unexpected(outcomes) == []
    assert [o.status_code for o in outcomes] == [302, 302]
    assert {o.url for o in outcomes} == {add.landing}
    assert add.rows() == 1
    assert _notices() == add.notices


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", NAMES)
def test_four_api_calls_at_once_on_postgresql_add_once(postgres_only, name):
    m, add = _setup(name)
    clients = [_client(m.mentor) for _ in range(4)]
    outcomes = race(
        *(
            lambda client=client: client.post(add.api, add.body, content_type="application/json")
            for client in clients
        ),
        found=row_lock,
    )
    assert unexpected(outcomes) == []
    assert sorted(o.status_code for o in outcomes) == [201, 409, 409, 409]
    assert add.rows() == 1
    assert _notices() == add.notices
