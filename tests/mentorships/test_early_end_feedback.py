"""Issue 10 item 11: an early end offers the mentee a new match without the previous mentor: the
ranked list in a self-serve program, an "I would like a new mentor" choice the program's admins
outside the pair see in a cohort program (the mentor never does), and a request to the previous
mentor is refused. How it went is asked once, by the closing survey (UI review: this page asked
"What worked? What did not?" as well, the same as the survey's keep and change)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.services.checkin_schedule import checkins_create_due
from tandem.mentorships import selectors, services
from tandem.mentorships.models import EarlyEndFeedback, MentorshipState
from tandem.mentorships.services.early_end import early_end_feedback_url
from tandem.mentorships.services.requests import ENDED_EARLY_PAIR
from tandem.notify.models import Notification
from tandem.programs.models import MatchingMode, Role
from tests.mentorships.factories import member, mentorship, non_participants
from tests.programs.factories import EnrolmentFactory, ProgramFactory
from tests.untouched import submit_untouched

pytestmark = pytest.mark.django_db


def ended(*, mode: str = MatchingMode.COHORT, by: str = "mentor", requests: bool = True):
    m = mentorship(program=ProgramFactory(matching_mode=mode, allow_direct_requests=requests))
    cast = non_participants(m)
    actor = m.mentor if by == "mentor" else m.mentee
    services.mentorship_end_early(user=actor, mentorship_id=m.pk, reason="Moving teams")
    m.refresh_from_db()
    return m, cast


def answer(m, user=None, wants_new_mentor: bool = True):
    return services.early_end_feedback_save(
        user=user or m.mentee, mentorship_id=m.pk, wants_new_mentor=wants_new_mentor
    )


class TestTheMenteeIsAsked:
    def test_mentor_ends_it_the_mentee_gets_one_notice_leading_to_a_new_mentor(self):
        m, _ = ended(by="mentor")
        notices = list(Notification.objects.filter(recipient=m.mentee))
        assert len(notices) == 1
        assert notices[0].url == early_end_feedback_url(m)
        assert notices[0].title == f"{m.mentor.display_name} ended your mentorship: a new mentor?"
        assert "A closing survey will ask how it went." in notices[0].body
        assert f"{m.mentor.display_name} will not see it" in notices[0].body

    def test_the_notice_names_the_mentor_once(self):
        """Journey review: a mentor's early end read "Priya ended your mentorship with Priya"."""
        m, _ = ended(by="mentee")
        mentor = m.mentor.display_name
        assert Notification.objects.get(recipient=m.mentee).title == (
            f"You ended your mentorship with {mentor}: a new mentor?"
        )

    def test_how_it_went_is_asked_once_by_the_closing_survey(self, client):
        """UI review: the mentee was asked how it went twice, on this page ("What worked?",
        "What did not work?") and in the closing survey ("What should the program keep?",
        "... change?"), whose answers the insights read. The survey asks it alone."""
        m, _ = ended(by="mentee")
        client.force_login(m.mentee)
        page = client.get(early_end_feedback_url(m)).content.decode()
        assert "What worked?" not in page and "What did not work?" not in page
        assert 'name="what_worked"' not in page and 'name="what_did_not"' not in page
        assert "How it went is asked once, in a closing survey" in page
        ending = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        assert "How did it go?" not in ending and "Answer a few questions" not in ending
        assert "How it went is asked once, in a closing survey" in ending
        checkins_create_due(m.ended_at)
        survey = CheckIn.objects.get(author=m.mentee, kind=CheckInKind.CLOSING)
        assert {"satisfaction", "keep", "change", "end_category"} <= {
            question["key"] for question in survey.questions
        }

    def test_mentee_ends_it_the_mentor_is_told_and_the_mentee_asked(self):
        m, _ = ended(by="mentee")
        mentor_notice = Notification.objects.get(recipient=m.mentor)
        assert mentor_notice.title == f"{m.mentee.display_name} ended your mentorship"
        mentee_notice = Notification.objects.get(recipient=m.mentee)
        assert mentee_notice.title.startswith("You ended your mentorship")
        assert mentee_notice.url == early_end_feedback_url(m)

    def test_the_mentee_who_ends_it_lands_on_the_questions(self, client):
        m = mentorship()
        client.force_login(m.mentee)
        response = client.post(
            reverse("mentorship_end", args=[m.pk]),
            {"confirm": "yes", "reason": "Not a fit", "category": "fit"},
        )
        assert response.status_code == 302
        assert response["Location"] == early_end_feedback_url(m)

    def test_completed_or_open_mentorships_ask_nothing(self, client):
        m = mentorship()
        client.force_login(m.mentee)
        assert client.get(early_end_feedback_url(m)).status_code == 404


class TestWhoAnswersAndWhoReads:
    def test_only_the_mentee_opens_the_page(self, client):
        m, cast = ended()
        client.force_login(m.mentee)
        page = client.get(early_end_feedback_url(m)).content.decode()
        assert (
            f"Only the admins of {m.program.name} see this. {m.mentor.display_name} cannot."
        ) in page
        for who in (m.mentor, cast["admin"], cast["stranger"], cast["same_program"]):
            client.force_login(who)
            assert client.get(early_end_feedback_url(m)).status_code == 404
            response = client.post(early_end_feedback_url(m), {"wants_new_mentor": "on"})
            assert response.status_code == 404
        client.logout()
        assert client.get(early_end_feedback_url(m)).status_code == 302
        assert not EarlyEndFeedback.objects.exists()

    @pytest.mark.parametrize("who", ["mentor", "admin", "stranger"])
    def test_nobody_else_can_answer_for_the_mentee(self, who):
        m, cast = ended()
        user = m.mentor if who == "mentor" else cast[who]
        with pytest.raises(NotFound):
            answer(m, user=user)
        assert not EarlyEndFeedback.objects.exists()

    def test_the_admin_reads_it_the_mentor_never_does(self, client):
        m, cast = ended()
        answer(m)
        wish = 'Would like a new mentor</dt><dd><span class="badge badge-warn">Yes'
        client.force_login(cast["admin"])
        assert wish in client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        client.force_login(m.mentor)
        for url in (
            reverse("mentorship_detail", args=[m.pk]),
            reverse("mentorship_list"),
            f"/api/mentorships/{m.pk}",
            "/api/notifications/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert wish not in response.content.decode(), url
            assert "would like a new mentor" not in response.content.decode(), url
        assert selectors.early_end_feedback_for(user=m.mentor, mentorship=m) is None
        assert selectors.early_end_feedback_for(user=cast["stranger"], mentorship=m) is None

    def test_a_mentor_who_runs_the_program_still_cannot_read_it(self, client):
        m, cast = ended()
        EnrolmentFactory(program=m.program, person=m.mentor, role=Role.ADMIN)
        answer(m)
        assert selectors.early_end_feedback_for(user=m.mentor, mentorship=m) is None
        assert not Notification.objects.filter(recipient=m.mentor, kind="ended_early").exclude(
            title__contains="ended early:"
        )
        client.force_login(m.mentor)
        wishes = client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
        assert m.mentee.display_name not in wishes.split("<table")[0]
        assert selectors.new_mentor_wishes_for_program(
            user=cast["admin"], program_id=m.program_id
        ).exists()


class TestAnswering:
    def test_wish_then_change_it(self, client):
        m, cast = ended()
        client.force_login(m.mentee)
        url = early_end_feedback_url(m)
        client.post(url, {"wants_new_mentor": "on"})
        client.post(url, {})
        assert not EarlyEndFeedback.objects.get().wants_new_mentor
        told = Notification.objects.filter(recipient=cast["admin"], kind="ended_early")
        assert told.filter(title__contains="would like a new mentor").count() == 1

    def test_a_no_never_said_otherwise_records_nothing(self, client):
        m, _ = ended()
        client.force_login(m.mentee)
        response = client.post(early_end_feedback_url(m), {}, follow=True)
        assert "Nothing changed." in response.content.decode()
        assert not EarlyEndFeedback.objects.exists()
        assert answer(m, wants_new_mentor=False) == (None, False)

    def test_saved_untouched_changes_nothing_and_tells_nobody(self, client):
        m, _ = ended()
        feedback, _ = answer(m)
        before = (feedback.updated_at, Notification.objects.count())
        client.force_login(m.mentee)
        url = early_end_feedback_url(m)
        assert submit_untouched(client, url, url).status_code == 200
        feedback.refresh_from_db()
        assert (feedback.updated_at, Notification.objects.count()) == before
        assert feedback.wants_new_mentor

    def test_an_answer_from_before_keeps_its_words(self, client):
        """What a mentee wrote when this page still asked how it went stays for the admins."""
        m, cast = ended()
        EarlyEndFeedback.objects.create(mentorship=m, what_worked="Kind", what_did_not="Timing")
        answer(m)
        feedback = EarlyEndFeedback.objects.get()
        assert (feedback.what_worked, feedback.what_did_not) == ("Kind", "Timing")
        client.force_login(cast["admin"])
        page = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        assert "Kind" in page and "Timing" in page


class TestANewMatch:
    def test_self_serve_offers_the_ranked_list_and_no_choice(self, client):
        m, _ = ended(mode=MatchingMode.SELF_SERVE)
        client.force_login(m.mentee)
        page = client.get(early_end_feedback_url(m)).content.decode()
        assert reverse("program_mentors", args=[m.program.slug]) in page
        assert 'name="wants_new_mentor"' not in page

    def test_cohort_asks_and_the_admins_see_the_wish(self, client):
        m, cast = ended(mode=MatchingMode.COHORT, requests=False)
        client.force_login(m.mentee)
        page = client.get(early_end_feedback_url(m)).content.decode()
        assert 'name="wants_new_mentor"' in page
        assert reverse("program_mentors", args=[m.program.slug]) not in page
        client.post(early_end_feedback_url(m), {"wants_new_mentor": "on"})
        notice = Notification.objects.get(recipient=cast["admin"], title__contains="new mentor")
        assert notice.url.endswith("#early-end-feedback")
        client.force_login(cast["admin"])
        listing = client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
        assert 'id="new-mentor-wishes"' in listing and m.mentee.display_name in listing

    def test_cohort_that_takes_requests_offers_both_ways(self, client):
        """Journeys review: after an early end in a cohort program that allows direct requests,
        the pages said only that the admins would match the mentee; the ranked mentors are
        theirs to choose from too, on the questions page and the mentorship's own."""
        m, _ = ended(mode=MatchingMode.COHORT, requests=True)
        client.force_login(m.mentee)
        mentors = reverse("program_mentors", args=[m.program.slug])
        page = client.get(early_end_feedback_url(m)).content.decode()
        assert mentors in page
        assert 'name="wants_new_mentor"' in page
        ending = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        assert mentors in ending
        assert "The program's admins can match you with a new mentor" in ending

    def test_the_wish_leaves_the_list_once_matched_again(self):
        m, cast = ended()
        answer(m)
        admin = cast["admin"]
        assert selectors.new_mentor_wishes_for_program(user=admin, program_id=m.program_id)
        mentorship(program=m.program, mentee=m.mentee)
        assert not selectors.new_mentor_wishes_for_program(user=admin, program_id=m.program_id)
        with pytest.raises(NotFound):
            selectors.new_mentor_wishes_for_program(user=m.mentee, program_id=m.program_id)


class TestThePreviousMentorIsLeftOut:
    def test_selectors_name_the_previous_mentors_and_pairs(self):
        m, _ = ended()
        done = mentorship(program=m.program, mentee=m.mentee, state=MentorshipState.COMPLETED)
        assert selectors.ended_early_partners(program_id=m.program_id, person_id=m.mentee_id) == {
            m.mentor_id
        }
        assert selectors.ended_early_partners(program_id=m.program_id, person_id=m.mentor_id) == {
            m.mentee_id
        }
        assert selectors.ended_early_pairs(program_id=m.program_id) == {(m.mentee_id, m.mentor_id)}
        assert done.mentor_id not in selectors.ended_early_partners(
            program_id=m.program_id, person_id=m.mentee_id
        )
        other = ProgramFactory()
        assert selectors.ended_early_partners(program_id=other.pk, person_id=m.mentee_id) == set()

    @pytest.mark.parametrize("sender", ["mentee", "mentor"])
    def test_a_request_between_them_is_refused_either_way(self, sender):
        m, _ = ended(mode=MatchingMode.SELF_SERVE)
        if sender == "mentor":
            EnrolmentFactory(program=m.program, person=m.mentor, role=Role.MENTEE)
            EnrolmentFactory(program=m.program, person=m.mentee, role=Role.MENTOR)
        asker, asked = (m.mentee, m.mentor) if sender == "mentee" else (m.mentor, m.mentee)
        with pytest.raises(ApplicationError) as error:
            services.request_create(
                sender=asker, program_id=m.program_id, recipient_id=asked.pk, message="Again?"
            )
        message = ENDED_EARLY_PAIR.format(name=asked.display_name)
        assert (error.value.status, error.value.fields) == (409, {"recipient": message})

    def test_over_the_api_the_field_is_named(self, client):
        m, _ = ended(mode=MatchingMode.SELF_SERVE)
        client.force_login(m.mentee)
        response = client.post(
            "/api/mentorships/requests",
            {"program_id": m.program_id, "recipient_id": m.mentor_id, "message": "Again?"},
            content_type="application/json",
        )
        assert response.status_code == 409
        assert response.json()["fields"] == {
            "recipient_id": ENDED_EARLY_PAIR.format(name=m.mentor.display_name)
        }

    def test_another_mentor_may_still_be_asked(self):
        m, _ = ended(mode=MatchingMode.SELF_SERVE)
        other = member(m.program, Role.MENTOR)
        request = services.request_create(
            sender=m.mentee, program_id=m.program_id, recipient_id=other.pk, message="Hello"
        )
        assert request.mentor == other


@pytest.mark.parametrize(
    ("mode", "requests", "asks", "offers_the_list"),
    [
        (MatchingMode.SELF_SERVE, True, False, True),
        (MatchingMode.COHORT, False, True, False),
        (MatchingMode.COHORT, True, True, True),
    ],
)
def test_the_notice_says_what_the_program_offers(mode, requests, asks, offers_the_list):
    """Journeys review: the notice asked 'whether you would like a new mentor' in self-serve
    programs too, where nothing asks it and the mentee chooses their own."""
    m, _ = ended(mode=mode, requests=requests)
    body = Notification.objects.get(recipient=m.mentee).body
    assert ("Tell the program's admins if you would like a new mentor" in body) is asks
    assert ("You can choose a new mentor yourself." in body) is offers_the_list
