"""The health pages pass axe (serious and critical rules) and do not scroll sideways, at a
desktop and two phone widths, as a program admin and as one of an at-risk pair."""

from __future__ import annotations

import pytest

from tandem.demo.program import DEMO_ADMIN_EMAIL, DEMO_PROGRAM_SLUG
from tandem.feedback.models import MentorshipHealth
from tests.crawl.world import seed
from tests.e2e.test_accessibility import (
    FAILING_IMPACTS,
    SIDEWAYS,
    WIDTHS,
    axe_violations,
    log_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pages() -> dict[str, list[str]]:
    flagged = MentorshipHealth.objects.filter(
        program__slug=DEMO_PROGRAM_SLUG, state="at_risk"
    ).select_related("mentorship__mentee")
    at_risk = flagged.get()
    m = at_risk.mentorship_id
    return {
        DEMO_ADMIN_EMAIL: [
            f"/feedback/programs/{at_risk.program_id}/health/",
            f"/feedback/programs/{at_risk.program_id}/health/?state=stalled&q=zzz",
            f"/mentorships/{m}/",
            f"/feedback/mentorships/{m}/health/note/",
            f"/mentorships/{m}/pauses/",
        ],
        at_risk.mentorship.mentee.email: [f"/mentorships/{m}/", f"/mentorships/{m}/pauses/"],
    }


def test_health_pages_pass_axe_at_every_width(chromium, live_server):
    seed(people=40)
    found: list[str] = []
    for email, urls in pages().items():
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True
        )
        page = context.new_page()
        log_in(page, email)
        for url in urls:
            assert page.goto(url).status == 200, url
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                found += [
                    f"{url} @{width}: {v['id']} ({v['impact']})"
                    for v in axe_violations(page)
                    if v["impact"] in FAILING_IMPACTS
                ]
                if page.evaluate(SIDEWAYS):
                    found.append(f"{url} @{width}: scrolls sideways")
        context.close()
    assert not found, "\n".join(found)
