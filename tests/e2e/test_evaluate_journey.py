"""Issue #12 end to end in Chromium: after their first meeting the mentor and the mentee each
answer the fit check in their own browser, see things differently and both get the prompt to
talk about expectations; weeks later nothing has happened, the daily health sweep marks the
pair stalled, and the program's admin finds them first on the health page and proposes a
re-match."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import CheckIn, CheckInKind, Divergence, Intervention, InterventionKind
from tandem.feedback.questions import DEFAULT_QUESTIONS
from tandem.feedback.services.health import health_sweep_daily
from tandem.mentorships.models import Mentorship
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.e2e.test_mentorship_journey import log_in, person
from tests.mentorships.factories import member, mentorship
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer_fit(page, checkin: CheckIn, fit: str, clear: str) -> None:
    page.goto("/feedback/checkins/")
    page.get_by_role("link", name="First-meeting fit check").first.click()
    page.get_by_role("group", name="How good a fit is this pairing?").get_by_label(fit).check()
    page.get_by_role("group", name="Are your expectations of each other clear?").get_by_label(
        clear
    ).check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    checkin.refresh_from_db()
    assert checkin.answered_at is not None


def test_a_pair_diverges_is_prompted_and_the_admin_proposes_a_rematch(chromium, live_server):
    program = ProgramFactory(name="Data Guild")
    mentor = person("mira.fit@example.org", "Mira", "Europe/London")
    mentee = person("theo.fit@example.org", "Theo", "America/New_York")
    admin = person("ada.admin@example.org", "Ada", "Europe/Berlin")
    for someone, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE), (admin, Role.ADMIN)):
        EnrolmentFactory(program=program, person=someone, role=role)
    pair = mentorship(program=program, mentor=mentor, mentee=mentee)
    member(program, Role.MENTOR)  # someone else to be matched with
    due = timezone.now() - timedelta(hours=1)
    asked = {
        who: CheckIn.objects.create(
            mentorship=pair,
            author=who,
            kind=CheckInKind.FIRST_MEETING,
            questions=DEFAULT_QUESTIONS[CheckInKind.FIRST_MEETING],
            due_at=due,
        )
        for who in (mentor, mentee)
    }

    def browser_as(email):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        log_in(page, email)
        return context, page

    mentor_context, mentor_page = browser_as(mentor.email)
    _answer_fit(mentor_page, asked[mentor], "5", "Yes")
    mentee_context, mentee_page = browser_as(mentee.email)
    _answer_fit(mentee_page, asked[mentee], "1", "No")

    divergence = Divergence.objects.get(mentorship=pair)
    assert set(divergence.topics) == {"fit", "expectations_clear"}
    for who, page in ((mentor, mentor_page), (mentee, mentee_page)):
        assert Notification.objects.filter(recipient=who, kind="checkin_divergence").count() == 1
        page.goto("/notifications/")
        page.get_by_text("differently", exact=False).first.wait_for()
    mentor_context.close()
    mentee_context.close()

    # Ten weeks on with no meeting and no message: the daily sweep finds them stalled.
    Mentorship.objects.filter(pk=pair.pk).update(activated_at=timezone.now() - timedelta(weeks=10))
    health_sweep_daily(timezone.now())
    admin_context, admin_page = browser_as(admin.email)
    admin_page.goto(f"/feedback/programs/{program.pk}/health/")
    first_row = admin_page.locator("main").get_by_text("Stalled").first
    first_row.wait_for()
    admin_page.get_by_role("button", name=f"Propose a re-match for {mentee.display_name}").click()
    admin_page.wait_for_load_state()
    assert (
        Intervention.objects.filter(mentorship=pair, kind=InterventionKind.REMATCH_PROPOSED).count()
        == 1
    )
    assert Notification.objects.filter(recipient=mentee, title__contains="new match").exists()
    admin_context.close()
