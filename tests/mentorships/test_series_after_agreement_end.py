"""Regression (pages review, live on PostgreSQL): on the schedule page, where the repeat is
preselected from the agreement's cadence, a first meeting after the agreement's end date was
refused with "The series must end after its first meeting." on top of the form, on a field
("until") the page does not have, naming nothing to change. It now says so on the number of
meetings, with the agreement's end date."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.core.templatetags.readable_dates import day_in
from tandem.mentorships.models import Meeting, Mentorship
from tandem.mentorships.services import meetings as M
from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db


def _after_the_end(ends_on: date):
    return timezone.make_aware(
        timezone.datetime.combine(ends_on + timedelta(days=7), timezone.datetime.min.time())
    ).replace(hour=10)


def _weekly_after_the_end(
    *, until_before_start: bool = False
) -> tuple[Mentorship, ApplicationError]:
    """A weekly series asked to start a week after the agreement's end (with
    ``until_before_start``, to end the day before it starts): the error, nothing scheduled."""
    m = mentorship(ends_on=timezone.localdate() + timedelta(days=20))
    starts_at = _after_the_end(m.ends_on)
    with pytest.raises(ApplicationError) as raised:
        M.meeting_schedule(
            user=m.mentee,
            mentorship_id=m.pk,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=45),
            format="video",
            repeat="weekly",
            until=starts_at.date() - timedelta(days=1) if until_before_start else None,
        )
    assert not Meeting.objects.filter(mentorship=m).exists()
    return m, raised.value


def test_the_service_names_the_count_and_the_agreements_end():
    m, error = _weekly_after_the_end()
    message = M.AGREEMENT_ENDS_FIRST.format(end=day_in(m.ends_on))
    assert error.fields == {"count": message}


def test_an_end_date_chosen_before_the_start_keeps_its_own_message():
    _, error = _weekly_after_the_end(until_before_start=True)
    assert error.fields == {"until": M.UNTIL_BEFORE_START}


def test_the_page_shows_it_on_the_number_of_meetings(client):
    m = mentorship(ends_on=timezone.localdate() + timedelta(days=20))
    client.force_login(m.mentee)
    day = m.ends_on + timedelta(days=7)
    response = client.post(
        reverse("meeting_new", args=[m.pk]),
        {
            "date": day.isoformat(),
            "time": "10:00",
            "duration_minutes": "45",
            "format": "video",
            "repeat": "weekly",
            "count": "",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["count"] == [M.AGREEMENT_ENDS_FIRST.format(end=day_in(m.ends_on))]
    assert "__all__" not in form.errors
    assert not Meeting.objects.filter(mentorship=m).exists()
