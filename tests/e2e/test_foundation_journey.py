"""The foundation end to end in Chromium: a newcomer joins by invite link with a full profile,
and an admin imports a spreadsheet, fixes the one bad row it reports, and imports it."""

import re

import pytest

from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, ParticipantInvitation, Role
from tests.programs.factories import EnrolmentFactory, InvitationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """The import's check and write run as tasks: here, at once, when each request commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


PASSWORD = "correct-horse-battery-9"
GOOD_ROWS = (
    "ana@example.org,Ana Lima,mentee,Get better at data storytelling,en;pt,America/Sao_Paulo,"
    "Mon 09:00-11:00,\n"
    "ben@example.org,Ben Okafor,mentor,Data visualisation and dashboards,en,Africa/Lagos,"
    "Tue 14:00-16:00,2\n"
)
HEADER = "email,name,role,goals,languages,timezone,availability,capacity\n"


def log_in(page, email, password):
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_newcomer_signs_up_fills_profile_and_joins_by_invite(page):
    program = ProgramFactory(name="Data Guild Mentoring")
    invitation = InvitationFactory(program=program, role=Role.MENTEE, auto_approve=True)

    page.goto(f"/programs/join/{invitation.token}/")
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Email").fill("nia@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/signup/sent/"))
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/programs/join/"))

    page.goto("/profile/")
    page.get_by_label("Goals").fill("I want my charts to tell a clear story to executives.")
    page.get_by_role("combobox", name="Time zone").fill("Europe/Berlin")
    page.locator("select[name=avail_day]").first.select_option("Wed")
    page.locator("input[name=avail_start]").first.fill("08:00")
    page.locator("input[name=avail_end]").first.fill("10:00")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()

    page.goto(f"/programs/join/{invitation.token}/")
    page.get_by_role("button", name="Join as mentee").click()
    page.wait_for_url(re.compile(rf"/programs/{program.slug}/"))

    nia = User.objects.get(email="nia@example.org")
    profile = Profile.objects.get(user=nia)
    assert profile.timezone == "Europe/Berlin"
    assert [str(window) for window in profile.windows.all()] == ["Wed 08:00-10:00"]
    assert profile.availability_utc  # stored in UTC for cheap overlap
    enrolment = Enrolment.objects.get(person=nia, program=program)
    assert (enrolment.role, enrolment.status) == (Role.MENTEE, EnrolmentStatus.ACTIVE)


def test_admin_import_reports_bad_row_then_imports_fixed_file(page, tmp_path):
    program = ProgramFactory(name="Import Program")
    admin = EnrolmentFactory(program=program, role=Role.ADMIN).person
    admin.set_password(PASSWORD)
    admin.save()
    log_in(page, admin.email, PASSWORD)

    broken = tmp_path / "people.csv"
    broken.write_text(
        HEADER + GOOD_ROWS + "cy@example.org,Cy Park,mentee,Lead a team,en,Mars/Olympus,,\n"
    )
    page.goto(f"/programs/{program.slug}/import/")
    page.locator("input[type=file]").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    error_row = page.locator("table tbody tr").filter(has_text="Mars/Olympus")
    error_row.wait_for()
    assert error_row.locator("td").first.inner_text() == "4"
    assert not User.objects.filter(email__in=["ana@example.org", "cy@example.org"]).exists()

    fixed = tmp_path / "people-fixed.csv"
    fixed.write_text(
        HEADER + GOOD_ROWS + "cy@example.org,Cy Park,mentee,Lead a team,en,Asia/Seoul,,\n"
    )
    page.get_by_role("link", name="Upload a corrected file").click()
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 3 rows").click()
    page.get_by_text("See the participants").wait_for()  # checked and written by the worker
    assert page.get_by_role("heading", name="Imported").is_visible()

    # Nobody is enrolled by an import: all three are invited, and join when they accept.
    invited = ParticipantInvitation.objects.filter(program=program)
    assert sorted(invited.values_list("email", flat=True)) == [
        "ana@example.org",
        "ben@example.org",
        "cy@example.org",
    ]
    assert not Enrolment.objects.filter(program=program).exclude(role=Role.ADMIN).exists()
    assert Profile.objects.get(user__email="cy@example.org").timezone == "Asia/Seoul"
