"""The pages and endpoints that say whether a meeting took place, per role: only the pair may,
through a confirmation step on the web and a clear ``detail`` in the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tandem.mentorships.models import Meeting, MeetingStatus
from tandem.mentorships.services import attendance, meeting_mark_missed
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import UserFactory, call, meeting, member, mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "mentor",
    "mentee",
    "another pair's participant",
    "program admin",
    "admin of another program",
    "anonymous",
]
PAIR = {"mentor", "mentee"}


@pytest.fixture
def cast():
    pair = mentorship()
    return pair, {
        "mentor": pair.mentor,
        "mentee": pair.mentee,
        "another pair's participant": mentorship(program=pair.program).mentee,
        "program admin": member(pair.program, Role.ADMIN),
        "admin of another program": member(ProgramFactory(), Role.ADMIN),
        "anonymous": None,
    }


def status_of(held: Meeting) -> str:
    return Meeting.objects.get(pk=held.pk).status


def log_in(client, user) -> None:
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("role", ROLES)
def test_the_web_buttons_are_the_pairs_alone(client, cast, role):
    pair, people = cast
    held = meeting(pair, in_hours=-3)
    log_in(client, people[role])
    asked = client.post(reverse("meeting_mark_missed", args=[held.pk]))
    done = client.post(reverse("meeting_mark_missed", args=[held.pk]), {"confirm": "yes"})
    if role == "anonymous":
        assert (asked.status_code, done.status_code) == (302, 302)
        assert "/login" in asked["Location"] and status_of(held) == MeetingStatus.SCHEDULED
        return
    if role not in PAIR:
        assert (asked.status_code, done.status_code) == (404, 404)
        assert status_of(held) == MeetingStatus.SCHEDULED
        return
    assert asked.status_code == 200  # the confirmation step, nothing changed yet
    assert "This meeting did not take place?" in asked.content.decode()
    assert done.status_code == 302
    assert done["Location"] == reverse("meeting_detail", args=[held.pk]) + "#attendance"
    assert status_of(held) == MeetingStatus.MISSED
    undone = client.post(reverse("meeting_mark_held", args=[held.pk]))
    assert undone.status_code == 302 and status_of(held) == MeetingStatus.SCHEDULED


@pytest.mark.parametrize("role", ROLES)
def test_the_undo_button_is_the_pairs_alone(client, cast, role):
    pair, people = cast
    held = meeting(pair, in_hours=-3)
    meeting_mark_missed(actor=pair.mentor, meeting=held)
    log_in(client, people[role])
    response = client.post(reverse("meeting_mark_held", args=[held.pk]))
    expected = {"anonymous": 302}.get(role, 302 if role in PAIR else 404)
    assert response.status_code == expected
    assert status_of(held) == (MeetingStatus.SCHEDULED if role in PAIR else MeetingStatus.MISSED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["missed", "held"])
def test_the_api_endpoints_are_the_pairs_alone(client, cast, role, path):
    pair, people = cast
    held = meeting(pair, in_hours=-3)
    if path == "held":
        meeting_mark_missed(actor=pair.mentor, meeting=held)
    before = status_of(held)
    url = f"/api/mentorships/meetings/{held.pk}/{path}"
    response = call(client, "post", url, people[role])
    expected = {"anonymous": 401}.get(role, 200 if role in PAIR else 404)
    assert response.status_code == expected
    if role in PAIR:
        body = response.json()
        assert body["status"] == ("missed" if path == "missed" else "scheduled")
        assert body["missed_marked_by_id"] == (people[role].pk if path == "missed" else None)
    else:
        assert status_of(held) == before
        if role != "anonymous":
            assert "detail" in response.json()


@pytest.mark.parametrize("path", ["missed", "held"])
def test_the_api_says_why_a_meeting_to_come_cannot_be_marked(client, cast, path):
    pair, _ = cast
    later = meeting(pair, in_hours=5)
    response = call(client, "post", f"/api/mentorships/meetings/{later.pk}/{path}", pair.mentee)
    assert response.status_code == 409
    assert response.json()["detail"] == attendance.NOT_STARTED_YET


def test_the_api_says_why_a_cancelled_or_old_meeting_cannot_be_marked(client, cast):
    pair, _ = cast
    cancelled = meeting(pair, in_hours=-3, status=MeetingStatus.CANCELLED)
    old = meeting(pair, in_hours=-24 * 61)
    answers = [
        call(client, "post", f"/api/mentorships/meetings/{m.pk}/missed", pair.mentor).json()
        for m in (cancelled, old)
    ]
    assert [a["detail"] for a in answers] == [
        attendance.CANCELLED_CANNOT_BE_MARKED,
        attendance.TOO_LONG_AGO,
    ]


def test_the_api_twice_tells_the_other_once(client, cast):
    pair, _ = cast
    held = meeting(pair, in_hours=-3)
    url = f"/api/mentorships/meetings/{held.pk}/missed"
    first = call(client, "post", url, pair.mentee).json()
    second = call(client, "post", url, pair.mentee).json()
    assert first == second
    assert Notification.objects.filter(recipient=pair.mentor, kind="meeting").count() == 1


def test_the_web_refuses_a_meeting_to_come_without_asking(client, cast):
    pair, _ = cast
    later = meeting(pair, in_hours=5)
    client.force_login(pair.mentee)
    response = client.post(reverse("meeting_mark_missed", args=[later.pk]), follow=True)
    assert attendance.NOT_STARTED_YET in response.content.decode()
    assert "This meeting did not take place?" not in response.content.decode()
    assert status_of(later) == MeetingStatus.SCHEDULED


def test_only_a_post_with_its_csrf_token_acts(cast):
    pair, _ = cast
    held = meeting(pair, in_hours=-3)
    client = Client(enforce_csrf_checks=True)
    client.force_login(pair.mentee)
    url = reverse("meeting_mark_missed", args=[held.pk])
    asked = client.get(url)  # the confirmation step only
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.content.decode()
    assert client.post(url, {"confirm": "yes"}).status_code == 403
    assert client.post(reverse("meeting_mark_held", args=[held.pk])).status_code == 403
    assert status_of(held) == MeetingStatus.SCHEDULED


def test_the_meeting_page_offers_the_button_then_the_undo(client, cast):
    pair, _ = cast
    held = meeting(pair, in_hours=-3)
    later = meeting(pair, in_hours=30)
    client.force_login(pair.mentee)
    page = client.get(reverse("meeting_detail", args=[held.pk])).content.decode()
    assert "Did not take place</button>" in page and "It did take place</button>" not in page
    future = client.get(reverse("meeting_detail", args=[later.pk])).content.decode()
    assert 'id="attendance"' not in future
    meeting_mark_missed(actor=pair.mentor, meeting=held)
    page = client.get(reverse("meeting_detail", args=[held.pk])).content.decode()
    assert "It did take place</button>" in page
    assert f"{pair.mentor.display_name} marked this meeting as not taken place" in page
    assert 'class="badge badge-warn">Did not take place' in page


def test_the_meetings_list_shows_each_state_and_returns_to_it(client, cast):
    pair, _ = cast
    held, missed = meeting(pair, in_hours=-30), meeting(pair, in_hours=-3)
    meeting(pair, in_hours=30)
    meeting_mark_missed(actor=pair.mentor, meeting=missed)
    client.force_login(pair.mentee)
    page = client.get(reverse("mentorship_detail", args=[pair.pk])).content.decode()
    assert page.count('<span class="badge">Took place</span>') == 1
    assert page.count('<span class="badge">Scheduled</span>') == 1
    assert page.count('badge-warn">Did not take place</span>') == 1
    back = reverse("mentorship_detail", args=[pair.pk]) + "#meetings"
    done = client.post(
        reverse("meeting_mark_missed", args=[held.pk]), {"confirm": "yes", "next": back}
    )
    assert done["Location"] == back and status_of(held) == MeetingStatus.MISSED


def test_the_program_admin_sees_the_count_not_the_buttons(client, cast):
    pair, people = cast
    meeting_mark_missed(actor=pair.mentor, meeting=meeting(pair, in_hours=-3))
    client.force_login(people["program admin"])
    page = client.get(reverse("mentorship_detail", args=[pair.pk])).content.decode()
    assert "0 held, 0 scheduled, 0 cancelled, 1 did not take place" in page
    assert "/did-not-take-place/" not in page and "/took-place/" not in page


def test_the_site_admin_shows_the_mark_and_cannot_change_it(client, cast):
    pair, _ = cast
    held = meeting(pair, in_hours=-3)
    meeting_mark_missed(actor=pair.mentee, meeting=held)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:mentorships_meeting_change", args=[held.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Did not take place" in html
    assert 'name="missed_marked_by"' not in html and 'name="status"' not in html


def test_the_agenda_and_notes_stay_readable_and_editable(client, cast):
    pair, _ = cast
    held = meeting(pair, in_hours=-3, shared_notes="We rehearsed the opening")
    meeting_mark_missed(actor=pair.mentor, meeting=held)
    client.force_login(pair.mentee)
    page = client.get(reverse("meeting_detail", args=[held.pk])).content.decode()
    assert "We rehearsed the opening" in page
    saved = client.post(reverse("meeting_notes", args=[held.pk]), {"shared_notes": "Rescheduled"})
    assert saved.status_code == 302
    assert Meeting.objects.get(pk=held.pk).shared_notes == "Rescheduled"


def test_a_second_mark_from_the_other_side_says_it_was_already_marked(client, cast):
    """Live review: the second of the pair to confirm read "your partner has been told",
    though nothing changed and nobody was told; undoing a meeting never marked said so too."""
    pair, _ = cast
    held = meeting(pair, in_hours=-3)
    meeting_mark_missed(actor=pair.mentor, meeting=held)
    told = Notification.objects.count()
    client.force_login(pair.mentee)
    page = client.post(
        reverse("meeting_mark_missed", args=[held.pk]), {"confirm": "yes"}, follow=True
    ).content.decode()
    assert "already marked as not taken place" in page and "has been told" not in page
    other = meeting(pair, in_hours=-5)
    page = client.post(reverse("meeting_mark_held", args=[other.pk]), follow=True).content.decode()
    assert "already counts as held" in page and "has been told" not in page
    assert Notification.objects.count() == told
    assert (status_of(held), status_of(other)) == (MeetingStatus.MISSED, MeetingStatus.SCHEDULED)


@pytest.mark.parametrize(
    ("view", "said"),
    [
        ("meeting_mark_missed", "already marked as not taken place"),
        ("meeting_mark_held", "already counts as held"),
    ],
)
def test_the_message_follows_the_locked_step_when_the_other_side_was_first(
    client, cast, monkeypatch, view, said
):
    """Both of the pair at once: the mentor's same change lands between the mentee's read and
    row lock. One notice goes out (to the mentee), so the mentee must not read "your partner
    has been told"."""
    pair, _ = cast
    held = meeting(pair, in_hours=-3)
    if view == "meeting_mark_held":
        meeting_mark_missed(actor=pair.mentor, meeting=held)
    locked_read = attendance.access_meeting
    same_change = getattr(attendance, view)

    def other_side_first(**kwargs):
        monkeypatch.setattr(attendance, "access_meeting", locked_read)
        same_change(actor=pair.mentor, meeting=held)
        return locked_read(**kwargs)

    monkeypatch.setattr(attendance, "access_meeting", other_side_first)
    told = Notification.objects.count()
    client.force_login(pair.mentee)
    page = client.post(reverse(view, args=[held.pk]), {"confirm": "yes"}, follow=True)
    assert said in page.content.decode() and "has been told" not in page.content.decode()
    assert Notification.objects.count() == told + 1
    assert attendance.access_meeting is locked_read  # the mentor's change did run first
