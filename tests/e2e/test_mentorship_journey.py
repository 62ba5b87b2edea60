"""A mentee asks, the mentor accepts, both sign, they schedule a biweekly series, add an
action item, and the mentee downloads the series as an .ics calendar file."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role

PASSWORD = "journey-pass-2931"


def person(email: str, first: str, tz: str) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first, last_name="Example"
    )
    Profile.objects.update_or_create(user=user, defaults={"timezone": tz})
    return user


def log_in(page, email: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_mentorship_journey(page, live_server, tmp_path):
    # A cohort program that also takes direct requests: the journey starts with one.
    program = Program.objects.create(
        name="Speakers' Circle",
        slug="speakers-circle",
        default_cadence="biweekly",
        allow_direct_requests=True,
    )
    mentor = person("mira.mentor@example.org", "Mira", "Europe/London")
    mentee = person("theo.mentee@example.org", "Theo", "America/New_York")
    Enrolment.objects.create(
        program=program, person=mentor, role=Role.MENTOR, status=EnrolmentStatus.ACTIVE, capacity=2
    )
    Enrolment.objects.create(
        program=program, person=mentee, role=Role.MENTEE, status=EnrolmentStatus.ACTIVE
    )

    # The mentee asks.
    log_in(page, mentee.email)
    page.goto(f"/mentorships/requests/new/?program={program.pk}&to={mentor.pk}")
    page.fill("textarea[name=message]", "I want to give my first conference talk this year.")
    page.click("text=Send request")
    page.wait_for_selector("text=Request sent")

    # The mentor accepts and proposes the agreement, then signs it.
    mentor_context = page.context.browser.new_context(base_url=live_server.url)
    mentor_page = mentor_context.new_page()
    mentor_page.set_default_timeout(10_000)
    log_in(mentor_page, mentor.email)
    mentor_page.goto("/mentorships/requests/")
    mentor_page.click("text=Read and decide")
    mentor_page.click("button:has-text('Accept')")
    mentor_page.wait_for_selector("h1:has-text('Mentoring Theo')")
    # A new agreement has empty parts, so completing it comes first (live review F30).
    mentor_page.click("text=Complete the agreement")
    mentor_page.fill("input[name=objective_1_goal]", "Give a conference talk")
    mentor_page.fill("input[name=objective_1_measure]", "A talk accepted at a conference")
    mentor_page.click("text=Save version")
    mentor_page.click("button:has-text('Sign version 2')")
    mentor_page.wait_for_selector("text=takes effect when your partner signs")
    mentorship_url = mentor_page.url

    # The mentee signs on the mentorship page, where the agreement comes first: it is active.
    page.goto(mentorship_url)
    page.click("button:has-text('Sign version 2')")
    page.wait_for_selector("text=is now in effect")
    assert page.locator(".badge", has_text="Active").first.is_visible()

    # The mentee schedules a biweekly series.
    page.click("text=Schedule a meeting >> visible=true")  # the phone jump bar has one too
    day = timezone.localdate() + timedelta(days=3)
    page.fill("input[name=date]", day.isoformat())
    page.fill("input[name=time]", "10:00")
    page.select_option("select[name=repeat]", "biweekly")
    page.fill("input[name=count]", "4")
    page.click("main button:has-text('Schedule')")
    page.wait_for_selector("h1:has-text('Meeting on')")

    # An action item from the meeting.
    page.fill("#meeting-actions input[name=description]", "Send the talk abstract")
    page.click("#meeting-actions button:has-text('Add action item')")
    page.wait_for_selector("#meeting-actions >> text=Send the talk abstract")

    # htmx in place, by keyboard: add an agenda item, then tick the action item off.
    page.fill("#agenda input[name=text]", "Feedback on my abstract")
    page.press("#agenda input[name=text]", "Enter")
    page.wait_for_selector("#agenda-list >> text=Feedback on my abstract")
    assert page.input_value("#agenda input[name=text]") == ""
    done = page.locator("#meeting-actions button", has_text="Mark done")
    done.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#meeting-actions button:has-text('Reopen')")

    # The .ics download carries the series rule.
    with page.expect_download() as info:
        page.click("text=Download .ics")
    path = tmp_path / "meeting.ics"
    info.value.save_as(path)
    calendar = Calendar.from_ical(path.read_bytes())
    event = calendar.walk("VEVENT")[0]
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert event["RRULE"]["INTERVAL"] == [2]
    assert event["RRULE"]["COUNT"] == [4]
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (10, 0)
    assert str(start.tzinfo) == "America/New_York" or "New_York" in str(event["DTSTART"].params)

    # The mentor sees it on their dashboard.
    mentor_page.goto("/")
    mentor_page.wait_for_selector("#upcoming-heading")
    assert mentor_page.locator("text=with Theo").count() >= 1
    mentor_context.close()
