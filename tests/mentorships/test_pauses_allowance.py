"""What the review found (issue #12): pauses chained back to back are capped, a pause ends
by the mentorship's end date, ending a pause twice tells the partner once, a closed
mentorship's pause is left alone, "today" is the declarer's, and a numeric date is refused in
plain words."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.core.api_types import DATE_FORMAT
from tandem.core.exceptions import ApplicationError, NotFound
from tandem.mentorships import services
from tandem.mentorships.models import Mentorship, MentorshipPause, MentorshipState
from tandem.mentorships.selectors import pauses as selector
from tandem.mentorships.services.pauses import (
    PAUSE_IN_THE_PAST,
    PAUSE_TOO_MANY,
    paused_days_in_busiest_year,
)
from tandem.notify.models import Notification
from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db


def today():
    return timezone.now().date()


def declare(m, starts: int, ends: int, user=None):
    return services.mentorship_pause_declare(
        user=user or m.mentor,
        mentorship_id=m.pk,
        starts_on=today() + timedelta(days=starts),
        ends_on=today() + timedelta(days=ends),
    )


def long_pair() -> Mentorship:
    return mentorship(ends_on=today() + timedelta(days=700))


class TestAllowance:
    def test_back_to_back_pauses_are_refused_once_a_quarter_of_a_year_is_paused(self):
        """The reviewer's chain: [today, +92) then [+92, +184) from one side."""
        m = long_pair()
        declare(m, 0, 92)
        with pytest.raises(ApplicationError) as refused:
            declare(m, 92, 184)
        assert refused.value.message == PAUSE_TOO_MANY
        assert refused.value.status == 409
        assert MentorshipPause.objects.filter(mentorship=m).count() == 1

    def test_either_side_draws_on_the_same_allowance(self):
        m = long_pair()
        declare(m, 0, 60, user=m.mentor)
        with pytest.raises(ApplicationError, match="At most 92 days"):
            declare(m, 100, 140, user=m.mentee)
        declare(m, 100, 132, user=m.mentee)  # exactly 92 days in the year

    def test_a_year_later_the_allowance_is_back(self):
        m = long_pair()
        MentorshipPause.objects.create(
            mentorship=m,
            declared_by=m.mentee,
            starts_on=today() - timedelta(days=400),
            ends_on=today() - timedelta(days=308),
        )
        declare(m, 0, 60)

    def test_past_pauses_count(self):
        m = long_pair()
        MentorshipPause.objects.create(
            mentorship=m,
            declared_by=m.mentee,
            starts_on=today() - timedelta(days=80),
            ends_on=today() - timedelta(days=10),
        )
        with pytest.raises(ApplicationError, match="At most 92 days"):
            declare(m, 0, 30)
        declare(m, 0, 22)

    def test_a_pause_ends_by_the_mentorships_end_date(self):
        m = mentorship(ends_on=today() + timedelta(days=20))
        with pytest.raises(ApplicationError, match="agreed end date") as refused:
            declare(m, 0, 21)
        assert "ends_on" in refused.value.fields
        declare(m, 0, 20)

    def test_the_busiest_year_is_found_wherever_it_starts(self):
        day = today()
        spans = [
            (day, day + timedelta(days=50)),
            (day + timedelta(days=300), day + timedelta(days=350)),
            (day + timedelta(days=600), day + timedelta(days=650)),
        ]
        assert paused_days_in_busiest_year(spans) == 100
        assert paused_days_in_busiest_year([]) == 0


class TestEnding:
    def test_ending_twice_tells_the_partner_once(self):
        m = long_pair()
        pause = MentorshipPause.objects.create(
            mentorship=m,
            declared_by=m.mentor,
            starts_on=today() - timedelta(days=3),
            ends_on=today() + timedelta(days=10),
        )
        services.mentorship_pause_end(user=m.mentor, pause_id=pause.pk)
        services.mentorship_pause_end(user=m.mentee, pause_id=pause.pk)
        assert Notification.objects.filter(recipient=m.mentee).count() == 1
        assert Notification.objects.filter(recipient=m.mentor).count() == 0
        pause.refresh_from_db()
        assert pause.ends_on == today()

    def test_withdrawing_twice_is_a_404_and_tells_nobody_again(self):
        m = long_pair()
        pause = declare(m, 5, 10)
        assert services.mentorship_pause_end(user=m.mentor, pause_id=pause.pk) is None
        told = Notification.objects.filter(recipient=m.mentee).count()
        with pytest.raises(NotFound):
            services.mentorship_pause_end(user=m.mentor, pause_id=pause.pk)
        assert Notification.objects.filter(recipient=m.mentee).count() == told

    @pytest.mark.parametrize("state", [MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY])
    def test_a_pause_of_a_mentorship_no_longer_active_is_a_409(self, client, state):
        m = long_pair()
        pause = declare(m, 5, 10)
        Mentorship.objects.filter(pk=m.pk).update(state=state)
        before = Notification.objects.count()
        client.force_login(m.mentee)
        response = client.post(f"/api/mentorships/pauses/{pause.pk}/end")
        assert response.status_code == 409
        assert MentorshipPause.objects.filter(pk=pause.pk).exists()
        assert Notification.objects.count() == before

    def test_the_pause_is_read_after_its_mentorship_is_locked(self):
        """Finding 8: a request that waited on the mentorship's lock sees what the request
        before it left (here, that one shortens the pause while the lock is taken)."""
        m = long_pair()
        pause = declare(m, 5, 10)
        real = selector.access_mentorship
        shortened = today() + timedelta(days=9)

        def lock_then_the_other_request_commits(**kwargs):
            found = real(**kwargs)
            MentorshipPause.objects.filter(pk=pause.pk).update(ends_on=shortened)
            return found

        with (
            transaction.atomic(),
            mock.patch.object(selector, "access_mentorship", lock_then_the_other_request_commits),
        ):
            found = selector.access_pause(user=m.mentor, pause_id=pause.pk, for_update=True)
        assert found.ends_on == shortened


class TestTimeZone:
    def _zone(self, user, name):
        user.profile.timezone = name
        user.profile.save(update_fields=["timezone"])

    def test_today_is_the_declarers_date(self):
        """At 03:00 UTC it is still yesterday in Los Angeles: a pause from there starts on
        the local date, and the local yesterday is not refused as "days gone"."""
        m = long_pair()
        self._zone(m.mentor, "America/Los_Angeles")
        moment = timezone.now().replace(hour=3, minute=0, second=0, microsecond=0)
        local = (moment - timedelta(hours=9)).date()
        with mock.patch("django.utils.timezone.now", return_value=moment):
            pause = services.mentorship_pause_declare(
                user=m.mentor, mentorship_id=m.pk, ends_on=local + timedelta(days=7)
            )
        assert pause.starts_on == local == moment.date() - timedelta(days=1)

    def test_a_day_already_gone_where_the_declarer_is_is_refused(self):
        m = long_pair()
        self._zone(m.mentor, "Pacific/Kiritimati")  # UTC+14
        moment = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
        with (
            mock.patch("django.utils.timezone.now", return_value=moment),
            pytest.raises(ApplicationError) as refused,
        ):
            services.mentorship_pause_declare(
                user=m.mentor,
                mentorship_id=m.pk,
                starts_on=moment.date(),
                ends_on=moment.date() + timedelta(days=7),
            )
        assert refused.value.message == PAUSE_IN_THE_PAST

    def test_the_page_says_which_time_zone_today_is_in(self, client):
        m = long_pair()
        self._zone(m.mentee, "Europe/Paris")
        client.force_login(m.mentee)
        page = client.get(reverse("mentorship_pauses", args=[m.pk])).content.decode()
        assert "Today (Europe/Paris time) when left empty." in page


class TestApiDates:
    @pytest.mark.parametrize("value", [123, 1.5, "123", "2027-01-01T00:00:00Z", True])
    def test_a_date_that_is_not_yyyy_mm_dd_is_refused_naming_the_field(self, client, value):
        m = long_pair()
        client.force_login(m.mentor)
        response = client.post(
            f"/api/mentorships/{m.pk}/pauses",
            json.dumps({"ends_on": value}),
            content_type="application/json",
        )
        assert 400 <= response.status_code < 500
        body = response.content.decode()
        assert "ends_on" in body and DATE_FORMAT in body
        assert not MentorshipPause.objects.exists()

    def test_an_iso_date_still_works(self, client):
        m = long_pair()
        client.force_login(m.mentor)
        back = (today() + timedelta(days=7)).isoformat()
        response = client.post(
            f"/api/mentorships/{m.pk}/pauses",
            json.dumps({"ends_on": back}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["ends_on"] == back
