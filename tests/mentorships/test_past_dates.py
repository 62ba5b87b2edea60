"""A target or due date being set must not have passed already (it would be overdue at once
and count against the pair's health), on the pages and in the API alike; a goal or an item
whose date has passed since keeps it when its progress or status is saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import ActionItem, ActionItemStatus, Goal, GoalState, Milestone
from tandem.mentorships.services.pauses import today_for
from tandem.mentorships.services.work import DATE_PASSED
from tests.mentorships.factories import action_item, call, mentorship, valid_content

pytestmark = pytest.mark.django_db
LONG_AGO = date(2020, 1, 1)


@pytest.fixture
def m():
    return mentorship()


class TestRefused:
    def test_a_goal_page_says_the_target_date_has_passed(self, client, m):
        client.force_login(m.mentee)
        response = client.post(
            reverse("goal_add", args=[m.pk]), {"title": "Speak", "target_date": "2020-01-01"}
        )
        assert response.status_code == 400
        assert response.context["goal_form"].errors["target_date"] == [DATE_PASSED]
        assert not Goal.objects.exists()

    def test_an_action_item_page_says_the_due_date_has_passed(self, client, m):
        client.force_login(m.mentee)
        response = client.post(
            reverse("action_item_add", args=[m.pk]),
            {"description": "Outline", "owner": m.mentee_id, "due_on": "2020-01-01"},
        )
        assert response.context["action_form"].errors["due_on"] == [DATE_PASSED]
        assert not ActionItem.objects.exists()

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("goals", {"title": "Speak", "target_date": "2020-01-01"}, "target_date"),
            ("action-items", {"description": "Outline", "due_on": "2020-01-01"}, "due_on"),
        ],
    )
    def test_the_api_names_the_field(self, client, m, path, body, field):
        body = {**body, "owner_id": m.mentee_id} if path == "action-items" else body
        response = call(client, "post", f"/api/mentorships/{m.pk}/{path}", m.mentee, body)
        assert response.status_code == 400
        assert response.json()["fields"] == {field: DATE_PASSED}
        assert not Goal.objects.exists() and not ActionItem.objects.exists()

    def test_a_milestone_too(self, m):
        goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Speak")
        with pytest.raises(ApplicationError) as refused:
            services.milestone_add(user=m.mentee, goal_id=goal.pk, title="Draft", due_on=LONG_AGO)
        assert refused.value.fields == {"due_on": DATE_PASSED}
        assert not Milestone.objects.exists()

    def test_today_where_the_person_is_is_accepted(self, m):
        today, _ = today_for(m.mentee)
        goal = services.goal_create(
            user=m.mentee, mentorship_id=m.pk, title="Speak", target_date=today
        )
        assert goal.target_date == today
        with pytest.raises(ApplicationError):
            services.goal_create(
                user=m.mentee,
                mentorship_id=m.pk,
                title="Late",
                target_date=today - timedelta(days=1),
            )


class TestADateThatHasPassedSince:
    def test_saving_a_goals_progress_keeps_it(self, m):
        goal = Goal.objects.create(mentorship=m, title="Speak", target_date=LONG_AGO)
        services.goal_update_progress(
            user=m.mentee, goal_id=goal.pk, state=GoalState.IN_PROGRESS, percent=40
        )
        goal.refresh_from_db()
        assert (goal.target_date, goal.percent) == (LONG_AGO, 40)

    def test_setting_an_items_status_keeps_it(self, m):
        item = action_item(m, due_on=LONG_AGO)
        for status in (ActionItemStatus.DONE, ActionItemStatus.OPEN):
            services.action_item_set_status(user=m.mentee, action_item_id=item.pk, status=status)
            item.refresh_from_db()
            assert (item.status, item.due_on) == (status, LONG_AGO)


class TestAgreementObjectives:
    """An objective's target date becomes its goal's when the agreement takes effect."""

    def test_a_new_target_date_that_has_passed_is_refused(self, m):
        content = valid_content(m.program)
        content["objectives"][0]["target_date"] = "2020-01-01"
        with pytest.raises(ApplicationError) as refused:
            services.agreement_propose(user=m.mentor, mentorship_id=m.pk, content=content)
        assert refused.value.fields == {"objectives.1.target_date": DATE_PASSED}
        assert m.agreement_versions.count() == 1

    def test_a_target_date_the_latest_version_had_is_kept_once_passed(self, m):
        content = valid_content(m.program)
        content["objectives"][0]["target_date"] = "2020-01-01"
        m.agreement_versions.update(content=content)
        amended = {**content, "cadence": "monthly"}
        version, created = services.agreement_propose(
            user=m.mentor, mentorship_id=m.pk, content=amended
        )
        assert created and version.content["objectives"][0]["target_date"] == "2020-01-01"
