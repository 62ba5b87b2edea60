"""Pages: who may see and do what, no-JS fallbacks, htmx partials, bounded queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships import services
from tandem.mentorships.models import (
    ActionItemStatus,
    AgendaItem,
    Meeting,
    MentorshipRequest,
    MentorshipState,
    RequestState,
)
from tandem.programs.models import Role
from tests.mentorships.factories import (
    ProgramFactory,
    RequestFactory,
    action_item,
    at_midpoint,
    meeting,
    member,
    mentorship,
    non_participants,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    m = at_midpoint(mentorship())  # the mid-point confirmation is due
    mt = meeting(m)
    item = action_item(m, due_on=timezone.localdate() - timedelta(days=1))
    services.private_note_save(user=m.mentee, meeting_id=mt.pk, body="my secret worry")
    services.meeting_notes_update(user=m.mentor, meeting_id=mt.pk, shared_notes="shared words")
    return {"m": m, "meeting": mt, "item": item, **non_participants(m)}


def read_pages(w):
    m, mt = w["m"], w["meeting"]
    return [
        reverse("mentorship_detail", args=[m.pk]),
        reverse("agreement_version", args=[m.pk, 1]),
        reverse("meeting_detail", args=[mt.pk]),
    ]


def participant_pages(w):
    m, mt = w["m"], w["meeting"]
    return [
        reverse("agreement_edit", args=[m.pk]),
        reverse("meeting_new", args=[m.pk]),
        reverse("meeting_reschedule", args=[mt.pk]),
        reverse("meeting_ics", args=[mt.pk]),
        reverse("mentorship_end", args=[m.pk]),
        reverse("mentorship_complete", args=[m.pk]),
    ]


def posts(w):
    m, mt, item = w["m"], w["meeting"], w["item"]
    return [
        (reverse("agenda_add", args=[mt.pk]), {"text": "x"}),
        (reverse("meeting_notes", args=[mt.pk]), {"shared_notes": "x"}),
        (reverse("meeting_private_note", args=[mt.pk]), {"body": "x"}),
        (reverse("meeting_cancel", args=[mt.pk]), {"confirm": "yes"}),
        (reverse("action_item_toggle", args=[item.pk]), {}),
        (reverse("action_item_add", args=[m.pk]), {"description": "x", "owner": m.mentee_id}),
        (reverse("goal_add", args=[m.pk]), {"title": "x"}),
        (reverse("agreement_sign", args=[m.pk, 1]), {}),
        (reverse("midpoint_confirm", args=[m.pk]), {}),
    ]


def test_anonymous_redirected_to_login(client, world):
    for url in (
        read_pages(world)
        + participant_pages(world)
        + [
            reverse("mentorship_list"),
            reverse("request_inbox"),
            reverse("request_new"),
            reverse("calendar_settings"),
        ]
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    for url, data in posts(world):
        assert client.post(url, data).status_code == 302


@pytest.mark.parametrize("who", ["stranger", "same_program"])
def test_outsiders_get_404(client, world, who):
    client.force_login(world[who])
    for url in read_pages(world) + participant_pages(world):
        assert client.get(url).status_code == 404, url
    for url, data in posts(world):
        assert client.post(url, data).status_code == 404, url
    assert AgendaItem.objects.count() == 0


def test_admin_cannot_write(client, world):
    """What the admin may read is in test_privacy.py; here: no participant page, no write."""
    client.force_login(world["admin"])
    for url in participant_pages(world):
        assert client.get(url).status_code == 404, url
    for url, data in posts(world):
        assert client.post(url, data).status_code == 404, url


def test_private_note_only_for_author(client, world):
    m = world["m"]
    client.force_login(m.mentor)
    assert b"my secret worry" not in client.get(read_pages(world)[0]).content
    assert b"my secret worry" not in client.get(read_pages(world)[2]).content
    client.force_login(m.mentee)
    assert b"my secret worry" in client.get(read_pages(world)[0]).content


def test_detail_page_shows_overdue_and_queries_bounded(
    client, world, django_assert_max_num_queries
):
    m = world["m"]
    for _ in range(5):
        meeting(m)
        action_item(m)
    client.force_login(m.mentee)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("mentorship_detail", args=[m.pk]))
    assert b"overdue" in response.content.lower()


def test_end_reason_shown_to_admin_not_partner(client, world):
    m = world["m"]
    services.mentorship_end_early(user=m.mentee, mentorship_id=m.pk, reason="Secret reason")
    url = reverse("mentorship_detail", args=[m.pk])
    client.force_login(m.mentor)
    assert b"Secret reason" not in client.get(url).content
    client.force_login(world["admin"])
    assert b"Secret reason" in client.get(url).content


def test_action_item_toggle_htmx_and_fallback(client, world):
    m, item = world["m"], world["item"]
    client.force_login(m.mentor)
    url = reverse("action_item_toggle", args=[item.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'id="action-item-' in response.content
    item.refresh_from_db()
    assert item.status == ActionItemStatus.DONE
    response = client.post(url)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItemStatus.OPEN


def test_mark_done_is_a_real_button_named_for_its_item(client, world):
    """UX review: "☐ Mark done" was a button drawn as a link with a check box glyph; it is a
    plain button saying what it does, named for its item, and the item's state is written."""
    m, item = world["m"], world["item"]
    goal = services.goal_create(user=m.mentor, mentorship_id=m.pk, title="Ship it")
    step = services.milestone_add(user=m.mentor, goal_id=goal.pk, title="First step")
    client.force_login(m.mentor)
    url = reverse("mentorship_detail", args=[m.pk])
    html = client.get(url).content.decode()
    assert "☐" not in html and "☑" not in html
    for name in (item.description, step.title):
        button = f'class="secondary done-toggle">Mark done<span class="visually-hidden">: {name}'
        assert button in html
    services.milestone_toggle(user=m.mentor, milestone_id=step.pk)
    html = client.get(url).content.decode()
    assert f'Reopen<span class="visually-hidden">: {step.title}' in html
    assert '<span class="badge badge-ok">Done</span> <span class="done-text">First step' in html


def _hidden_done(page: bytes, action: str) -> dict:
    """The hidden ``done`` of the page's form posting to ``action``, as the browser sends it."""
    form = page.decode().split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return {"done": form.split('name="done" value="', 1)[1].split('"', 1)[0]}


def test_a_check_box_clicked_twice_lands_once(client, world):
    """Code review: the page's forms sent no ``done``, so a double click undid itself."""
    m, item = world["m"], world["item"]
    goal = services.goal_create(user=m.mentor, mentorship_id=m.pk, title="Ship it")
    step = services.milestone_add(user=m.mentor, goal_id=goal.pk, title="Step")
    client.force_login(m.mentor)
    page = client.get(reverse("mentorship_detail", args=[m.pk])).content
    for name, pk in (("milestone_toggle", step.pk), ("action_item_toggle", item.pk)):
        url = reverse(name, args=[pk])
        sent = _hidden_done(page, url)
        assert sent == {"done": "true"}
        assert client.post(url, sent).status_code == 302
        assert client.post(url, sent).status_code == 302
    step.refresh_from_db()
    item.refresh_from_db()
    assert step.done_at is not None and item.status == ActionItemStatus.DONE
    page = client.get(reverse("mentorship_detail", args=[m.pk])).content
    assert _hidden_done(page, reverse("action_item_toggle", args=[item.pk])) == {"done": "false"}


def test_agenda_htmx_and_fallback(client, world):
    m, mt = world["m"], world["meeting"]
    client.force_login(m.mentee)
    url = reverse("agenda_add", args=[mt.pk])
    partial = client.post(url, {"text": "Slides"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and partial.content.strip().startswith(b"<li>")
    assert client.post(url, {"text": "Budget"}).status_code == 302
    assert AgendaItem.objects.count() == 2


def test_schedule_form_past_time_shows_field_error(client, world):
    m = world["m"]
    client.force_login(m.mentee)
    yesterday = timezone.localdate() - timedelta(days=1)
    before = Meeting.objects.count()
    response = client.post(
        reverse("meeting_new", args=[m.pk]),
        {"date": yesterday.isoformat(), "time": "10:00", "duration_minutes": 30, "format": "call"},
    )
    assert response.status_code == 200
    assert "already passed" in response.content.decode()
    assert Meeting.objects.count() == before


def test_schedule_series_via_form(client, world):
    m = world["m"]
    client.force_login(m.mentee)
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("meeting_new", args=[m.pk]),
        {
            "date": day.isoformat(),
            "time": "10:00",
            "duration_minutes": 30,
            "format": "video",
            "repeat": "biweekly",
            "count": 3,
        },
    )
    assert response.status_code == 302
    created = Meeting.objects.filter(series__isnull=False).order_by("starts_at").first()
    ics = client.get(reverse("meeting_ics", args=[created.pk]))
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert "RRULE" in event


def test_signing_superseded_version_shows_error_and_changes_nothing(client):
    m = mentorship(state=MentorshipState.PROPOSED)
    from tests.mentorships.factories import valid_content

    services.agreement_propose(user=m.mentor, mentorship_id=m.pk, content=valid_content())
    client.force_login(m.mentee)
    response = client.post(reverse("agreement_sign", args=[m.pk, 1]), follow=True)
    assert "replaced by version 2" in response.content.decode()
    m.refresh_from_db()
    assert m.state == MentorshipState.PROPOSED


def test_agreement_form_proposes_and_both_sign(client):
    m = mentorship(state=MentorshipState.PROPOSED)
    client.force_login(m.mentee)
    page = client.get(reverse("agreement_edit", args=[m.pk]))
    assert b"e.g. Lead a design review" in page.content
    today = timezone.localdate()
    data = {
        "objective_1_goal": "Ship a feature",
        "objective_1_measure": "Live by June",
        "cadence": "biweekly",
        "meeting_format": "video",
        "meeting_minutes": 45,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(weeks=10)).isoformat(),
        "confidentiality": "Private",
        "no_fault_exit": "Either can leave",
    }
    response = client.post(reverse("agreement_edit", args=[m.pk]), data)
    assert response.status_code == 302
    for user in (m.mentee, m.mentor):
        client.force_login(user)
        client.post(reverse("agreement_sign", args=[m.pk, 2]))
    m.refresh_from_db()
    assert m.state == MentorshipState.ACTIVE


def test_agreement_form_missing_objective(client):
    m = mentorship(state=MentorshipState.PROPOSED)
    client.force_login(m.mentee)
    today = timezone.localdate()
    response = client.post(
        reverse("agreement_edit", args=[m.pk]),
        {
            "cadence": "biweekly",
            "meeting_format": "video",
            "meeting_minutes": 45,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(weeks=10)).isoformat(),
            "confidentiality": "Private",
            "no_fault_exit": "Either can leave",
        },
    )
    assert response.status_code == 200 and "at least one objective" in response.content.decode()


class TestRequestPages:
    def test_send_accept_flow(self, client):
        program = ProgramFactory()
        member(program, Role.ADMIN)  # regression: a program with an admin was hidden
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        member(ProgramFactory(), Role.ADMIN)
        client.force_login(mentee)
        form = client.get(reverse("request_new"), {"program": program.pk, "to": mentor.pk})
        assert mentor.display_name in form.content.decode()
        response = client.post(
            reverse("request_new"),
            {"program": program.pk, "recipient": mentor.pk, "message": "Teach me"},
        )
        assert response.status_code == 302
        request = MentorshipRequest.objects.get()
        client.force_login(mentor)
        inbox = client.get(reverse("request_inbox"))
        assert b"Teach me" in inbox.content
        response = client.post(reverse("request_accept", args=[request.pk]))
        assert response.status_code == 302 and "/mentorships/" in response["Location"]

    def test_accepting_withdrawn_shows_clear_error(self, client):
        program = ProgramFactory()
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        request = RequestFactory(
            program=program, sender=mentee, recipient=mentor, state=RequestState.WITHDRAWN
        )
        client.force_login(mentor)
        response = client.post(reverse("request_accept", args=[request.pk]), follow=True)
        assert "already withdrawn" in response.content.decode()

    def test_decline_page_and_withdraw_permissions(self, client):
        program = ProgramFactory()
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        request = RequestFactory(program=program, sender=mentee, recipient=mentor)
        client.force_login(member(program))
        assert client.get(reverse("request_decline", args=[request.pk])).status_code == 404
        assert client.post(reverse("request_withdraw", args=[request.pk])).status_code == 404
        client.force_login(mentor)
        response = client.post(reverse("request_decline", args=[request.pk]), {"reason": "Busy"})
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.state == RequestState.DECLINED

    def test_inbox_paginated_and_bounded(self, client, django_assert_max_num_queries):
        program = ProgramFactory()
        mentor = member(program, Role.MENTOR)
        for _ in range(25):
            RequestFactory(program=program, sender=member(program), recipient=mentor)
        client.force_login(mentor)
        with django_assert_max_num_queries(15):
            response = client.get(reverse("request_inbox"))
        assert "Page 1 of 2" in response.content.decode()


def test_list_page_and_dashboard_bounded(client, django_assert_max_num_queries):
    m = mentorship()
    for _ in range(5):
        other = mentorship(mentor=m.mentor, program=m.program)
        meeting(other)
        action_item(other, due_on=timezone.localdate() - timedelta(days=3), owner=other.mentor)
    client.force_login(m.mentor)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("mentorship_list")).status_code == 200
    with django_assert_max_num_queries(25):
        dashboard = client.get(reverse("dashboard"))
    assert b'data-step="action_item"' in dashboard.content and b"Overdue" in dashboard.content
    assert b"Upcoming meetings" in dashboard.content


def test_calendar_pages(client):
    m = mentorship()
    meeting(m)
    client.force_login(m.mentee)
    page = client.get(reverse("calendar_settings"))
    assert b"/mentorships/calendar/feed/" in page.content
    old = m.mentee.calendar_feed.token
    client.post(reverse("calendar_regenerate"))
    client.logout()
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    m.mentee.calendar_feed.refresh_from_db()
    feed = client.get(reverse("calendar_feed", args=[m.mentee.calendar_feed.token]))
    assert feed.status_code == 200 and Calendar.from_ical(feed.content).walk("VEVENT")


def test_end_and_complete_pages(client, world):
    m = world["m"]
    client.force_login(m.mentee)
    response = client.post(reverse("mentorship_complete", args=[m.pk]), {"reflection": "Good"})
    assert (
        response.status_code == 200 and "you can complete it from then" in response.content.decode()
    )
    end = reverse("mentorship_end", args=[m.pk])
    response = client.post(end, {"reason": "Moving teams", "category": "change", "confirm": "yes"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.state == MentorshipState.ENDED_EARLY


def test_complete_page_says_when_it_is_too_early_before_asking_for_a_reflection(client, world):
    """Journey review: opened months early, the page said "The agreed period has ended (6 Jun
    2027)" and took a reflection, then refused it."""
    m = world["m"]
    client.force_login(m.mentee)
    page = client.get(reverse("mentorship_complete", args=[m.pk])).content.decode()
    assert f"This mentorship runs until {day_in(m.ends_on)}; you can complete it" in page
    assert "The agreed period has ended" not in page and 'name="reflection"' not in page
    assert reverse("mentorship_end", args=[m.pk]) in page


def test_program_mentorships_page_admin_only(client, django_assert_max_num_queries):
    m = mentorship()
    services.mentorship_end_early(user=m.mentor, mentorship_id=m.pk, reason="Relocating")
    for _ in range(3):
        mentorship(program=m.program)
    url = reverse("program_mentorships", args=[m.program_id])
    assert client.get(url).status_code == 302
    for user in (m.mentor, member(m.program), member(ProgramFactory(), Role.ADMIN)):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(member(m.program, Role.ADMIN))
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200 and b"Relocating" in response.content


def test_the_mentorship_tables_head_their_period_dates(client):
    """UX review: the column was "Runs", a word the admin pages use for match runs."""
    m = mentorship()
    client.force_login(m.mentee)
    mine = client.get(reverse("mentorship_list")).content.decode()
    client.force_login(member(m.program, Role.ADMIN))
    program = client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
    for page in (mine, program):
        assert '<th scope="col">Dates</th>' in page and 'data-label="Dates"' in page
        assert ">Runs<" not in page and 'data-label="Runs"' not in page


def test_admin_only_member_cannot_send(client):
    program = ProgramFactory()
    admin = member(program, Role.ADMIN)
    client.force_login(admin)
    assert b"once you are an active member" in client.get(reverse("request_new")).content


def test_next_parameter_is_not_an_open_redirect(client):
    m = mentorship()
    client.force_login(m.mentee)
    response = client.post(
        reverse("action_item_add", args=[m.pk]),
        {"description": "x", "owner": m.mentee_id, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and "evil" not in response["Location"]
    response = client.post(
        reverse("agenda_add", args=[meeting(m).pk]),
        {"text": ""},
        HTTP_REFERER="https://evil.example/",
    )
    # A refused form is shown again where it was, never sent to the page it claims to be from.
    assert response.status_code == 400 and not response.has_header("Location")
