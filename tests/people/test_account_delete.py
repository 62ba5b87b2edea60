"""Deleting one's own account (docs/people.md, *Deleting your account*): exactly what the page
and the docs promise is erased, what was shared stays for the other side as "a former member",
the other side of an open mentorship is told, and nobody can delete someone else's account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.mentorships.models import (
    CalendarFeed,
    Mentorship,
    MentorshipRequest,
    MentorshipState,
    PrivateNote,
    RequestState,
)
from tandem.mentorships.services import calendar_feed_ensure
from tandem.messaging.models import Message
from tandem.messaging.services import conversation_for_mentorship, message_send
from tandem.notify.models import Notification, NotificationPreference
from tandem.people.models import (
    FORMER_MEMBER,
    ApiToken,
    AvailabilityWindow,
    Identity,
    OfferedSkill,
    Profile,
    ProfileVector,
    Skill,
    User,
)
from tandem.people.services import api_token_create
from tandem.people.services.closing import PASSWORD_WRONG, account_delete
from tandem.programs.models import Enrolment, EnrolmentStatus, Role
from tests.mentorships.factories import ProgramFactory, RequestFactory, call, meeting, member
from tests.mentorships.factories import mentorship as make_mentorship
from tests.mentorships.test_lock_order import race, refusals, unexpected
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _person_with_everything():
    """A mentee with a full profile, background, token, feed, settings, a private note, an
    active mentorship with messages, and an open request in another program."""
    m = make_mentorship(state=MentorshipState.ACTIVE)
    person = m.mentee
    person.first_name, person.last_name = "Ada", "Lovelace"
    person.set_password(PASSWORD)
    person.save()
    Profile.objects.filter(user=person).update(headline="Engineer", goals="Speak", city="Leeds")
    profile = person.profile
    skill = Skill.objects.create(name="Go", slug="go")
    OfferedSkill.objects.create(profile=profile, skill=skill, label="Go")
    AvailabilityWindow.objects.create(profile=profile, weekday=0, start_minute=60, end_minute=120)
    ProfileVector.objects.create(profile=profile, field="goals", embedder="x", text_hash="h")
    Identity.objects.create(user=person, attributes=["x"], consented_at="2026-01-01T00:00Z")
    api_token_create(user=person, name="laptop")
    calendar_feed_ensure(user=person)
    NotificationPreference.objects.create(user=person, daily_digest=True)
    Notification.objects.create(recipient=person, kind="mentorship", title="Hello")
    PrivateNote.objects.create(meeting=meeting(m), author=person, body="mine only")
    conversation = conversation_for_mentorship(user=person, mentorship_id=m.pk)
    message_send(user=person, conversation_id=conversation.pk, body="Thanks!", client_id="c-1")
    other_program = ProgramFactory()
    Enrolment.objects.create(
        program=other_program, person=person, role=Role.MENTEE, status="active"
    )
    mentor = member(other_program, Role.MENTOR)
    request = RequestFactory(program=other_program, sender=person, recipient=mentor)
    return person, m, request


def test_everything_promised_is_erased_and_the_shared_records_stay():
    person, m, request = _person_with_everything()
    account_delete(user=person, password=PASSWORD)
    person = User.objects.get(pk=person.pk)
    assert person.display_name == FORMER_MEMBER
    assert not person.is_active and not person.has_usable_password()
    assert (person.first_name, person.last_name) == ("", "")
    assert "lovelace" not in person.email and "example.org" not in person.email
    profile = person.profile
    assert (profile.headline, profile.goals, profile.city) == ("", "", "")
    for model in (OfferedSkill, AvailabilityWindow, ProfileVector):
        assert not model.objects.filter(profile__user=person).exists()
    for model in (Identity, ApiToken, CalendarFeed, NotificationPreference):
        assert not model.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    assert not PrivateNote.objects.filter(author=person).exists()
    # Left every program; the request closed; the mentorship ended and the mentor was told.
    assert set(Enrolment.objects.filter(person=person).values_list("status", flat=True)) == {
        EnrolmentStatus.LEFT
    }
    assert MentorshipRequest.objects.get(pk=request.pk).state == RequestState.WITHDRAWN
    m = Mentorship.objects.get(pk=m.pk)
    assert m.state == MentorshipState.ENDED_EARLY
    told = Notification.objects.get(recipient=m.mentor, title__contains="has ended")
    assert "deleted their Tandem account" in told.body
    # Shared records stay, under the anonymous name.
    assert Message.objects.filter(sender=person, body="Thanks!").exists()


def test_the_other_side_reads_a_former_member(client):
    person, m, _ = _person_with_everything()
    account_delete(user=person, password=PASSWORD)
    client.force_login(m.mentor)
    page = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    assert FORMER_MEMBER in page
    assert "Lovelace" not in page


def test_the_person_can_no_longer_log_in_and_other_sessions_end(client):
    person, _, _ = _person_with_everything()
    email = person.email
    other = client.__class__()
    other.force_login(person)
    account_delete(user=person, password=PASSWORD)
    assert not client.login(username=email, password=PASSWORD)
    assert other.get(reverse("account")).status_code == 302  # signed out


def test_a_wrong_password_deletes_nothing():
    person, m, _ = _person_with_everything()
    with pytest.raises(ApplicationError) as refused:
        account_delete(user=person, password="not it")
    assert refused.value.fields == {"password": PASSWORD_WRONG}
    person.refresh_from_db()
    assert person.is_active and person.display_name == "Ada Lovelace"
    assert Mentorship.objects.get(pk=m.pk).state == MentorshipState.ACTIVE


def test_the_last_admin_of_a_program_is_refused_and_nothing_changes():
    program = ProgramFactory()
    admin = member(program, Role.ADMIN)
    admin.set_password(PASSWORD)
    admin.save()
    with pytest.raises(ApplicationError) as refused:
        account_delete(user=admin, password=PASSWORD)
    assert refused.value.status == 409 and program.name in refused.value.message
    admin.refresh_from_db()
    assert admin.is_active
    member(program, Role.ADMIN)  # with another admin it goes ahead
    account_delete(user=admin, password=PASSWORD)
    assert Enrolment.objects.get(person=admin).status == EnrolmentStatus.LEFT


def test_deleting_twice_changes_nothing_more():
    person, _, _ = _person_with_everything()
    account_delete(user=person, password=PASSWORD)
    before = Notification.objects.count()
    account_delete(user=person, password=PASSWORD)
    assert Notification.objects.count() == before


def test_the_page_asks_for_the_password_and_confirmation(client):
    person, m, _ = _person_with_everything()
    url = reverse("account_delete")
    assert client.get(url).status_code == 302  # log in first
    client.force_login(person)
    assert url in client.get(reverse("account")).content.decode()
    asked = client.get(url)
    assert asked.status_code == 200
    assert 'name="password"' in asked.content.decode()
    assert client.post(url, {"password": PASSWORD}).status_code == 200  # no confirm
    wrong = client.post(url, {"password": "nope", "confirm": "yes"})
    assert wrong.status_code == 400 and PASSWORD_WRONG in wrong.content.decode()
    empty = client.post(url, {"confirm": "yes"})
    assert empty.status_code == 400
    assert User.objects.get(pk=person.pk).is_active
    done = client.post(url, {"password": PASSWORD, "confirm": "yes"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("account_deleted")
    assert "Your account is deleted" in done.content.decode()
    assert not User.objects.get(pk=person.pk).is_active
    assert client.get(reverse("account")).status_code == 302  # signed out


def test_the_api(client):
    person, _, _ = _person_with_everything()
    url = "/api/people/me/delete"
    assert (
        client.post(url, {"password": PASSWORD}, content_type="application/json").status_code == 401
    )
    wrong = call(client, "post", url, person, {"password": "nope"})
    assert wrong.status_code == 400 and wrong.json()["fields"] == {"password": PASSWORD_WRONG}
    assert call(client, "post", url, person, {}).status_code == 422
    _, secret = api_token_create(user=person, name="script")
    headers = {"Authorization": f"Bearer {secret}"}
    client.logout()
    done = client.post(
        url, {"password": PASSWORD}, content_type="application/json", headers=headers
    )
    assert done.status_code == 204
    assert client.get("/api/people/me", headers=headers).status_code == 401
    assert not User.objects.get(pk=person.pk).is_active


def test_nobody_deletes_someone_elses_account(client):
    """No operation takes another person's id: an admin of their program (or anyone) can only
    delete their own account, with their own password."""
    person, m, _ = _person_with_everything()
    admin = member(m.program, Role.ADMIN)
    admin.set_password(PASSWORD)
    admin.save()
    for url in (f"/api/people/{person.pk}/delete", f"/api/people/{person.pk}"):
        response = call(client, "post", url, admin, {"password": PASSWORD})
        assert response.status_code in (404, 405)
    assert call(client, "delete", f"/api/people/{person.pk}", admin).status_code in (404, 405)
    client.force_login(admin)
    client.post(reverse("account_delete") + f"?user={person.pk}", {"password": PASSWORD})
    assert User.objects.get(pk=person.pk).is_active
    assert User.objects.get(pk=admin.pk).is_active  # no confirm: not even their own


@pytest.mark.django_db(transaction=True)
def test_two_deletes_at_once_delete_once(postgres_only):
    person, m, _ = _person_with_everything()
    outcomes = race(*(lambda: account_delete(user=person, password=PASSWORD) for _ in range(2)))
    assert unexpected(outcomes) == [] and refusals(outcomes) == []
    assert Notification.objects.filter(recipient=m.mentor, title__contains="has ended").count() == 1


def test_wrong_passwords_count_as_failed_log_ins_and_are_throttled(client, settings):
    """A session left open is no way to guess the password: each wrong one counts against the
    log-in's throttle, and once throttled even the right one is refused, nothing deleted."""
    settings.LOGIN_RATE_LIMIT = 3
    person, m, _ = _person_with_everything()
    for _ in range(3):
        with pytest.raises(ApplicationError) as refused:
            account_delete(user=person, password="not it", ip="10.0.0.9")
        assert refused.value.status == 400
    with pytest.raises(ApplicationError) as refused:
        account_delete(user=person, password=PASSWORD, ip="10.0.0.9")
    assert refused.value.status == 429 and "password" in refused.value.fields
    client.force_login(person)
    page = client.post(
        reverse("account_delete"), {"confirm": "yes", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert page.status_code == 429
    person.refresh_from_db()
    assert person.is_active and not person.is_deleted
    assert Mentorship.objects.get(pk=m.pk).state == MentorshipState.ACTIVE
