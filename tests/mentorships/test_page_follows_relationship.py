"""Issue 10 item 10: the mentorship page follows the relationship. Before both have signed the
pre-filled agreement comes first with "Sign"; once active the next meeting (in both zones),
open action items and goals come first and the agreement folds away; after the end, how it
ended. Pre-filling never overwrites, an untouched save changes nothing, and dates read as
people read them on every one of these pages."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships import services
from tandem.mentorships.models import AgreementVersion, MentorshipState
from tandem.mentorships.services.agreement_content import (
    EXPECTATION_LABELS,
    OBJECTIVE_GOAL_LIMIT,
    agreement_prefill,
)
from tandem.mentorships.views.agreement import AGREEMENT_UNCHANGED
from tandem.people.models import Profile
from tandem.programs.models import Role
from tests.mentorships.factories import (
    action_item,
    meeting,
    member,
    mentorship,
    valid_content,
)
from tests.programs.factories import ProgramFactory
from tests.untouched import submit_untouched

pytestmark = pytest.mark.django_db

GOALS = "I want to lead a design review on my own. Later I hope to mentor others."
MESSAGE = "Your talk on design critiques is why I am asking you."


def headings(html: str) -> list[str]:
    """The ids of the main column's section headings, in page order."""
    main = html.split('class="m-main"', 1)[1].split('class="m-glance"', 1)[0]
    return re.findall(r'<h2 id="([\w-]+)"', main)


class _Text(HTMLParser):
    """The text a person reads: no attributes (``datetime=``, input values), no scripts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "textarea", "select"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea", "select"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def requested_mentorship():
    """A mentorship that came from a request, the mentee having written goals."""
    program = ProgramFactory(matching_mode="self_serve")
    mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
    Profile.objects.filter(user=mentee).update(goals=GOALS)
    request = services.request_create(
        sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message=MESSAGE
    )
    return services.request_accept(user=mentor, request_id=request.pk)


class TestPrefill:
    def test_draft_comes_from_the_first_goal_and_the_program(self):
        """Live review: the desired outcomes were the whole goals paragraph and the request's
        greeting pasted in; they are left for the pair to write now."""
        m = requested_mentorship()
        content = m.agreement_versions.get().content
        assert content["desired_outcomes"] == ""
        assert MESSAGE not in str(content)
        assert content["objectives"] == [
            {"goal": "I want to lead a design review on my own", "measure": "", "target_date": ""}
        ]
        assert content["cadence"] == m.program.default_cadence
        weeks = date.fromisoformat(content["ends_on"]) - date.fromisoformat(content["starts_on"])
        assert weeks == timedelta(weeks=m.program.default_duration_weeks)

    def test_never_overwrites_what_is_written(self):
        content = valid_content(desired_outcomes="Ours, written together.")
        filled = agreement_prefill(content, goals=GOALS)
        assert filled == content

    def test_blank_only_where_nothing_was_said(self):
        content = valid_content(desired_outcomes="", objectives=[])
        assert agreement_prefill(content, goals="") == content

    def test_long_goals_are_cut_at_a_word_within_the_limits(self):
        words = "word " * 900
        filled = agreement_prefill(valid_content(desired_outcomes="", objectives=[]), goals=words)
        assert filled["desired_outcomes"] == ""
        assert len(filled["objectives"][0]["goal"]) <= OBJECTIVE_GOAL_LIMIT
        assert filled["objectives"][0]["goal"].endswith("word…")

    def test_a_draft_with_empty_parts_asks_to_complete_them_before_signing(self, client):
        m = requested_mentorship()
        client.force_login(m.mentee)
        for url in (
            reverse("mentorship_detail", args=[m.pk]),
            reverse("agreement_version", args=[m.pk, 1]),
        ):
            html = client.get(url).content.decode()
            gaps = visible_text(html.split('data-testid="agreement-gaps"', 1)[1].split("</ul>")[0])
            for label in EXPECTATION_LABELS.values():
                assert label in gaps
            assert "A measurable outcome for the objective" in gaps
            edit = reverse("agreement_edit", args=[m.pk])
            # Completing is the primary action, before signing, which stays possible.
            assert html.index(f'<a class="button" href="{edit}">Complete the agreement</a>') < (
                html.index('class="button-secondary">Sign version 1 as it is</button>')
            )

    def test_a_complete_draft_is_signed_first(self, client):
        m = requested_mentorship()
        services.agreement_propose(
            user=m.mentee,
            mentorship_id=m.pk,
            content=valid_content(
                m.program, mentor_expectations="Candid reviews", mentee_expectations="On time"
            ),
        )
        client.force_login(m.mentor)
        html = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        assert 'data-testid="agreement-gaps"' not in html and "Complete the agreement" not in html
        assert '<button type="submit">Sign version 2</button>' in html

    def test_untouched_save_of_the_prefilled_draft_keeps_everything(self, client):
        m = requested_mentorship()
        before = m.agreement_versions.get().content
        client.force_login(m.mentee)
        url = reverse("agreement_edit", args=[m.pk])
        response = submit_untouched(client, url, url)
        assert AGREEMENT_UNCHANGED.format(number=1) in response.content.decode()
        assert list(AgreementVersion.objects.filter(mentorship=m)) == [m.agreement_versions.get()]
        assert m.agreement_versions.get().content == before

    def test_the_draft_names_goals_only_when_it_took_one(self, client):
        """Journey review: a mentee with no goals written was told the draft came from "the first
        of Sam's goals", and its objectives read "None yet"."""
        program = ProgramFactory(matching_mode="self_serve")
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        request = services.request_create(
            sender=mentee, program_id=program.pk, recipient_id=mentor.pk, message=MESSAGE
        )
        m = services.request_accept(user=mentor, request_id=request.pk)
        client.force_login(mentor)
        text = visible_text(client.get(reverse("mentorship_detail", args=[m.pk])).content.decode())
        assert "Pre-filled from the program's defaults." in text
        assert "goals." not in text.split("Pre-filled from", 1)[1].split("\n", 1)[0]


class TestOrderByState:
    def test_before_signing_the_agreement_comes_first_with_sign(self, client):
        m = requested_mentorship()
        client.force_login(m.mentee)
        html = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        order = headings(html)
        assert order[0] == "agreement-h"
        assert order.index("agreement-h") < order.index("next-h") < order.index("goals-h")
        text = visible_text(html)
        assert f"Still to sign: {m.mentor.display_name} and you." in text
        assert "Pre-filled from" in text and MESSAGE not in text
        sign = reverse("agreement_sign", args=[m.pk, 1])
        assert html.index(f'action="{sign}"') < html.index(reverse("mentorship_end", args=[m.pk]))

    def test_after_one_signature_the_other_is_still_to_sign(self, client):
        m = requested_mentorship()
        services.agreement_sign(user=m.mentor, mentorship_id=m.pk, number=1)
        client.force_login(m.mentor)
        text = visible_text(client.get(reverse("mentorship_detail", args=[m.pk])).content.decode())
        assert f"Still to sign: {m.mentee.display_name}." in text
        assert "Sign version 1" not in text

    def test_once_active_meeting_items_goals_come_first_and_agreement_folds(self, client):
        m = mentorship()
        meeting(m)
        action_item(m)
        client.force_login(m.mentor)
        html = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        assert headings(html)[:4] == ["next-h", "actions-h", "goals-h", "agreement-h"]
        signed = m.agreement_versions.get().signed_at
        assert f"<summary>Agreement signed {signed.day} {signed:%b} by both</summary>" in html
        assert "<details open" not in html.split('id="agreement"')[1].split("</section>")[0]
        assert "amend</a>" in html

    def test_an_amendment_waiting_for_my_signature_comes_first(self, client):
        m = mentorship()
        services.agreement_propose(
            user=m.mentor, mentorship_id=m.pk, content=valid_content(m.program, focus_areas="x")
        )
        client.force_login(m.mentee)
        order = headings(client.get(reverse("mentorship_detail", args=[m.pk])).content.decode())
        assert order[:2] == ["amendment-h", "next-h"]
        assert "agreement-h" in order

    def test_after_an_early_end_how_it_ended_comes_first(self, client):
        m = mentorship()
        services.mentorship_end_early(user=m.mentor, mentorship_id=m.pk, reason="Moving teams")
        client.force_login(m.mentee)
        order = headings(client.get(reverse("mentorship_detail", args=[m.pk])).content.decode())
        assert order[:2] == ["ending-h", "feedback-h"]
        client.force_login(m.mentor)
        order = headings(client.get(reverse("mentorship_detail", args=[m.pk])).content.decode())
        assert order[0] == "ending-h" and "feedback-h" not in order


class TestReadableDates:
    ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

    def test_next_meeting_in_both_zones(self, client):
        program = ProgramFactory()
        mentor = member(program, Role.MENTOR, timezone="Europe/Berlin")
        mentee = member(program, Role.MENTEE, timezone="America/New_York")
        m = mentorship(program=program, mentor=mentor, mentee=mentee)
        year = timezone.now().year + 1
        starts = datetime(year, 12, 8, 19, 0, tzinfo=UTC)
        meeting(m, in_hours=(starts - timezone.now()).total_seconds() / 3600)
        client.force_login(mentee)
        text = visible_text(client.get(reverse("mentorship_detail", args=[m.pk])).content.decode())
        mine = starts.astimezone(zoneinfo.ZoneInfo("America/New_York"))
        theirs = starts.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
        assert f"{mine:%a} 8 Dec {year}, 14:00 {mine:%Z} (your time)" in text
        assert f"For {mentor.display_name}: {theirs:%a} 8 Dec {year}, 20:00 (Europe/Berlin)" in text

    @pytest.mark.parametrize("state", ["proposed", "active", "ended"])
    def test_no_iso_dates_and_no_none_on_the_pages(self, client, state):
        m = requested_mentorship()
        if state != "proposed":
            services.agreement_sign(user=m.mentor, mentorship_id=m.pk, number=1)
            services.agreement_sign(user=m.mentee, mentorship_id=m.pk, number=1)
        first = meeting(m)
        action_item(m, due_on=timezone.localdate() + timedelta(days=3))
        if state == "ended":
            services.mentorship_end_early(user=m.mentor, mentorship_id=m.pk, reason="Moving")
        client.force_login(m.mentee)
        pages = [
            reverse("mentorship_detail", args=[m.pk]),
            reverse("agreement_version", args=[m.pk, 1]),
            reverse("meeting_detail", args=[first.pk]),
        ]
        if state == "ended":
            pages.append(reverse("early_end_feedback", args=[m.pk]))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            assert not self.ISO.search(text), (url, self.ISO.search(text))
            assert not re.search(r"\bNone\b(?! yet)", text), url

    def test_agreement_dates_read_as_days(self, client):
        m = mentorship(state=MentorshipState.PROPOSED)
        content = valid_content(m.program, starts_on="2027-03-01", ends_on="2027-09-30")
        content["objectives"][0]["target_date"] = "2027-06-15"
        services.agreement_propose(user=m.mentor, mentorship_id=m.pk, content=content)
        client.force_login(m.mentee)
        text = visible_text(
            client.get(reverse("agreement_version", args=[m.pk, 2])).content.decode()
        )
        assert "1 Mar 2027 to 30 Sep 2027" in text
        assert "(by 15 Jun 2027)" in text


def test_a_request_the_mentor_sent_is_not_quoted_as_the_mentees_outcomes():
    """Review: in reverse mentoring the mentor sends the request; the draft quoted the mentor's
    words as the mentee's desired outcomes."""
    from tests.mentorships.factories import RequestFactory

    program = ProgramFactory()
    mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
    Profile.objects.filter(user=mentee).update(goals=GOALS)
    request = RequestFactory(
        program=program,
        sender=mentor,
        recipient=mentee,
        mentor=mentor,
        mentee=mentee,
        message="The mentor's own words",
    )
    m = services.request_accept(user=mentee, request_id=request.pk)
    content = m.agreement_versions.get().content
    assert "The mentor's own words" not in str(content)
    assert content["objectives"][0]["goal"] == GOALS.split(". ")[0]
