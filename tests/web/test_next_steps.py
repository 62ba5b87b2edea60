"""The dashboard's next steps (issue #10 item 7): each appears exactly when its condition
holds, in the order of urgency, with dates as people read them in their own time zone."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships import services
from tandem.mentorships.models import ActionItemStatus, MentorshipState, RequestState
from tandem.people.models import Profile, Skill
from tandem.programs.models import EnrolmentStatus, MatchingMode, ProgramType, Role
from tests.mentorships.factories import (
    RequestFactory,
    action_item,
    availability,
    meeting,
    member,
    mentorship,
    valid_content,
)
from tests.people.factories import hold
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def steps(client, user) -> list:
    client.force_login(user)
    return client.get(reverse("dashboard")).context["steps"]


def kinds(client, user) -> list[str]:
    return [step.kind for step in steps(client, user)]


def complete_profile(user) -> None:
    profile = Profile.objects.get(user=user)
    profile.goals, profile.headline, profile.seniority = "Speak at conferences", "Analyst", 3
    profile.languages, profile.cadence, profile.working_style = ["en"], "weekly", {"pace": 3}
    profile.save()
    hold(profile, wanted=[Skill.objects.create(name="Speaking", slug="speaking")])
    availability(user, (0, 540, 600))
    Profile.objects.filter(user=user).update(availability_utc=[[540, 600]])


def shown_in_new_york(at) -> str:
    """``Tue 8 Dec, 10:00 EST`` as the readable_dates ``when`` filter writes it, the year
    added when it is not this year's."""
    local = at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    year = "" if local.year == timezone.localdate().year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M %Z}"


@pytest.fixture
def self_serve():
    return ProgramFactory(name="Open Circle", matching_mode=MatchingMode.SELF_SERVE)


class TestProfile:
    def test_an_incomplete_profile_says_what_is_missing(self, client):
        user = member(ProgramFactory())
        first = next(s for s in steps(client, user) if s.kind == "profile")
        assert first.kind == "profile" and first.url == reverse("profile_edit")
        assert "weekly availability" in first.detail

    def test_a_complete_profile_is_not_a_step(self, client):
        user = member(ProgramFactory(), Role.MENTOR)
        complete_profile(user)
        assert "profile" not in kinds(client, user)


class TestJoining:
    def test_a_pending_enrolment_waits_for_approval(self, client, self_serve):
        user = member(self_serve, status=EnrolmentStatus.PENDING)
        found = [s for s in steps(client, user) if s.kind == "approval"]
        assert [s.text for s in found] == ["Waiting for approval in Open Circle"]
        assert "find_mentor" not in kinds(client, user)

    def test_an_active_enrolment_does_not(self, client, self_serve):
        assert "approval" not in kinds(client, member(self_serve))


class TestFindAMentor:
    def test_an_active_mentee_without_a_mentor_gets_the_ranked_list(self, client, self_serve):
        user = member(self_serve)
        (found,) = [s for s in steps(client, user) if s.kind == "find_mentor"]
        assert found.url == reverse("program_mentors", args=[self_serve.slug])

    def test_not_with_a_request_waiting(self, client, self_serve):
        user = member(self_serve)
        RequestFactory(program=self_serve, sender=user, recipient=member(self_serve, Role.MENTOR))
        assert "find_mentor" not in kinds(client, user)

    def test_not_with_a_mentor(self, client, self_serve):
        m = mentorship(program=self_serve, state=MentorshipState.ACTIVE)
        assert "find_mentor" not in kinds(client, m.mentee)

    def test_not_for_a_mentor(self, client, self_serve):
        assert "find_mentor" not in kinds(client, member(self_serve, Role.MENTOR))

    def test_a_cohort_program_says_the_admins_match(self, client):
        cohort = ProgramFactory(name="Spring", allow_direct_requests=False)
        user = member(cohort)
        found = kinds(client, user)
        assert "admin_matches" in found and "find_mentor" not in found

    def test_a_cohort_program_that_takes_requests_offers_the_ranked_list(self, client):
        cohort = ProgramFactory(name="Spring", allow_direct_requests=True)
        found = kinds(client, member(cohort))
        assert "find_mentor" in found and "admin_matches" not in found


class TestRequests:
    def test_a_sent_request_shows_its_state_and_deadline(self, client, self_serve):
        user = member(self_serve)
        sent = RequestFactory(
            program=self_serve, sender=user, recipient=member(self_serve, Role.MENTOR)
        )
        (found,) = [s for s in steps(client, user) if s.kind == "sent_request"]
        assert found.state == "Waiting for an answer" and found.at == sent.expires_at
        assert found.url == reverse("request_detail", args=[sent.pk])

    @pytest.mark.parametrize(
        ("state", "label"),
        [
            (RequestState.ACCEPTED, "Accepted"),
            (RequestState.DECLINED, "Declined"),
            (RequestState.EXPIRED, "Expired"),
        ],
    )
    def test_a_recent_answer_shows_until_it_is_old(self, client, self_serve, state, label):
        user = member(self_serve)
        mentor = member(self_serve, Role.MENTOR)
        recent = RequestFactory(program=self_serve, sender=user, recipient=mentor, state=state)
        recent.decided_at = timezone.now() - timedelta(days=1)
        recent.save()
        (found,) = [s for s in steps(client, user) if s.kind == "sent_request"]
        assert found.state == label
        recent.decided_at = timezone.now() - timedelta(days=30)
        recent.save()
        assert "sent_request" not in kinds(client, user)

    def test_a_mentor_is_asked_to_answer_until_the_request_expires(self, client, self_serve):
        mentor = member(self_serve, Role.MENTOR)
        waiting = RequestFactory(program=self_serve, sender=member(self_serve), recipient=mentor)
        (found,) = [s for s in steps(client, mentor) if s.kind == "answer_request"]
        assert found.url == reverse("request_detail", args=[waiting.pk])
        assert found.when == "Answer by" and found.at == waiting.expires_at
        waiting.expires_at = timezone.now() - timedelta(minutes=1)
        waiting.save()
        assert "answer_request" not in kinds(client, mentor)
        assert found.text.startswith(f"{waiting.sender.display_name} asks you to mentor them")

    def test_a_mentee_asked_by_a_reverse_programs_mentor_reads_an_offer(self, client):
        program = ProgramFactory(program_type=ProgramType.REVERSE)
        mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
        RequestFactory(
            program=program, sender=mentor, recipient=mentee, mentor=mentor, mentee=mentee
        )
        (found,) = [s for s in steps(client, mentee) if s.kind == "answer_request"]
        assert found.text == f"{mentor.display_name} offers to mentor you ({program.name})"


class TestSignature:
    def test_each_side_is_asked_until_they_have_signed(self, client):
        m = mentorship(state=MentorshipState.PROPOSED)
        for person in (m.mentor, m.mentee):
            (found,) = [s for s in steps(client, person) if s.kind == "signature"]
            assert found.url == reverse("agreement_version", args=[m.pk, 1])
        m.agreement_versions.update(signed_by_mentor_at=timezone.now())
        assert "signature" not in kinds(client, m.mentor)
        assert "signature" in kinds(client, m.mentee)

    def test_not_once_the_agreement_is_in_effect(self, client):
        m = mentorship(state=MentorshipState.ACTIVE)
        assert "signature" not in kinds(client, m.mentee)

    def test_an_amendment_says_the_current_agreement_holds_until_both_sign(self, client):
        m = mentorship(state=MentorshipState.ACTIVE)
        version, _ = services.agreement_propose(
            user=m.mentor, mentorship_id=m.pk, content=valid_content(m.program, cadence="monthly")
        )
        (found,) = [s for s in steps(client, m.mentee) if s.kind == "signature"]
        assert found.tier == "Others are waiting for you"
        assert "starts" not in found.detail
        assert found.detail == (
            f"Version {version.number} amends your agreement: it replaces the current one once "
            "you both sign; until then the current agreement stays in force."
        )

    def test_the_proposer_signs_their_own_version_as_their_own_step(self, client):
        m = mentorship(state=MentorshipState.ACTIVE)
        version, _ = services.agreement_propose(
            user=m.mentor, mentorship_id=m.pk, content=valid_content(m.program, cadence="monthly")
        )
        mine = steps(client, m.mentor)
        assert "signature" not in [s.kind for s in mine]
        (found,) = [s for s in mine if s.kind == "sign_own_proposal"]
        assert found.tier == "Up to you"
        assert found.text == f"Sign the agreement you proposed to {m.mentee.display_name}"
        assert found.url == reverse("agreement_version", args=[m.pk, version.number])
        services.agreement_sign(user=m.mentor, mentorship_id=m.pk, number=version.number)
        assert "sign_own_proposal" not in kinds(client, m.mentor)

    def test_a_first_agreement_still_says_the_mentorship_starts(self, client):
        m = mentorship(state=MentorshipState.PROPOSED)
        (found,) = [s for s in steps(client, m.mentee) if s.kind == "signature"]
        assert found.detail == "Version 1. The mentorship starts when you both sign."


class TestMeetingsAndItems:
    def test_the_next_meeting_in_my_time_zone(self, client):
        m = mentorship()
        Profile.objects.filter(user=m.mentee).update(timezone="America/New_York")
        soon = meeting(m, in_hours=50)
        meeting(m, in_hours=100)
        client.force_login(m.mentee)
        response = client.get(reverse("dashboard"))
        (found,) = [s for s in response.context["steps"] if s.kind == "meeting"]
        assert found.at == soon.starts_at
        assert shown_in_new_york(soon.starts_at) in response.content.decode()

    def test_every_upcoming_meeting_names_my_time_zone(self, client):
        """A bare "10:00" beside the step's "10:00 EST" left the reader guessing whose ten
        o'clock the list meant (UX review: the dashboard's Upcoming meetings had no zone)."""
        m = mentorship()
        Profile.objects.filter(user=m.mentee).update(timezone="America/New_York")
        later = meeting(m, in_hours=100)
        client.force_login(m.mentee)
        html = client.get(reverse("dashboard")).content.decode()
        upcoming = html[html.index('id="upcoming-heading"') :]
        assert shown_in_new_york(later.starts_at) in upcoming

    def test_no_meeting_no_step(self, client):
        assert "meeting" not in kinds(client, mentorship().mentee)

    def test_my_open_items_overdue_first(self, client):
        m = mentorship()
        today = timezone.localdate()
        action_item(m, description="Later", due_on=today + timedelta(days=5))
        action_item(m, description="Undated")
        action_item(m, description="Late", due_on=today - timedelta(days=2))
        action_item(m, description="Done", status=ActionItemStatus.DONE)
        action_item(m, description="Theirs", owner=m.mentor)
        found = [s for s in steps(client, m.mentee) if s.kind == "action_item"]
        assert [s.text for s in found] == ["Late", "Later", "Undated"]
        assert [s.state for s in found] == ["Overdue", "", ""]


ORDER = [
    # What others wait on.
    "answer_request",
    "signature",
    # The person's own steps.
    "sign_own_proposal",
    "meeting",
    "action_item",
    "find_mentor",
    "profile",
    # Where things stand.
    "sent_request",
    "approval",
    "admin_matches",
]


def test_what_others_wait_on_comes_first_then_own_steps_then_where_things_stand(client, self_serve):
    user = member(self_serve)
    EnrolmentFactory(person=user, status=EnrolmentStatus.PENDING)
    RequestFactory(program=self_serve, sender=member(self_serve), recipient=user)
    m = mentorship(mentee=user, state=MentorshipState.PROPOSED)
    meeting(m)
    action_item(m)
    order = kinds(client, user)
    assert order == sorted(order, key=ORDER.index)
    assert order[:2] == ["answer_request", "signature"]
    assert {"profile", "approval", "meeting", "action_item"} <= set(order)


def test_a_mentor_answers_a_request_before_finishing_the_profile(client, self_serve):
    """The complaint of issue 10: "finish your profile" came before a request with a
    deadline."""
    mentor = member(self_serve, Role.MENTOR)
    RequestFactory(program=self_serve, sender=member(self_serve), recipient=mentor)
    client.force_login(mentor)
    response = client.get(reverse("dashboard"))
    assert [s.kind for s in response.context["steps"]] == ["answer_request", "profile"]
    html = response.content.decode()
    waiting, yours = html.index("Others are waiting for you"), html.index("Up to you")
    assert waiting < html.index('data-step="answer_request"') < yours
    assert yours < html.index('data-step="profile"')
    assert "Where things stand" not in html  # an empty group has no heading


def test_only_the_very_first_step_is_the_primary_button(client, self_serve):
    mentor = member(self_serve, Role.MENTOR)
    RequestFactory(program=self_serve, sender=member(self_serve), recipient=mentor)
    client.force_login(mentor)
    html = client.get(reverse("dashboard")).content.decode()
    assert html.count('class="button" href=') == 1
    assert html.index('class="button" href=') < html.index('data-step="profile"')


def test_nothing_waiting_is_said(client):
    user = member(ProgramFactory(), Role.MENTOR)
    complete_profile(user)
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.context["steps"] == []
    assert "Nothing is waiting for you right now." in response.content.decode()


def test_the_next_steps_come_before_the_cards(client, self_serve):
    client.force_login(member(self_serve))
    html = client.get(reverse("dashboard")).content.decode()
    assert html.index('id="next-heading"') < html.index('id="profile-heading"')


def test_queries_stay_bounded_however_much_waits(client, self_serve, django_assert_max_num_queries):
    user = member(self_serve)
    for _ in range(6):
        m = mentorship(mentee=user, state=MentorshipState.PROPOSED)
        meeting(m)
        action_item(m, due_on=timezone.localdate() - timedelta(days=1))
        RequestFactory(program=self_serve, sender=member(self_serve), recipient=user)
    client.force_login(user)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("dashboard")).status_code == 200
