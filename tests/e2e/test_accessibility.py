"""Every main page, for each role, passes axe-core's WCAG 2 A and AA rules with no serious or
critical violation and hides no focused element under a sticky bar (WCAG 2.4.11), and at
desktop and phone widths (down to 320 px) none scrolls sideways (WCAG 1.4.10 reflow).

axe and the focus check run on every page at the desktop width, and at every width on one
page of each template family (``every_width`` in ``main_pages``: a form, a form with errors,
a table, a detail page, a list...): axe takes about half a second a run and the focus check
tabs through the page, while what a narrower window changes on the other pages of a family
(a table or a line too wide) is what the cheap reflow check, run at every width on every
page, catches.

axe-core is vendored test-only (``tests/vendor/axe-core``) and injected into each page after it
loads; the app never serves it. One browser, one page per role, every width on each load.
axe's result does not depend on the database, so the PostgreSQL pass of ``make test`` skips
this file (the crawl opens every page on PostgreSQL).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from unittest import mock

import pytest

from tandem.demo.program import DEMO_PASSWORD, DEMO_PROGRAM_SLUG
from tandem.demo.seed import SELF_SERVE_NAME
from tandem.matchruns.models import MatchRun
from tandem.mentorships.models import Meeting, Mentorship
from tandem.mentorships.services import problem_report_create, request_create
from tandem.people.models import User
from tandem.programs.imports import execution, services
from tandem.programs.models import Enrolment, EnrolmentStatus, Invitation, Program, Role
from tests.crawl.world import seed

pytestmark = [pytest.mark.browser, pytest.mark.any_database]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
PEOPLE = 40
WIDTHS = (1280, 390, 320)
FAILING_IMPACTS = frozenset({"serious", "critical"})
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
    });
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")),
    }));
}"""
# What a sticky or fixed bar hides of the element that has keyboard focus (WCAG 2.2 2.4.11,
# which axe does not check): null without such bars, else the hidden element's description.
STUCK_BARS = """() => [...document.body.querySelectorAll("*")].some(
    (el) => ["sticky", "fixed"].includes(getComputedStyle(el).position))"""
FOCUS_HIDDEN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "";
    const a = el.getBoundingClientRect();
    for (const bar of document.body.querySelectorAll("*")) {
        const position = getComputedStyle(bar).position;
        if (!["sticky", "fixed"].includes(position) || bar.contains(el)) continue;
        const b = bar.getBoundingClientRect();
        if (a.top >= b.top && a.bottom <= b.bottom && a.left >= b.left && a.right <= b.right)
            return `${el.tagName.toLowerCase()} `
                + `${el.name || el.id || el.ariaLabel || el.textContent.trim()}`
                + ` under .${bar.className.replaceAll(" ", ".")}`;
    }
    return null;
}"""
TABS = 150
ERRORS = ".error-summary, .form-errors, .error, [role=alert]"
# The page scrolls sideways (WCAG 1.4.10): how far, and the widest elements that stick out.
SIDEWAYS = """() => {
    const width = document.documentElement.clientWidth;
    const over = document.documentElement.scrollWidth - width;
    if (over <= 0) return "";
    const wide = [...document.body.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .filter((el) => el.parentElement.getBoundingClientRect().right <= width + 1)
        .slice(0, 5)
        .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
    return `${over}px wider than the window: ${wide.join(", ")}`;
}"""
# A bad row, so the import preview shows its problem table too.
IMPORT_CSV = (
    b"email,name,role,skills,languages,timezone,availability,capacity\n"
    b"ana@example.org,Ana Example,mentor,SQL;Python,en,Europe/Berlin,Mon 09:00-12:00,2\n"
    b"not-an-email,Bo Example,mentee,SQL,en,Mars/Olympus,Someday,\n"
)


def test_the_check_sees_violations(chromium):
    """The harness itself: a page with known faults must fail it (a misspelt rule tag, a script
    that did not load or a check that never matches would otherwise pass every page)."""
    page = chromium.new_page(viewport={"width": 390, "height": 300})
    page.set_content(
        '<html><head><title>Faults</title></head><body><main><img src="x.png">'
        '<a href="#"></a><p style="color:#bbb;background:#fff">Faint</p>'
        '<div style="width:600px">Wide</div><p style="height:100px">Tall</p>'
        '<input aria-label="Hidden field"><p style="height:400px">Tall</p></main>'
        '<div class="bar" style="position:fixed;bottom:0;left:0;right:0;height:150px;'
        'background:#fff">Bar</div></body></html>'
    )
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    overflow = page.evaluate(SIDEWAYS)
    hidden = focus_hidden_by_bars(page)
    page.close()
    assert found == {
        "html-has-lang": "serious",
        "image-alt": "critical",
        "link-name": "serious",
        "color-contrast": "serious",
    }
    assert overflow.endswith("px wider than the window: div"), overflow
    assert hidden == ["input Hidden field under .bar"], hidden


@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_serious_accessibility_violations(chromium, live_server):
    emails = seed(people=PEOPLE)
    pages = main_pages(emails)
    found: list[str] = []
    impacts: Counter[tuple[str, str]] = Counter()
    for role, visits in pages.items():
        # The page's Content-Security-Policy would refuse the injected axe script.
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": WIDTHS[0], "height": 900},
            bypass_csp=True,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        if role != "anonymous":
            log_in(page, emails[role])
        for visit in visits:
            status = open_page(page, visit)
            if status >= 500 or (status >= 400 and not visit.submit):
                found.append(f"{role} {visit}: HTTP {status}")
                continue
            if visit.submit and not page.locator(ERRORS).count():
                found.append(f"{role} {visit}: the page shows no error to check")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for violation in axe_violations(page) if visit.fully_checked_at(width) else ():
                    impacts[(violation["id"], violation["impact"])] += 1
                    if violation["impact"] in FAILING_IMPACTS:
                        found.append(describe(role, visit, width, violation))
                overflow = page.evaluate(SIDEWAYS)
                if overflow:
                    found.append(f"{role} {visit} @{width}px: reflow (serious): {overflow}")
                found.extend(
                    f"{role} {visit} @{width}px: focus-not-obscured (serious): {hidden}"
                    for hidden in (
                        focus_hidden_by_bars(page) if visit.fully_checked_at(width) else ()
                    )
                )
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        context.close()
    summary = ", ".join(f"{rule} ({impact}) x{n}" for (rule, impact), n in sorted(impacts.items()))
    visits = [visit for role_visits in pages.values() for visit in role_visits]
    checked = sum(visit.fully_checked_at(width) for visit in visits for width in WIDTHS)
    print(
        f"axe: {checked} page views ({len(visits)} pages, reflow checked at {len(WIDTHS)} "
        f"widths each), violations by rule: {summary or 'none'}"
    )
    assert not found, "\n".join(
        [f"{len(found)} serious or critical accessibility problems:", *found, summary]
    )


@dataclass(frozen=True)
class Visit:
    """A page, and optionally a form on it submitted (after ``clear``-ing some fields) so that
    the page is checked again as it shows errors."""

    url: str
    submit: str = ""
    clear: tuple[str, ...] = ()
    # axe and the focus check (it tabs through the page) at every width, not only the
    # desktop one; the reflow check runs at every width on every page.
    every_width: bool = False

    def fully_checked_at(self, width: int) -> bool:
        return self.every_width or width == WIDTHS[0]

    def __str__(self) -> str:
        return f"{self.url} (after {self.submit!r} with errors)" if self.submit else self.url


def open_page(page, visit: Visit) -> int:
    response = page.goto(visit.url, wait_until="load")
    status = response.status if response else 599
    if visit.submit and status < 400:
        for field in visit.clear:
            page.fill(f"main [name={field}]", "")
        # The server's error summary is the page to check, not the browser's own bubble.
        page.evaluate("document.querySelectorAll('main form').forEach((f) => f.noValidate = true)")
        with page.expect_navigation(wait_until="load") as navigation:
            page.click(f"main button[type=submit]:has-text({visit.submit!r})")
        response = navigation.value
        status = response.status if response else 599
    return status


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


def focus_hidden_by_bars(page) -> list[str]:
    """Tab through the page (only if it has a sticky or fixed bar) and name each focused
    element that the bar covers entirely."""
    if not page.evaluate(STUCK_BARS):
        return []
    page.evaluate("window.scrollTo(0, 0); document.activeElement.blur()")
    hidden = []
    for _ in range(TABS):
        page.keyboard.press("Tab")
        where = page.evaluate(FOCUS_HIDDEN)
        if where == "":
            break
        if where:
            hidden.append(where)
    return hidden


def describe(role: str, visit: Visit, width: int, violation: dict) -> str:
    targets = "; ".join(violation["targets"][:5])
    more = len(violation["targets"]) - 5
    if more > 0:
        targets += f"; and {more} more"
    return (
        f"{role} {visit} @{width}px: {violation['id']} ({violation['impact']}): "
        f"{violation['help']}: {targets}"
    )


def log_in(page, email: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def main_pages(emails: dict[str, str]) -> dict[str, list[Visit]]:
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    self_serve = Program.objects.get(name=SELF_SERVE_NAME)
    mentor = User.objects.get(email=emails["mentor"])
    mentee = User.objects.get(email=emails["mentee"])
    mentorship = Mentorship.objects.get(program=program, mentor=mentor, mentee=mentee)
    version = mentorship.agreement_versions.latest("number").number
    meeting = Meeting.objects.filter(mentorship=mentorship).order_by("starts_at").first()
    invitation = Invitation.objects.filter(program=program, expires_at__isnull=False).first()
    run = MatchRun.objects.filter(program=program).latest("pk")
    batch = import_batch(program, User.objects.get(email=emails["program admin"]))
    asked = pending_request(self_serve, mentor=mentor, mentee=mentee)
    problem_report_create(
        user=mentee, mentorship_id=mentorship.pk, text="We have missed our last two meetings."
    )
    m = f"/mentorships/{mentorship.pk}"
    p = f"/programs/{program.slug}"
    pair = [
        "/",
        "/profile/",
        "/profile/identity/",
        "/account/",
        "/programs/",
        f"{p}/",
        f"/programs/join/{invitation.token}/",
        "/mentorships/",
        f"{m}/",
        f"{m}/agreement/v{version}/",
        f"{m}/agreement/",
        f"{m}/meetings/new/",
        f"/mentorships/meetings/{meeting.pk}/",
        "/mentorships/requests/",
        "/mentorships/calendar/",
        "/notifications/",
        "/notifications/settings/",
        "/feedback/guidance/",
        f"/feedback/guidance/first-meeting/?program={program.slug}",
    ]
    pages = {
        "anonymous": [
            "/login/",
            Visit("/login/", submit="Log in"),
            "/signup/",
            Visit("/signup/", submit="Create account"),
            "/password-reset/",
            Visit("/password-reset/", submit="Send reset link"),
            f"/programs/join/{invitation.token}/",
        ],
        "mentee": [
            *pair,
            Visit(f"{m}/meetings/new/", submit="Schedule", clear=("date", "time")),
            f"{m}/report-problem/",
            Visit(f"{m}/report-problem/", submit="Send to the admins"),
            f"/programs/{self_serve.slug}/mentors/",
            f"/mentorships/requests/new/?program={self_serve.pk}&to={asked.pk}",
            Visit(
                f"/mentorships/requests/new/?program={self_serve.pk}&to={asked.pk}",
                submit="Send request",
                clear=("message",),
            ),
            f"/people/{mentor.pk}/",
        ],
        "mentor": [*pair, f"{m}/end/", f"/people/{mentee.pk}/"],
        "program admin": [
            "/",
            "/programs/",
            f"{p}/",
            f"{p}/edit/",
            Visit(f"{p}/edit/", submit="Save changes", clear=("name",)),
            f"{p}/participants/",
            f"{p}/invitations/",
            f"{p}/invitations/email/",
            Visit(f"{p}/invitations/email/", submit="Invite"),
            f"{p}/import/",
            f"{p}/import/{batch.pk}/",
            f"{p}/match-runs/",
            f"{p}/match-runs/{run.pk}/",
            f"/mentorships/program/{program.pk}/",
            f"{m}/",
            f"{m}/admin-end/",
            Visit(f"{m}/admin-end/", submit="End the mentorship"),
            f"/mentorships/program/{program.pk}/problems/",
            f"{p}/insights/",
            f"/feedback/guidance/?program={program.slug}&q=goals",
            f"/feedback/guidance/first-meeting/edit/?program={program.slug}",
            Visit(f"/feedback/guidance/new/?program={program.slug}", submit="Save"),
            "/notifications/",
            "/notifications/settings/",
        ],
    }
    # One page of each template family, checked by axe and for focus at every width.
    every_width = {
        "anonymous": {"/login/", Visit("/signup/", submit="Create account")},
        "mentee": {
            "/",
            "/profile/",
            f"{m}/",
            f"{m}/agreement/",
            "/mentorships/calendar/",
            "/notifications/",
            Visit(f"{m}/meetings/new/", submit="Schedule", clear=("date", "time")),
        },
        "program admin": {
            f"{p}/participants/",
            f"{p}/import/{batch.pk}/",
            f"{p}/match-runs/{run.pk}/",
            f"/mentorships/program/{program.pk}/",
            Visit(f"{p}/edit/", submit="Save changes", clear=("name",)),
        },
    }
    chosen = {role: set(map(as_visit, visits)) for role, visits in every_width.items()}
    for role, visits in chosen.items():
        assert visits <= set(map(as_visit, pages[role])), f"{role}: not in the list"
    return {
        role: [
            replace(visit, every_width=visit in chosen.get(role, ()))
            for visit in map(as_visit, visits)
        ]
        for role, visits in pages.items()
    }


def as_visit(page: str | Visit) -> Visit:
    return page if isinstance(page, Visit) else Visit(page)


def pending_request(program: Program, *, mentor: User, mentee: User) -> User:
    """The demo mentor gets a request to answer in the self-serve program; returns another
    mentor there, whom the demo mentee may ask."""
    Enrolment.objects.get_or_create(
        program=program,
        person=mentor,
        role=Role.MENTOR,
        defaults={"status": EnrolmentStatus.ACTIVE, "capacity": 3},
    )
    others = Enrolment.objects.filter(program=program, status=EnrolmentStatus.ACTIVE)
    sender = others.filter(role=Role.MENTEE).exclude(person=mentee).first().person
    request_create(
        sender=sender,
        program_id=program.pk,
        recipient_id=mentor.pk,
        message="Could you help me prepare my first quarterly review?",
    )
    return others.filter(role=Role.MENTOR).exclude(person=mentor).first().person


def import_batch(program: Program, admin: User):
    """A checked import preview, its check run here rather than by a worker."""
    with mock.patch.object(services, "_enqueue"):
        batch = services.import_preview(
            user=admin, program_id=program.pk, filename="people.csv", content=IMPORT_CSV
        )
    return execution.import_batch_check(batch_id=batch.pk)
