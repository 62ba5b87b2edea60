"""Declared pauses: one of the pair says "we are pausing until <date>"; the pair and the
program's admins read the dates; nobody can pause a closed mentorship or cover days gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships import services
from tandem.mentorships.models import MentorshipEvent, MentorshipPause, MentorshipState
from tandem.mentorships.services.pauses import (
    PAUSE_ENDS_FIRST,
    PAUSE_IN_THE_PAST,
    PAUSE_NOT_ACTIVE,
    PAUSE_OVERLAPS,
    PAUSE_TOO_LONG,
)
from tandem.notify.models import Notification
from tests.mentorships.factories import call, mentorship, non_participants

pytestmark = pytest.mark.django_db


def today():
    return timezone.now().date()


@pytest.fixture
def world():
    m = mentorship()
    return {"m": m, **non_participants(m)}


class TestDeclare:
    def test_one_of_the_pair_pauses_from_today_and_the_other_is_told(self, world):
        m = world["m"]
        back = today() + timedelta(days=14)
        pause = services.mentorship_pause_declare(user=m.mentee, mentorship_id=m.pk, ends_on=back)
        assert (pause.starts_on, pause.ends_on, pause.declared_by) == (today(), back, m.mentee)
        told = Notification.objects.get(recipient=m.mentor)
        assert "paused your mentorship" in told.title
        assert not Notification.objects.filter(recipient=m.mentee).exists()
        assert MentorshipEvent.objects.filter(mentorship=m, kind="pause_declared").exists()

    def test_a_pause_planned_for_later_says_when_it_starts(
        self, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        m = world["m"]
        starts, back = today() + timedelta(days=30), today() + timedelta(days=39)
        with django_capture_on_commit_callbacks(execute=True):
            services.mentorship_pause_declare(
                user=m.mentee, mentorship_id=m.pk, starts_on=starts, ends_on=back
            )
        told = Notification.objects.get(recipient=m.mentor)
        dates = day_in(starts), day_in(back)
        assert told.title == (
            f"{m.mentee.display_name} paused your mentorship from {dates[0]} to {dates[1]}"
        )
        assert told.body == (
            f"Meetings you miss between {dates[0]} and {dates[1]} do not count against your "
            "mentorship's health."
        )
        (email,) = mailoutbox
        assert email.subject == told.title and email.body.startswith(told.body)

    @pytest.mark.parametrize(
        ("starts", "ends", "message"),
        [
            (-1, 10, PAUSE_IN_THE_PAST),
            (0, 0, PAUSE_ENDS_FIRST),
            (5, 3, PAUSE_ENDS_FIRST),
            (0, 93, PAUSE_TOO_LONG),
        ],
    )
    def test_dates_that_are_refused_say_what_to_change(self, world, starts, ends, message):
        m = world["m"]
        with pytest.raises(ApplicationError) as refused:
            services.mentorship_pause_declare(
                user=m.mentor,
                mentorship_id=m.pk,
                starts_on=today() + timedelta(days=starts),
                ends_on=today() + timedelta(days=ends),
            )
        assert refused.value.message == message
        assert not MentorshipPause.objects.exists()

    def test_overlapping_pauses_are_refused(self, world):
        m = world["m"]
        services.mentorship_pause_declare(
            user=m.mentor, mentorship_id=m.pk, ends_on=today() + timedelta(days=10)
        )
        with pytest.raises(ApplicationError) as refused:
            services.mentorship_pause_declare(
                user=m.mentee,
                mentorship_id=m.pk,
                starts_on=today() + timedelta(days=9),
                ends_on=today() + timedelta(days=20),
            )
        assert (refused.value.message, refused.value.status) == (PAUSE_OVERLAPS, 409)
        services.mentorship_pause_declare(  # back to back is fine
            user=m.mentee,
            mentorship_id=m.pk,
            starts_on=today() + timedelta(days=10),
            ends_on=today() + timedelta(days=20),
        )
        assert MentorshipPause.objects.count() == 2

    @pytest.mark.parametrize("state", [MentorshipState.PROPOSED, MentorshipState.COMPLETED])
    def test_only_an_active_mentorship_pauses(self, state):
        m = mentorship(state=state)
        with pytest.raises(ApplicationError) as refused:
            services.mentorship_pause_declare(
                user=m.mentor, mentorship_id=m.pk, ends_on=today() + timedelta(days=7)
            )
        assert refused.value.status == 409
        assert (refused.value.message == PAUSE_NOT_ACTIVE) == (state == MentorshipState.PROPOSED)

    @pytest.mark.parametrize("who", ["admin", "stranger", "same_program"])
    def test_nobody_outside_the_pair_pauses(self, world, who):
        with pytest.raises(NotFound):
            services.mentorship_pause_declare(
                user=world[who], mentorship_id=world["m"].pk, ends_on=today() + timedelta(days=7)
            )


class TestEnd:
    def test_a_running_pause_ends_today(self, world):
        m = world["m"]
        pause = services.mentorship_pause_declare(
            user=m.mentor, mentorship_id=m.pk, ends_on=today() + timedelta(days=10)
        )
        MentorshipPause.objects.filter(pk=pause.pk).update(starts_on=today() - timedelta(days=3))
        ended = services.mentorship_pause_end(user=m.mentee, pause_id=pause.pk)
        assert ended is not None and ended.ends_on == today()

    def test_a_pause_not_begun_is_withdrawn(self, world):
        m = world["m"]
        pause = services.mentorship_pause_declare(
            user=m.mentor,
            mentorship_id=m.pk,
            starts_on=today() + timedelta(days=3),
            ends_on=today() + timedelta(days=10),
        )
        assert services.mentorship_pause_end(user=m.mentor, pause_id=pause.pk) is None
        assert not MentorshipPause.objects.exists()

    @pytest.mark.parametrize("who", ["admin", "stranger", "same_program"])
    def test_nobody_outside_the_pair_ends_one(self, world, who):
        m = world["m"]
        pause = services.mentorship_pause_declare(
            user=m.mentor, mentorship_id=m.pk, ends_on=today() + timedelta(days=10)
        )
        with pytest.raises(NotFound):
            services.mentorship_pause_end(user=world[who], pause_id=pause.pk)
        assert MentorshipPause.objects.get().ends_on == today() + timedelta(days=10)


class TestApi:
    def test_per_role(self, client, world):
        m = world["m"]
        url = f"/api/mentorships/{m.pk}/pauses"
        body = {"ends_on": (today() + timedelta(days=14)).isoformat()}
        assert call(client, "post", url, body=body).status_code == 401
        for who in ("admin", "stranger", "same_program"):
            assert call(client, "post", url, world[who], body).status_code == 404, who
        created = call(client, "post", url, m.mentor, body)
        assert created.status_code == 201, created.content
        assert created.json()["ends_on"] == body["ends_on"]
        for reader in (m.mentor, m.mentee, world["admin"]):
            listed = call(client, "get", url, reader)
            assert [p["id"] for p in listed.json()["items"]] == [created.json()["id"]]
        for who in ("stranger", "same_program"):
            assert call(client, "get", url, world[who]).status_code == 404, who
        end = f"/api/mentorships/pauses/{created.json()['id']}/end"
        assert call(client, "post", end, world["admin"]).status_code == 404
        ended = call(client, "post", end, m.mentee)
        assert ended.status_code == 200 and ended.json()["pause"] is None

    def test_a_refusal_names_the_field(self, client, world):
        m = world["m"]
        response = call(
            client,
            "post",
            f"/api/mentorships/{m.pk}/pauses",
            m.mentor,
            {
                "starts_on": (today() - timedelta(days=1)).isoformat(),
                "ends_on": today().isoformat(),
            },
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {"starts_on": PAUSE_IN_THE_PAST}


class TestPages:
    def test_per_role(self, client, world):
        m = world["m"]
        url = reverse("mentorship_pauses", args=[m.pk])
        assert client.get(url).status_code == 302  # to the sign-in page
        for who in ("stranger", "same_program"):
            client.force_login(world[who])
            assert client.get(url).status_code == 404, who
        client.force_login(world["admin"])
        page = client.get(url)
        assert page.status_code == 200 and b"Declare a pause" not in page.content
        client.force_login(m.mentee)
        assert b"Declare a pause" in client.get(url).content

    def test_the_form_declares_and_the_button_ends(self, client, world):
        m = world["m"]
        client.force_login(m.mentee)
        back = today() + timedelta(days=21)
        page = client.post(
            reverse("mentorship_pauses", args=[m.pk]), {"ends_on": back.isoformat()}, follow=True
        )
        pause = MentorshipPause.objects.get()
        assert (pause.starts_on, pause.ends_on, pause.declared_by) == (today(), back, m.mentee)
        assert day_in(back) in page.content.decode()
        client.force_login(world["admin"])
        refused = client.post(reverse("mentorship_pause_end", args=[pause.pk]))
        assert refused.status_code == 404 and MentorshipPause.objects.exists()
        client.force_login(m.mentor)
        client.post(reverse("mentorship_pause_end", args=[pause.pk]))
        assert not MentorshipPause.objects.exists()  # it had not begun: withdrawn

    def test_a_refused_date_is_shown_on_the_form(self, client, world):
        m = world["m"]
        client.force_login(m.mentor)
        page = client.post(
            reverse("mentorship_pauses", args=[m.pk]),
            {"ends_on": (today() + timedelta(days=200)).isoformat()},
        )
        assert page.status_code == 200
        assert escape(PAUSE_TOO_LONG) in page.content.decode()
        assert not MentorshipPause.objects.exists()
