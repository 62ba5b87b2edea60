"""Who reads a mentorship's health and the program's list, and who acts on it: the pair and
the program's admins read; only the admins outside the pair act; everyone else gets a 404."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind, Intervention, InterventionKind
from tandem.feedback.services.checkin_schedule import checkin_reminders_send
from tandem.feedback.services.health import health_refresh
from tandem.programs.models import Role
from tests.feedback.health_product.builders import held, started
from tests.mentorships.factories import UserFactory, member
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_participant", "mentor", "mentee", "other_admin", "admin", "site_admin"]
READERS = {"mentor", "mentee", "admin"}


@pytest.fixture
def world():
    now = timezone.now()
    m = started(now, weeks=12)
    held(m, now - timedelta(days=70))
    health_refresh(mentorships=[m], now=now)
    return {
        "m": m,
        "anonymous": None,
        "other_participant": member(m.program, Role.MENTEE),
        "mentor": m.mentor,
        "mentee": m.mentee,
        "other_admin": member(ProgramFactory(), Role.ADMIN),
        "admin": member(m.program, Role.ADMIN),
        "site_admin": UserFactory(is_staff=True, is_superuser=True),
    }


def as_(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_mentorship_health_api(client, world, role):
    m = world["m"]
    response = as_(client, world[role]).get(f"/api/mentorships/{m.pk}/health")
    if role == "anonymous":
        assert response.status_code == 401
    elif role in READERS:
        assert response.status_code == 200
        body = response.json()
        assert body["state"] == "stalled"
        assert body["reasons"][0]["code"] == "missed_periods"
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_program_health_list_api_and_page(client, world, role):
    m = world["m"]
    client = as_(client, world[role])
    api = client.get(f"/api/programs/{m.program_id}/health")
    page = client.get(f"/feedback/programs/{m.program_id}/health/")
    if role == "admin":
        assert api.status_code == 200
        assert [row["mentorship_id"] for row in api.json()["items"]] == [m.pk]
        assert page.status_code == 200
        assert m.mentee.display_name in page.content.decode()
    elif role == "anonymous":
        assert api.status_code == 401 and page.status_code == 302
    else:
        assert api.status_code == 404 and page.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action,body",
    [("checkin", None), ("note", {"note": "How are you two doing?"}), ("rematch", None)],
)
def test_admin_actions_only_for_the_programs_admins(client, world, role, action, body):
    m = world["m"]
    response = as_(client, world[role]).post(
        f"/api/mentorships/{m.pk}/health/{action}",
        data=json.dumps(body or {}),
        content_type="application/json",
    )
    if role == "admin":
        assert response.status_code == 201
    elif role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 404
    acted = Intervention.objects.filter(mentorship=m, actor__isnull=False).count()
    assert acted == (1 if role == "admin" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_the_panel_on_the_mentorship_page(client, world, role):
    m = world["m"]
    response = as_(client, world[role]).get(f"/mentorships/{m.pk}/")
    if role in READERS:
        text = response.content.decode()
        assert response.status_code == 200
        assert 'id="health"' in text and "Stalled" in text
        # To the pair "You", about the pair for an admin (test_reason_audience.py).
        assert ("They" if role == "admin" else "You") + " have not met for" in text
    else:
        assert response.status_code in (302, 404)


def test_an_admin_who_is_the_mentor_reads_but_does_not_act(client):
    now = timezone.now()
    program = ProgramFactory()
    mentor = member(program, Role.ADMIN)
    m = started(now, program=program, mentor=mentor)
    health_refresh(mentorships=[m], now=now)
    client.force_login(mentor)
    assert client.get(f"/api/mentorships/{m.pk}/health").status_code == 200
    assert client.post(f"/api/mentorships/{m.pk}/health/checkin").status_code == 404
    page = client.get(f"/feedback/programs/{program.pk}/health/").content.decode()
    assert "Your own mentorship" in page


def test_admin_actions_notify_and_are_sent_once_a_day(client, world):
    m, admin = world["m"], world["admin"]
    client.force_login(admin)
    url = f"/api/mentorships/{m.pk}/health/note"
    sent = client.post(
        url, data=json.dumps({"note": "Shall we talk?"}), content_type="application/json"
    )
    again = client.post(
        url, data=json.dumps({"note": "Shall we talk?"}), content_type="application/json"
    )
    empty = client.post(url, data=json.dumps({"note": "  "}), content_type="application/json")
    assert (sent.status_code, again.status_code, empty.status_code) == (201, 409, 400)
    assert "note" in empty.json()["fields"]
    for person in (m.mentor, m.mentee):
        assert person.notifications.filter(body="Shall we talk?").count() == 1
    assert client.post(f"/api/mentorships/{m.pk}/health/rematch").status_code == 201
    assert m.mentee.notifications.filter(title__contains="suggests a new match").exists()
    assert not m.mentor.notifications.filter(title__contains="suggests a new match").exists()
    kinds = set(Intervention.objects.filter(mentorship=m).values_list("kind", flat=True))
    assert {InterventionKind.MESSAGE_TO_PAIR, InterventionKind.REMATCH_PROPOSED} <= kinds


def test_the_page_filters_by_state_reason_and_name(client, world):
    now = timezone.now()
    m, admin = world["m"], world["admin"]
    fine = started(now, program=m.program)
    held(fine, now - timedelta(days=2))
    health_refresh(mentorships=[fine], now=now)
    client.force_login(admin)
    base = f"/feedback/programs/{m.program_id}/health/"

    def names(query):
        return client.get(base + query).content.decode()

    everyone = names("")
    assert everyone.index(m.mentee.display_name) < everyone.index(fine.mentee.display_name)
    assert fine.mentee.display_name not in names("?state=stalled")
    assert fine.mentee.display_name not in names("?reason=missed_periods")
    assert m.mentee.display_name in names("?reason=missed_periods")
    assert m.mentee.display_name not in names(f"?q={fine.mentee.email}")


def test_a_check_in_sent_by_an_admin_points_both_to_their_check_ins(client, world):
    m = world["m"]
    client.force_login(world["admin"])
    assert client.post(f"/api/mentorships/{m.pk}/health/checkin").status_code == 201
    assert client.post(f"/api/mentorships/{m.pk}/health/checkin").status_code == 409
    for person in (m.mentor, m.mentee):
        sent = person.notifications.get(kind="checkin_due")
        assert sent.url == "/feedback/checkins/"


def test_a_check_in_sent_by_an_admin_is_one_pulse_to_answer_for_each_side(client, world):
    m = world["m"]
    waiting = CheckIn.objects.create(
        mentorship=m,
        author=m.mentor,
        kind=CheckInKind.PULSE,
        sequence=3,
        questions=[],
        due_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(world["admin"])
    assert client.post(f"/api/mentorships/{m.pk}/health/checkin").status_code == 201
    asked = CheckIn.objects.filter(mentorship=m).exclude(pk=waiting.pk).get()
    # The mentor still has a pulse waiting, so only the mentee gets a new one: the next number.
    assert (asked.author, asked.kind, asked.sequence) == (m.mentee, CheckInKind.PULSE, 4)
    assert asked.questions and asked.answered_at is None
    assert asked.due_at > timezone.now() - timedelta(minutes=1)
    # The admin's notice was its reminder: the reminder job sends nothing more.
    notices = m.mentee.notifications.count()
    checkin_reminders_send(timezone.now() + timedelta(minutes=5))
    assert m.mentee.notifications.count() == notices


def test_an_old_unanswered_review_does_not_stop_the_pulse_an_admin_asks_for(client, world):
    m = world["m"]
    CheckIn.objects.create(
        mentorship=m,
        author=m.mentee,
        kind=CheckInKind.MIDPOINT,
        sequence=0,
        questions=[],
        due_at=timezone.now() - timedelta(days=40),
    )
    client.force_login(world["admin"])
    assert client.post(f"/api/mentorships/{m.pk}/health/checkin").status_code == 201
    asked = CheckIn.objects.filter(mentorship=m, kind=CheckInKind.PULSE)
    assert set(asked.values_list("author_id", flat=True)) == {m.mentor.pk, m.mentee.pk}


def test_the_pages_actions_come_back_with_what_happened(client, world):
    m = world["m"]
    client.force_login(world["admin"])
    back = f"/feedback/programs/{m.program_id}/health/?state=stalled"
    sent = client.post(f"/feedback/mentorships/{m.pk}/health/checkin/", {"next": back})
    assert sent.status_code == 302 and sent["Location"] == back
    again = client.post(
        f"/feedback/mentorships/{m.pk}/health/checkin/", {"next": back}, follow=True
    )
    assert "already sent" in again.content.decode()
    form = client.post(f"/feedback/mentorships/{m.pk}/health/note/", {"note": ""})
    assert form.status_code == 200 and "This field is required" in form.content.decode()
    note = client.post(f"/feedback/mentorships/{m.pk}/health/note/", {"note": "Hello both"})
    assert note.status_code == 302
    rematch = client.post(f"/feedback/mentorships/{m.pk}/health/rematch/")
    assert rematch["Location"] == f"/programs/{m.program.slug}/match-runs/"
