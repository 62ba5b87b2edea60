"""An admin in Chromium uploads a spreadsheet with one bad row, imports the good rows at once
holding their invitation emails, downloads the bad row as a file to fix, uploads it fixed
(its invitation goes at once), and sends the held invitations from the email invitations
page."""

import csv
import io
import re

import pytest
from django.core import mail

from tandem.programs.models import ImportBatch, ImportStatus, ParticipantInvitation, Role
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"
FILE = (
    "Email,Full Name,Role,Time Zone\n"
    "ana@example.org,Ana Lima,mentee,America/Sao_Paulo\n"
    "ben@example.org,Ben Okafor,mentor,Africa/Lagos\n"
    "cy@example.org,Cy Park,mentee,Mars/Olympus\n"
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_import_the_good_rows_and_fix_the_bad_one_later(page, tmp_path):
    page.set_default_timeout(30_000)  # the shared test machine can be slow to serve the first page
    program = ProgramFactory(name="Import Program")
    admin = EnrolmentFactory(program=program, role=Role.ADMIN).person
    admin.set_password(PASSWORD)
    admin.save()
    page.goto("/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard|/$"))

    upload = tmp_path / "people.csv"
    upload.write_text(FILE)
    page.goto(f"/programs/{program.slug}/import/")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    problem = page.locator("table tbody tr").filter(has_text="Mars/Olympus")
    problem.wait_for()
    assert problem.locator("td").nth(0).inner_text() == "4"
    assert problem.locator("td").nth(1).inner_text() == "Time Zone"  # as written in the file
    page.get_by_text("3 rows read: 2 good, 1 with problems").wait_for()
    # The problems table keeps the cards' distance from the Confirm card (UX review: touching).
    shown_at = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        table = page.locator("[aria-labelledby=errors-heading] .table-wrap").bounding_box()
        confirm = page.locator("[aria-labelledby=confirm-heading]").bounding_box()
        assert confirm["y"] - (table["y"] + table["height"]) >= 12, width
    page.set_viewport_size(shown_at)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the rows to fix")).click()
    to_fix = download.value
    assert to_fix.suggested_filename == "people-problems.csv"
    rows = list(csv.reader(io.StringIO(to_fix.path().read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Email", "Full Name", "Role", "Time Zone", "Problems"]
    assert [row[0] for row in rows[1:]] == ["cy@example.org"]
    assert rows[1][4].startswith("Time Zone: ")

    page.get_by_label("Send invitation emails now").uncheck()
    page.get_by_role("button", name="Import the 2 good rows").click()
    page.get_by_text("See the participants").wait_for()
    page.get_by_role("link", name="send them from the email invitations page").wait_for()
    assert ImportBatch.objects.get().status == ImportStatus.APPLIED
    invited = ParticipantInvitation.objects.filter(program=program)
    assert sorted(invited.values_list("email", flat=True)) == ["ana@example.org", "ben@example.org"]
    assert mail.outbox == []  # held

    rows[1][3] = "Asia/Seoul"
    fixed = tmp_path / "people-problems.csv"
    with open(fixed, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    page.goto(f"/programs/{program.slug}/import/")
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 1 row").click()
    page.get_by_text("See the participants").wait_for()
    assert invited.count() == 3

    assert [m.to[0] for m in mail.outbox] == ["cy@example.org"]  # this one was sent at once

    page.goto(f"/programs/{program.slug}/import/")
    page.get_by_role("link", name="Invite by email, or send held invitations").click()
    page.get_by_role("heading", name="Waiting to be sent").wait_for()
    page.get_by_role("button", name=re.compile("Send all 2 now")).click()
    page.get_by_text("Sending 2 invitation emails now.").wait_for()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "ben@example.org",
        "cy@example.org",
    ]
