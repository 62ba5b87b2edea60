"""Meeting times on the days the clocks change (review: 02:30 on the spring-forward day in
Europe/Berlin was quietly scheduled at 03:30). A time typed on the page that the clocks skip
is refused on ``time``; one they show twice is the first, and the page says which; an
occurrence of a series that a clock change moves says so on its page.

The API takes instants with their UTC offset (``NO_OFFSET`` otherwise), which always exist,
so it has nothing to refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships import services
from tandem.mentorships.models import Meeting
from tandem.programs.models import Role
from tests.mentorships.factories import member, mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db
SKIPPED = (
    "02:30 does not exist on 29 Mar 2026 in Europe/Berlin: clocks go forward an hour; pick "
    "another time."
)
TWICE = (
    "02:30 happens twice on 25 Oct 2026 in Europe/Berlin (clocks go back an hour): the "
    "meeting is at the first, 02:30 CEST (UTC+02:00), before the clocks go back."
)
MOVED = (
    "02:30 does not exist on 29 Mar 2026 in Europe/Berlin (clocks go forward an hour), so "
    "this meeting of the series is at 03:30 there instead."
)


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the clock at ``moment`` (UTC)."""

    def freeze(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture
def berlin():
    """A pair whose mentor reads and types times in Europe/Berlin."""
    program = ProgramFactory()
    return mentorship(
        program=program, mentor=member(program, Role.MENTOR, timezone="Europe/Berlin")
    )


def _form(day: str, at: str, **extra) -> dict:
    return {"date": day, "time": at, "duration_minutes": 45, "format": "call", **extra}


def test_a_time_the_clocks_skip_is_refused_on_time_and_nothing_is_made(client, frozen, berlin):
    frozen(datetime(2026, 3, 20, 12, tzinfo=UTC))
    client.force_login(berlin.mentor)
    response = client.post(reverse("meeting_new", args=[berlin.pk]), _form("2026-03-29", "02:30"))
    assert response.status_code == 200
    assert response.context["form"].errors["time"] == [SKIPPED]
    assert SKIPPED in response.content.decode()
    assert not Meeting.objects.filter(mentorship=berlin).exists()
    # The hour after is there, and is what it says.
    response = client.post(reverse("meeting_new", args=[berlin.pk]), _form("2026-03-29", "03:30"))
    assert response.status_code == 302
    assert Meeting.objects.get(mentorship=berlin).starts_at == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )


def test_a_series_starting_at_a_skipped_time_is_refused_too(client, frozen, berlin):
    frozen(datetime(2026, 3, 20, 12, tzinfo=UTC))
    client.force_login(berlin.mentor)
    url = reverse("meeting_new", args=[berlin.pk])
    response = client.post(url, _form("2026-03-29", "02:30", repeat="weekly", count=3))
    assert response.context["form"].errors["time"] == [SKIPPED]
    assert not Meeting.objects.filter(mentorship=berlin).exists()


def test_moving_a_meeting_to_a_skipped_time_is_refused_and_it_stays(client, frozen, berlin):
    frozen(datetime(2026, 3, 20, 12, tzinfo=UTC))
    start = datetime(2026, 3, 27, 9, tzinfo=UTC)
    meeting = services.meeting_schedule(
        user=berlin.mentor,
        mentorship_id=berlin.pk,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        format="call",
    )
    client.force_login(berlin.mentor)
    url = reverse("meeting_reschedule", args=[meeting.pk])
    response = client.post(url, _moved_to(client, url, "2026-03-29", "02:30"))
    assert response.status_code == 200
    assert response.context["form"].errors["time"] == [SKIPPED]
    meeting.refresh_from_db()
    assert meeting.starts_at == start


def test_a_time_shown_twice_is_the_first_and_the_page_says_which(client, frozen, berlin):
    frozen(datetime(2026, 10, 20, 12, tzinfo=UTC))
    client.force_login(berlin.mentor)
    response = client.post(
        reverse("meeting_new", args=[berlin.pk]), _form("2026-10-25", "02:30"), follow=True
    )
    meeting = Meeting.objects.get(mentorship=berlin)
    assert meeting.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert TWICE in [str(m) for m in response.context["messages"]]
    # Moved there (from a day later), the same.
    url = reverse("meeting_reschedule", args=[meeting.pk])
    client.post(url, _moved_to(client, url, "2026-10-26", "02:30"))
    response = client.post(url, _moved_to(client, url, "2026-10-25", "02:30"), follow=True)
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert TWICE in [str(m) for m in response.context["messages"]]


def _moved_to(client, url: str, day: str, at: str) -> dict:
    """The reschedule form as the page shows it, with a new date and time."""
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(date=day, time=at)
    return data


def test_a_series_occurrence_the_clocks_move_says_so_on_creation_and_on_its_page(
    client, frozen, berlin
):
    frozen(datetime(2026, 3, 20, 12, tzinfo=UTC))
    client.force_login(berlin.mentor)
    response = client.post(
        reverse("meeting_new", args=[berlin.pk]),
        _form("2026-03-22", "02:30", repeat="weekly", count=3),
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]][1:] == [MOVED]
    first, moved, third = Meeting.objects.filter(mentorship=berlin).order_by("starts_at")
    assert moved.starts_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert third.starts_at == datetime(2026, 4, 5, 0, 30, tzinfo=UTC)  # 02:30 CEST again
    assert MOVED in client.get(reverse("meeting_detail", args=[moved.pk])).content.decode()
    for other in (first, third):
        page = client.get(reverse("meeting_detail", args=[other.pk])).content.decode()
        assert "does not exist" not in page


def test_the_forms_name_the_zone_they_read_a_typed_time_in(client, berlin):
    """UX review: "In your time zone." under Start time, on a profile never given one, left
    which clock the form reads a guess."""
    start = timezone.now() + timedelta(days=3)
    meeting = services.meeting_schedule(
        user=berlin.mentor,
        mentorship_id=berlin.pk,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        format="call",
    )
    client.force_login(berlin.mentor)
    said = "In your time zone, Europe/Berlin (set on your profile)."
    for url in (
        reverse("meeting_new", args=[berlin.pk]),
        reverse("meeting_reschedule", args=[meeting.pk]),
    ):
        assert said in client.get(url).content.decode(), url
