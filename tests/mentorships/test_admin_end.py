"""Issue 10: an admin of the program (not one of the pair) ends a mentorship early, after a page
that says what will happen: both people told, the conversation closed to new messages, the
mentee asked how it went and offered a new mentor, the reason for the admins only, and the
timeline saying "ended by the program admin"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.mentorships import services
from tandem.mentorships.models import Meeting, MeetingStatus, MentorshipEvent, MentorshipState
from tandem.mentorships.services.early_end import early_end_feedback_url
from tandem.mentorships.services.ending import END_REASON_REQUIRED
from tandem.messaging.services import conversation_for_mentorship, message_send
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import UserFactory, meeting, member, mentorship, non_participants
from tests.programs.factories import EnrolmentFactory
from tests.untouched import submit_untouched

pytestmark = pytest.mark.django_db

REASON = "The mentor left the company last week."


def end(m, admin, reason=REASON):
    services.mentorship_end_early_as_admin(user=admin, mentorship_id=m.pk, reason=reason)
    m.refresh_from_db()
    return m


@pytest.fixture
def pair():
    m = mentorship()
    return m, non_participants(m)


class TestTheService:
    def test_it_ends_early_for_the_program_with_the_reason_kept(self, pair):
        m, cast = pair
        later = meeting(m, in_hours=48)
        end(m, cast["admin"])
        assert m.state == MentorshipState.ENDED_EARLY
        assert m.ended_by == cast["admin"] and m.ended_by_admin
        assert m.end_reason == REASON and m.ended_at is not None
        assert Meeting.objects.get(pk=later.pk).status == MeetingStatus.CANCELLED

    def test_the_timeline_says_the_program_admin_ended_it(self, pair):
        m, cast = pair
        end(m, cast["admin"])
        event = MentorshipEvent.objects.get(mentorship=m, kind="ended_early")
        assert event.actor == cast["admin"]
        assert event.summary == (f"Ended early by the program admin, {cast['admin'].display_name}.")

    def test_both_are_told_never_why_and_the_mentee_is_asked(self, pair):
        m, cast = pair
        end(m, cast["admin"])
        mentor_notice = Notification.objects.get(recipient=m.mentor)
        assert mentor_notice.title == (
            f"The admins of {m.program.name} ended your mentorship with {m.mentee.display_name}"
        )
        mentee_notice = Notification.objects.get(recipient=m.mentee)
        assert mentee_notice.title.startswith(f"The admins of {m.program.name} ended")
        assert mentee_notice.body.startswith("The program ended it.")
        assert "new mentor" in mentee_notice.body
        assert mentee_notice.url == early_end_feedback_url(m)
        told = [
            n.title + n.body
            for n in Notification.objects.filter(recipient__in=[m.mentor, m.mentee])
        ]
        assert all(REASON not in text for text in told)

    def test_the_other_admins_are_told_and_not_the_one_who_acted(self, pair):
        m, cast = pair
        other_admin = member(m.program, Role.ADMIN)
        end(m, cast["admin"])
        notice = Notification.objects.get(recipient=other_admin)
        assert notice.kind == Kind.ENDED_EARLY and REASON not in notice.title + notice.body
        assert not Notification.objects.filter(recipient=cast["admin"]).exists()

    def test_the_conversation_takes_no_new_messages(self, pair):
        m, cast = pair
        conversation = conversation_for_mentorship(user=m.mentee, mentorship_id=m.pk)
        message_send(user=m.mentee, conversation_id=conversation.pk, body="Hi", client_id="a1")
        end(m, cast["admin"])
        with pytest.raises(ApplicationError) as error:
            message_send(user=m.mentor, conversation_id=conversation.pk, body="Bye", client_id="b1")
        assert error.value.status == 409

    def test_a_proposed_one_can_be_ended_too(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        assert end(m, non_participants(m)["admin"]).state == MentorshipState.ENDED_EARLY

    @pytest.mark.parametrize("state", [MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY])
    def test_a_closed_one_cannot_end_again(self, state):
        m = mentorship(state=state)
        with pytest.raises(ApplicationError) as error:
            end(m, non_participants(m)["admin"])
        assert error.value.status == 409

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_reason_is_needed(self, pair, reason):
        m, cast = pair
        with pytest.raises(ApplicationError) as error:
            end(m, cast["admin"], reason=reason)
        assert error.value.fields == {"reason": END_REASON_REQUIRED}
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    def test_a_reason_too_long_is_refused_by_field(self, pair):
        m, cast = pair
        with pytest.raises(ApplicationError) as error:
            end(m, cast["admin"], reason="x" * 2001)
        assert "reason" in error.value.fields


def _who(m, cast, role):
    if role == "mentor":
        return m.mentor
    if role == "mentee":
        return m.mentee
    if role == "other program's admin":
        return member(cast["stranger"].enrolments.first().program, Role.ADMIN)
    if role == "site admin":
        return UserFactory(is_staff=True, is_superuser=True)
    return cast[role]


class TestWhoMay:
    """Only an admin of the program outside the pair; everyone else gets the 404 of a missing
    mentorship, from the service and from the page, and nothing changes."""

    REFUSED = [
        "mentor",
        "mentee",
        "same_program",
        "stranger",
        "other program's admin",
        "site admin",
    ]

    @pytest.mark.parametrize("role", REFUSED)
    def test_the_service_refuses(self, pair, role):
        m, cast = pair
        with pytest.raises(NotFound):
            end(m, _who(m, cast, role))
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    @pytest.mark.parametrize("role", REFUSED)
    def test_the_page_is_a_404(self, client, pair, role):
        m, cast = pair
        client.force_login(_who(m, cast, role))
        url = reverse("mentorship_admin_end", args=[m.pk])
        assert client.get(url).status_code == 404
        response = client.post(url, {"confirm": "yes", "reason": REASON})
        assert response.status_code == 404
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    def test_anonymous_is_sent_to_log_in(self, client, pair):
        m, _ = pair
        url = reverse("mentorship_admin_end", args=[m.pk])
        response = client.post(url, {"confirm": "yes", "reason": REASON})
        assert response.status_code == 302 and "/login/" in response["Location"]
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    def test_a_mentor_who_also_runs_the_program_ends_it_as_one_of_the_pair(self):
        m = mentorship()
        EnrolmentFactory(program=m.program, person=m.mentor, role=Role.ADMIN)
        with pytest.raises(NotFound):
            end(m, m.mentor)

    def test_an_unknown_id_is_the_same_404(self, client, pair):
        _, cast = pair
        client.force_login(cast["admin"])
        assert client.get(reverse("mentorship_admin_end", args=[999999])).status_code == 404


class TestThePage:
    def test_it_says_what_will_happen_first(self, client, pair):
        m, cast = pair
        client.force_login(cast["admin"])
        page = client.get(reverse("mentorship_admin_end", args=[m.pk])).content.decode()
        for words in (
            "are both told that the program ended it",
            "their conversation takes no new messages",
            "is asked how it went and offered a new mentor",
            "for the program&#x27;s admins only",
            "cannot be undone",
        ):
            assert words in page
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    def test_untouched_it_changes_nothing_and_asks_for_the_reason(self, client, pair):
        m, cast = pair
        client.force_login(cast["admin"])
        url = reverse("mentorship_admin_end", args=[m.pk])
        response = submit_untouched(client, url, url)
        assert response.status_code == 200
        assert "This field is required" in response.content.decode()
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    def test_without_the_confirmation_nothing_happens(self, client, pair):
        m, cast = pair
        client.force_login(cast["admin"])
        client.post(reverse("mentorship_admin_end", args=[m.pk]), {"reason": REASON})
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    def test_confirmed_it_ends_and_shows_the_mentorship(self, client, pair):
        m, cast = pair
        client.force_login(cast["admin"])
        response = client.post(
            reverse("mentorship_admin_end", args=[m.pk]),
            {"confirm": "yes", "reason": REASON, "category": "program"},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("mentorship_detail", args=[m.pk])
        page = client.get(response["Location"]).content.decode()
        assert "The mentorship has ended. Both of them have been told" in page
        assert "by the program admin" in page and REASON in page
        assert f"The program&#x27;s decision: {REASON}" in page
        m.refresh_from_db()
        assert (m.state, m.end_category) == (MentorshipState.ENDED_EARLY, "program")

    def test_the_pair_read_who_ended_it_never_why(self, client, pair):
        m, cast = pair
        end(m, cast["admin"])
        for person in (m.mentor, m.mentee):
            client.force_login(person)
            page = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
            assert f"by the program admin, {cast['admin'].display_name}" in page
            assert REASON not in page
            assert "Ended early by the program admin" in page  # the history

    def test_the_mentee_may_answer_how_it_went(self, client, pair):
        m, cast = pair
        end(m, cast["admin"])
        client.force_login(m.mentee)
        assert client.get(early_end_feedback_url(m)).status_code == 200

    def test_the_admin_overview_and_the_program_list_link_to_it(self, client, pair):
        m, cast = pair
        closed = mentorship(program=m.program, state=MentorshipState.COMPLETED)
        own = mentorship(program=m.program, mentor=cast["admin"])
        url = reverse("mentorship_admin_end", args=[m.pk])
        client.force_login(cast["admin"])
        assert url in client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
        listed = client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
        assert url in listed
        assert reverse("mentorship_admin_end", args=[closed.pk]) not in listed
        assert reverse("mentorship_admin_end", args=[own.pk]) not in listed
        closed_page = client.get(reverse("mentorship_detail", args=[closed.pk])).content.decode()
        assert reverse("mentorship_admin_end", args=[closed.pk]) not in closed_page


def test_a_pair_member_who_also_runs_the_program_never_reads_the_admins_reason(client):
    """Found by review: the program's list (page and API) showed another admin's end reason to
    the mentor who is also an admin of the program."""
    from tandem.people.services import api_token_create
    from tandem.programs.models import Role
    from tests.mentorships.factories import member, mentorship
    from tests.programs.factories import EnrolmentFactory

    reason = "SECRET-REASON-about-the-mentor"
    m = mentorship()
    admin = member(m.program, Role.ADMIN)
    EnrolmentFactory(program=m.program, person=m.mentor, role=Role.ADMIN)
    services.mentorship_end_early_as_admin(user=admin, mentorship_id=m.pk, reason=reason)
    client.force_login(m.mentor)
    page = client.get(reverse("program_mentorships", args=[m.program_id]))
    assert page.status_code == 200 and reason not in page.content.decode()
    _, secret = api_token_create(user=m.mentor, name="laptop")
    api = client.get(
        f"/api/mentorships/programs/{m.program_id}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert api.status_code == 200 and reason not in api.content.decode()
    client.force_login(admin)
    assert (
        reason in client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
    )


def test_the_program_list_names_the_category_with_the_reason(client):
    """A live journey: a mentee ended early for "Not the right fit"; the program's list gave
    the admins the reason and not the category, which the mentorship's overview names."""
    from tandem.mentorships.models.mentorships import EndCategory
    from tandem.programs.models import Role
    from tests.mentorships.factories import member, mentorship

    m = mentorship()
    admin = member(m.program, Role.ADMIN)
    services.mentorship_end_early(
        user=m.mentee, mentorship_id=m.pk, reason="Different pace", category=EndCategory.FIT
    )
    client.force_login(admin)
    listed = client.get(reverse("program_mentorships", args=[m.program_id])).content.decode()
    assert "Not the right fit: Different pace" in listed
    client.force_login(m.mentor)  # told only that it ended, never why
    listed = client.get(reverse("program_mentorships", args=[m.program_id]))
    assert "Not the right fit" not in listed.content.decode()
