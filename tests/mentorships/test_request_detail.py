"""The request page a mentor decides on (issue #10 item 8) and the request form that follows
the ranked list: who may read it, what it shows and what it never shows."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.matchruns.selectors import pair_reasons
from tandem.mentorships import pair_facts
from tandem.mentorships.models import MentorshipRequest, MentorshipState
from tandem.mentorships.views.requests import RECIPIENT_UNAVAILABLE
from tandem.notify.models import Notification
from tandem.people.models import Identity, Profile
from tandem.people.services import profile_update
from tandem.programs.models import MatchingMode, Role
from tests.mentorships.factories import (
    RequestFactory,
    availability,
    member,
    mentorship,
)
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db

# A Wednesday in winter: Berlin is UTC+1 and New York UTC-5 all week.
WINTER_DAY = datetime(2026, 12, 2, 12, tzinfo=UTC)


@contextmanager
def on(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def pair():
    """A mentee in New York and a mentor in Berlin, who has 3 places and one taken."""
    program = ProgramFactory(name="Speakers", matching_mode=MatchingMode.SELF_SERVE)
    mentor = member(program, Role.MENTOR, timezone="Europe/Berlin", capacity=3)
    mentee = member(program, Role.MENTEE, timezone="America/New_York")
    Profile.objects.filter(user=mentee).update(
        headline="Analyst moving into product",
        goals="Give my first conference talk about data storytelling",
        languages=["en", "de"],
        cadence="biweekly",
        seniority=2,
    )
    Profile.objects.filter(user=mentor).update(
        expertise="Conference talks, data storytelling and public speaking", languages=["en"]
    )
    mentorship(program=program, mentor=mentor)  # one of the three places is taken
    return {"program": program, "mentor": mentor, "mentee": mentee}


@pytest.fixture
def ask(pair):
    """The mentee has asked the mentor."""
    request = RequestFactory(
        program=pair["program"],
        sender=pair["mentee"],
        recipient=pair["mentor"],
        message="Could you coach my talk?",
    )
    return {**pair, "request": request}


def page_of(client, user, request):
    client.force_login(user)
    return client.get(reverse("request_detail", args=[request.pk]))


class TestWhoReadsIt:
    @pytest.mark.parametrize("who", ["mentee", "mentor"])
    def test_the_two_read_it_with_the_message(self, client, ask, who):
        response = page_of(client, ask[who], ask["request"])
        assert response.status_code == 200
        assert "Could you coach my talk?" in response.content.decode()

    def test_the_programs_admin_reads_it_without_the_message(self, client, ask):
        response = page_of(client, member(ask["program"], Role.ADMIN), ask["request"])
        html = response.content.decode()
        assert response.status_code == 200
        assert "Could you coach my talk?" not in html
        assert "Only the two of them read the message." in html
        assert reverse("request_accept", args=[ask["request"].pk]) not in html
        assert "Withdraw" not in html

    @pytest.mark.parametrize("who", ["other_admin", "same_program", "stranger"])
    def test_anyone_else_gets_404(self, client, ask, who):
        user = {
            "other_admin": lambda: member(ProgramFactory(), Role.ADMIN),
            "same_program": lambda: member(ask["program"], Role.MENTOR),
            "stranger": lambda: member(ProgramFactory()),
        }[who]()
        assert page_of(client, user, ask["request"]).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, ask):
        response = client.get(reverse("request_detail", args=[ask["request"].pk]))
        assert response.status_code == 302 and "/login" in response["Location"]

    def test_a_missing_request_looks_like_a_forbidden_one(self, client, ask):
        assert page_of(client, ask["mentor"], MentorshipRequest(pk=10**6)).status_code == 404

    def test_an_admin_cannot_answer_through_it(self, client, ask):
        client.force_login(member(ask["program"], Role.ADMIN))
        client.post(reverse("request_accept", args=[ask["request"].pk]))
        ask["request"].refresh_from_db()
        assert ask["request"].state == "pending"


class TestWhatTheMentorReads:
    def test_the_mentees_profile_summary(self, client, ask):
        html = page_of(client, ask["mentor"], ask["request"]).content.decode()
        for shown in (
            "Analyst moving into product",
            "Give my first conference talk about data storytelling",
            "English, German",
            "America/New_York",
            "every two weeks",
        ):
            assert shown.lower() in html.lower(), shown

    def test_no_identity_field_is_shown(self, client, ask):
        Identity.objects.create(
            user=ask["mentee"],
            attributes=["Quechua heritage"],
            consented_at=timezone.now(),
        )
        for viewer in (ask["mentor"], member(ask["program"], Role.ADMIN)):
            html = page_of(client, viewer, ask["request"]).content.decode()
            assert "Quechua" not in html and "heritage" not in html

    def test_the_mentors_remaining_capacity(self, client, ask):
        html = page_of(client, ask["mentor"], ask["request"]).content.decode()
        assert "You have 2 of 3 places free" in html

    def test_a_full_mentor_is_told_before_accepting(self, client, ask):
        for _ in range(2):
            mentorship(program=ask["program"], mentor=ask["mentor"], state=MentorshipState.PROPOSED)
        html = page_of(client, ask["mentor"], ask["request"]).content.decode()
        assert "You have 0 of 3 places free" in html

    def test_the_match_reasons_are_the_ranked_lists(self, client, ask):
        expected = pair_reasons(
            program=ask["program"], mentor_id=ask["mentor"].pk, mentee_id=ask["mentee"].pk
        )
        assert expected, "the pair shares a language and topic: the core gives reasons"
        response = page_of(client, ask["mentor"], ask["request"])
        assert response.context["page"].reasons == expected
        html = response.content.decode()
        assert any(reason["text"] in html for reason in expected)

    def test_shared_hours_in_both_time_zones(self, client, ask):
        availability(ask["mentor"], (0, 15 * 60, 18 * 60))  # Mon 15:00-18:00 in Berlin
        availability(ask["mentee"], (0, 9 * 60, 11 * 60))  # Mon 09:00-11:00 in New York
        with on(WINTER_DAY):
            response = page_of(client, ask["mentor"], ask["request"])
        slots = response.context["page"].shared
        assert [(s.mentor_text, s.mentee_text) for s in slots] == [
            ("Mon 15:00-17:00", "Mon 09:00-11:00")
        ]
        html = response.content.decode()
        assert "Europe/Berlin" in html and "<td>Mon 15:00-17:00</td>" in html
        assert "<td>Mon 09:00-11:00</td>" in html and "2 hours a week" in html

    def test_a_slot_across_midnight_in_one_zone(self):
        """Sun 20:00-23:00 in New York is Mon 02:00-05:00 in Berlin (the week wraps)."""
        slots = pair_facts.shared_availability(
            mentor_windows=[(0, 0, 8 * 60)],
            mentor_zone=pair_facts.zoneinfo.ZoneInfo("Europe/Berlin"),
            mentee_windows=[(6, 20 * 60, 23 * 60)],
            mentee_zone=pair_facts.zoneinfo.ZoneInfo("America/New_York"),
            week=WINTER_DAY.date(),
        )
        assert [(s.mentor_text, s.mentee_text, s.minutes) for s in slots] == [
            ("Mon 02:00-05:00", "Sun 20:00-23:00", 180)
        ]

    def test_no_shared_hours_is_said(self, client, ask):
        html = page_of(client, ask["mentor"], ask["request"]).content.decode()
        assert "No shared hours in their weekly availability" in html

    def test_accept_from_the_page(self, client, ask):
        client.force_login(ask["mentor"])
        html = client.get(reverse("request_detail", args=[ask["request"].pk])).content.decode()
        assert reverse("request_accept", args=[ask["request"].pk]) in html
        response = client.post(reverse("request_accept", args=[ask["request"].pk]))
        assert response.status_code == 302 and "/mentorships/" in response["Location"]

    def test_the_inbox_links_to_it(self, client, ask):
        client.force_login(ask["mentor"])
        inbox = client.get(reverse("request_inbox")).content.decode()
        assert reverse("request_detail", args=[ask["request"].pk]) in inbox

    def test_its_queries_are_bounded(self, client, ask, django_assert_max_num_queries):
        availability(ask["mentee"], (0, 540, 660), (2, 540, 660))
        page_of(client, ask["mentor"], ask["request"])  # warm caches (sessions, content types)
        with django_assert_max_num_queries(30):
            assert page_of(client, ask["mentor"], ask["request"]).status_code == 200


class TestTheRequestForm:
    def test_without_a_person_it_sends_the_mentee_to_the_ranked_list(self, client, pair):
        other = member(ProgramFactory(), Role.MENTEE)
        client.force_login(pair["mentee"])
        response = client.get(reverse("request_new"))
        assert response["Location"] == reverse("program_mentors", args=[pair["program"].slug])
        client.force_login(other)
        assert client.get(reverse("request_new")).status_code == 302

    def test_with_several_programs_it_offers_each_ranked_list(self, client, pair):
        second = ProgramFactory(name="Writers", matching_mode=MatchingMode.SELF_SERVE)
        EnrolmentFactory(program=second, person=pair["mentee"], role=Role.MENTEE)
        client.force_login(pair["mentee"])
        html = client.get(reverse("request_new")).content.decode()
        for program in (pair["program"], second):
            assert reverse("program_mentors", args=[program.slug]) in html
        assert "<select" not in html

    def test_it_shows_who_the_request_goes_to_and_pairs_only_for_the_message(self, client, pair):
        Profile.objects.filter(user=pair["mentor"]).update(headline="Keynote speaker")
        client.force_login(pair["mentee"])
        response = client.get(
            reverse("request_new"), {"program": pair["program"].pk, "to": pair["mentor"].pk}
        )
        html = response.content.decode()
        assert pair["mentor"].display_name in html and "Keynote speaker" in html
        assert "2 free places" in html and "Choose a person" not in html
        assert "<select" not in html and 'name="message"' in html
        assert response.context["target"].reasons == pair_reasons(
            program=pair["program"], mentor_id=pair["mentor"].pk, mentee_id=pair["mentee"].pk
        )
        response = client.post(
            reverse("request_new"),
            {"program": pair["program"].pk, "recipient": pair["mentor"].pk, "message": "Hello"},
        )
        assert response.status_code == 302
        assert MentorshipRequest.objects.get().recipient == pair["mentor"]

    @pytest.mark.parametrize("who", ["full_mentor", "another_mentee", "other_program_mentor"])
    def test_it_refuses_anyone_who_is_not_a_mentor_with_a_place(self, client, pair, who):
        program = pair["program"]
        person = {
            "full_mentor": lambda: member(program, Role.MENTOR, capacity=0),
            "another_mentee": lambda: member(program, Role.MENTEE),
            "other_program_mentor": lambda: member(ProgramFactory(), Role.MENTOR),
        }[who]()
        client.force_login(pair["mentee"])
        page = client.get(reverse("request_new"), {"program": program.pk, "to": person.pk})
        assert RECIPIENT_UNAVAILABLE in page.content.decode()
        assert "Send request" not in page.content.decode()
        response = client.post(
            reverse("request_new"),
            {"program": program.pk, "recipient": person.pk, "message": "Please"},
        )
        assert response.status_code == 200
        assert RECIPIENT_UNAVAILABLE in response.content.decode()
        assert not MentorshipRequest.objects.filter(recipient=person).exists()

    def test_the_new_request_notice_opens_the_request_page(self, client, pair):
        client.force_login(pair["mentee"])
        client.post(
            reverse("request_new"),
            {"program": pair["program"].pk, "recipient": pair["mentor"].pk, "message": "Hello"},
        )
        sent = MentorshipRequest.objects.get()
        notice = Notification.objects.get(recipient=pair["mentor"], kind="request_received")
        assert notice.url == reverse("request_detail", args=[sent.pk])

    def test_the_ranked_list_links_each_mentor_to_the_form_and_an_asked_one_to_the_request(
        self, client, pair
    ):
        client.force_login(pair["mentee"])
        ranked = client.get(reverse("program_mentors", args=[pair["program"].slug]))
        form_url = (
            f"{reverse('request_new')}?program={pair['program'].pk}&amp;to={pair['mentor'].pk}"
        )
        assert form_url in ranked.content.decode()
        sent = RequestFactory(
            program=pair["program"], sender=pair["mentee"], recipient=pair["mentor"]
        )
        html = client.get(reverse("program_mentors", args=[pair["program"].slug])).content.decode()
        assert reverse("request_detail", args=[sent.pk]) in html and form_url not in html

    def test_an_untouched_form_sends_nothing_and_says_what_to_write(self, client, pair):
        client.force_login(pair["mentee"])
        response = client.post(
            reverse("request_new"),
            {"program": pair["program"].pk, "recipient": pair["mentor"].pk, "message": ""},
        )
        assert response.status_code == 200 and "This field is required" in response.content.decode()
        assert not MentorshipRequest.objects.exists()

    def test_ids_past_64_bits_are_refused_in_words(self, client, pair):
        client.force_login(pair["mentee"])
        page = client.get(reverse("request_new"), {"program": pair["program"].pk, "to": 2**90})
        assert page.status_code == 200 and RECIPIENT_UNAVAILABLE in page.content.decode()
        assert client.get(reverse("request_detail", args=[2**90])).status_code == 404


def test_without_a_scorer_a_pair_has_no_reasons(monkeypatch, pair):
    """Mentorships never imports matchruns: with no scorer handed over there are no reasons."""
    monkeypatch.setattr(pair_facts, "_PROVIDERS", [])
    assert pair_facts.reasons_for(pair["program"], pair["mentor"], pair["mentee"]) == []


def test_the_mentor_reads_the_mentees_tags_as_she_typed_them(client, ask):
    """Not as whoever typed the tag first spelled it (docs/people.md, *A tag's spelling*)."""
    first = member(ask["program"], Role.MENTEE)
    profile_update(profile=first.profile, actor=first, skills_wanted=["Public SPEAKING!"])
    mentee = ask["mentee"]
    profile_update(profile=mentee.profile, actor=mentee, skills_wanted=["public speaking"])
    html = page_of(client, ask["mentor"], ask["request"]).content.decode()
    assert '<span class="badge">public speaking</span>' in html
    assert "SPEAKING" not in html
