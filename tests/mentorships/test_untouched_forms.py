"""Issue 8: a form opened and saved untouched changes nothing. Saving the agreement or a goal's
progress as it stands makes no version or update and asks nobody to sign, on the page (a
"Nothing changed" message) and in the API (200 with what stands instead of 201)."""

import json

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import AgreementVersion, GoalState, GoalUpdate, MentorshipState
from tandem.mentorships.services.agreement_content import (
    MAX_OBJECTIVES,
    TOO_LONG,
    TOO_MANY_OBJECTIVES,
)
from tandem.mentorships.views.agreement import AGREEMENT_UNCHANGED
from tandem.mentorships.views.goals import PROGRESS_UNCHANGED
from tandem.notify.models import Notification
from tests.mentorships.factories import meeting, mentorship, valid_content
from tests.untouched import submit_untouched

pytestmark = pytest.mark.django_db


def objectives(n: int) -> list[dict]:
    return [{"goal": f"Goal {i}", "measure": "", "target_date": ""} for i in range(1, n + 1)]


def api(client, user, url: str, body: dict):
    client.force_login(user)
    return client.post(url, json.dumps(body), content_type="application/json")


class TestAgreementSavedUnchanged:
    def test_service_makes_no_version_and_asks_nobody_to_sign(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        first, created = services.agreement_propose(
            user=m.mentee, mentorship_id=m.pk, content=valid_content(m.program)
        )
        assert created
        before = Notification.objects.count()
        same = valid_content(m.program, confidentiality=" " + first.content["confidentiality"])
        same["objectives"] = [*first.content["objectives"], {"goal": "", "measure": ""}]
        again, created = services.agreement_propose(user=m.mentor, mentorship_id=m.pk, content=same)
        assert (again.pk, created) == (first.pk, False)
        assert AgreementVersion.objects.filter(mentorship=m).count() == 2
        assert Notification.objects.count() == before

    def test_crlf_line_breaks_are_the_same_text(self):
        m = mentorship()
        text = "Come prepared.\nSay early when stuck."
        version, _ = services.agreement_propose(
            user=m.mentor,
            mentorship_id=m.pk,
            content=valid_content(m.program, desired_outcomes=text.replace("\n", "\r\n")),
        )
        assert version.content["desired_outcomes"] == text
        again, created = services.agreement_propose(
            user=m.mentee,
            mentorship_id=m.pk,
            content=valid_content(m.program, desired_outcomes=text),
        )
        assert (again.pk, created) == (version.pk, False)

    def test_one_line_fields_keep_no_line_break(self, client):
        m = mentorship()
        content = valid_content(
            m.program,
            focus_areas="design\r\nreviews",
            objectives=[{"goal": "Lead\na review", "measure": "two\n", "target_date": ""}],
        )
        version, _ = services.agreement_propose(user=m.mentor, mentorship_id=m.pk, content=content)
        assert version.content["focus_areas"] == "design reviews"
        assert version.content["objectives"][0]["goal"] == "Lead a review"
        client.force_login(m.mentee)
        url = reverse("agreement_edit", args=[m.pk])
        submit_untouched(client, url, url)
        assert m.agreement_versions.count() == 2

    def test_a_change_still_makes_a_version(self):
        m = mentorship()
        current = m.agreement_versions.get().content
        version, created = services.agreement_propose(
            user=m.mentor, mentorship_id=m.pk, content={**current, "meeting_minutes": 60}
        )
        assert created and version.number == 2

    def test_page_saved_untouched_says_nothing_changed(self, client):
        m = mentorship()
        text = "Line one\nline two"
        services.agreement_propose(
            user=m.mentor,
            mentorship_id=m.pk,
            content=valid_content(m.program, desired_outcomes=text),
        )
        client.force_login(m.mentee)
        url = reverse("agreement_edit", args=[m.pk])
        response = submit_untouched(client, url, url)
        assert response.redirect_chain[-1][0] == reverse("agreement_version", args=[m.pk, 2])
        assert AGREEMENT_UNCHANGED.format(number=2) in response.content.decode()
        assert m.agreement_versions.count() == 2
        assert not Notification.objects.filter(recipient=m.mentor, kind="agreement").exists()

    def test_page_keeps_every_objective_of_an_api_version(self, client):
        m = mentorship()
        many = valid_content(m.program, objectives=objectives(MAX_OBJECTIVES))
        services.agreement_propose(user=m.mentor, mentorship_id=m.pk, content=many)
        client.force_login(m.mentee)
        url = reverse("agreement_edit", args=[m.pk])
        submit_untouched(client, url, url)
        assert m.agreement_versions.count() == 2
        latest = m.agreement_versions.order_by("-number").first()
        assert len(latest.content["objectives"]) == MAX_OBJECTIVES

    def test_too_many_or_too_long_objectives_are_refused_not_cut(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            services.agreement_propose(
                user=m.mentor,
                mentorship_id=m.pk,
                content=valid_content(m.program, objectives=objectives(MAX_OBJECTIVES + 1)),
            )
        assert error.value.fields == {
            "objectives": TOO_MANY_OBJECTIVES.format(limit=MAX_OBJECTIVES)
        }
        long_goal = [{"goal": "x" * 201, "measure": "", "target_date": ""}]
        with pytest.raises(ApplicationError) as error:
            services.agreement_propose(
                user=m.mentor,
                mentorship_id=m.pk,
                content=valid_content(m.program, objectives=long_goal),
            )
        assert error.value.fields == {"objectives.1.goal": TOO_LONG.format(limit=200)}
        assert m.agreement_versions.count() == 1

    def test_api_answers_200_with_the_latest_version(self, client):
        m = mentorship(state=MentorshipState.PROPOSED)
        url = f"/api/mentorships/{m.pk}/agreement/versions"
        created = api(client, m.mentee, url, valid_content(m.program))
        assert created.status_code == 201 and created.json()["number"] == 2
        again = api(client, m.mentor, url, valid_content(m.program))
        assert again.status_code == 200
        assert (again.json()["number"], again.json()["in_effect"]) == (2, False)
        assert m.agreement_versions.count() == 2


class TestGoalProgressSavedUnchanged:
    @pytest.fixture
    def goal(self):
        m = mentorship()
        goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Write a post")
        services.goal_update_progress(
            user=m.mentee, goal_id=goal.pk, state=GoalState.IN_PROGRESS, percent=40
        )
        return goal

    def test_service_records_nothing(self, goal):
        m = goal.mentorship
        same, update = services.goal_update_progress(
            user=m.mentor, goal_id=goal.pk, state=GoalState.IN_PROGRESS, percent=40, note="  "
        )
        assert (same.pk, update) == (goal.pk, None)
        assert GoalUpdate.objects.filter(goal=goal).count() == 1

    def test_a_note_or_a_change_is_recorded(self, goal):
        m = goal.mentorship
        for kwargs in (
            {"state": GoalState.IN_PROGRESS, "percent": 40, "note": "Outline done"},
            {"state": GoalState.IN_PROGRESS, "percent": 50},
            {"state": GoalState.ACHIEVED, "percent": 50},
        ):
            _, update = services.goal_update_progress(user=m.mentor, goal_id=goal.pk, **kwargs)
            assert update is not None
        assert GoalUpdate.objects.filter(goal=goal).count() == 4
        _, update = services.goal_update_progress(
            user=m.mentor, goal_id=goal.pk, state=GoalState.ACHIEVED, percent=10
        )
        assert update is None  # achieved is 100% whatever is sent

    def test_page_saved_untouched_says_nothing_changed(self, client, goal):
        client.force_login(goal.mentorship.mentor)
        page = reverse("mentorship_detail", args=[goal.mentorship_id])
        response = submit_untouched(client, page, reverse("goal_progress", args=[goal.pk]))
        assert response.status_code == 200
        assert PROGRESS_UNCHANGED in response.content.decode()
        assert GoalUpdate.objects.filter(goal=goal).count() == 1

    def test_api_answers_200_with_the_goal(self, client, goal):
        url = f"/api/mentorships/goals/{goal.pk}/progress"
        body = {"state": GoalState.IN_PROGRESS, "percent": 40}
        response = api(client, goal.mentorship.mentee, url, body)
        assert response.status_code == 200
        assert response.json() == {
            "id": goal.pk,
            "title": "Write a post",
            "measure": "",
            "target_date": None,
            "state": "in_progress",
            "percent": 40,
        }
        assert GoalUpdate.objects.filter(goal=goal).count() == 1
        assert api(client, goal.mentorship.mentee, url, {**body, "percent": 45}).status_code == 201


def test_shared_notes_saved_untouched_keep_their_line_breaks(client):
    m = mentorship()
    mt = meeting(m)
    services.meeting_notes_update(user=m.mentor, meeting_id=mt.pk, shared_notes="One\nTwo")
    client.force_login(m.mentee)
    page = reverse("meeting_detail", args=[mt.pk])
    submit_untouched(client, page, reverse("meeting_notes", args=[mt.pk]))
    mt.refresh_from_db()
    assert mt.shared_notes == "One\nTwo"
