"""Mentorship states, the agreement (versions and signatures), goals, action items, ending."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import (
    ActionItemStatus,
    AgreementVersion,
    Goal,
    GoalState,
    Meeting,
    MeetingStatus,
    Mentorship,
    MentorshipState,
)
from tandem.mentorships.models.mentorships import EndCategory
from tandem.mentorships.services import ending
from tandem.mentorships.services import lifecycle as L
from tandem.mentorships.services import work as W
from tandem.mentorships.services.agreement import OLD_VERSION
from tandem.mentorships.services.agreement_content import (
    ENDS_BEFORE_START,
    OBJECTIVES_REQUIRED,
)
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.mentorships.factories import (
    ProgramFactory,
    action_item,
    meeting,
    member,
    mentorship,
    valid_content,
)

pytestmark = pytest.mark.django_db


def test_transition_table_is_closed():
    assert L.TRANSITIONS[MentorshipState.COMPLETED] == set()
    assert L.TRANSITIONS[MentorshipState.ENDED_EARLY] == set()
    assert MentorshipState.ACTIVE in L.TRANSITIONS[MentorshipState.PROPOSED]


def test_one_open_mentorship_per_pair_is_a_db_constraint():
    m = mentorship()
    with pytest.raises(IntegrityError):
        Mentorship.objects.create(program=m.program, mentor=m.mentor, mentee=m.mentee)


def test_closed_mentorship_does_not_block_a_new_one():
    m = mentorship(state=MentorshipState.COMPLETED)
    new = Mentorship.objects.create(program=m.program, mentor=m.mentor, mentee=m.mentee)
    pair = Mentorship.objects.filter(program=m.program, mentor=m.mentor, mentee=m.mentee)
    assert dict(pair.values_list("pk", "state")) == {
        m.pk: MentorshipState.COMPLETED,
        new.pk: MentorshipState.PROPOSED,
    }


class TestAgreement:
    def test_both_sign_makes_active_and_creates_goals(self, django_capture_on_commit_callbacks):
        m = mentorship(state=MentorshipState.PROPOSED)
        version, created = services.agreement_propose(
            user=m.mentee, mentorship_id=m.pk, content=valid_content(m.program)
        )
        assert created and version.number == 2
        services.agreement_sign(user=m.mentee, mentorship_id=m.pk, number=2)
        m.refresh_from_db()
        assert m.state == MentorshipState.PROPOSED
        with django_capture_on_commit_callbacks(execute=True):
            services.agreement_sign(user=m.mentor, mentorship_id=m.pk, number=2)
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE and m.activated_at
        assert m.ends_on == date.fromisoformat(version.content["ends_on"])
        assert list(Goal.objects.filter(mentorship=m).values_list("title", flat=True)) == [
            "Give a conference talk"
        ]
        assert Notification.objects.filter(kind="mentorship", recipient=m.mentor).exists()

    def test_signing_old_version_is_refused_and_changes_nothing(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        services.agreement_propose(
            user=m.mentee, mentorship_id=m.pk, content=valid_content(m.program)
        )
        with pytest.raises(ApplicationError) as error:
            services.agreement_sign(user=m.mentor, mentorship_id=m.pk, number=1)
        assert error.value.status == 409
        assert error.value.message == OLD_VERSION.format(number=1, latest=2)
        assert not AgreementVersion.objects.filter(signed_by_mentor_at__isnull=False).exists()

    def test_signing_twice_is_refused(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        services.agreement_sign(user=m.mentee, mentorship_id=m.pk, number=1)
        with pytest.raises(ApplicationError):
            services.agreement_sign(user=m.mentee, mentorship_id=m.pk, number=1)

    def test_missing_version(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        with pytest.raises(ApplicationError) as error:
            services.agreement_sign(user=m.mentee, mentorship_id=m.pk, number=9)
        assert error.value.status == 404

    def test_outsider_and_admin_cannot_sign(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        for user in (member(m.program, Role.MENTOR), member(m.program, Role.ADMIN)):
            with pytest.raises(ApplicationError) as error:
                services.agreement_sign(user=user, mentorship_id=m.pk, number=1)
            assert error.value.status == 404

    def test_amendment_takes_effect_when_both_sign(self):
        m = mentorship()
        new_end = (date.today() + timedelta(weeks=30)).isoformat()
        amendment, _created = services.agreement_propose(
            user=m.mentor, mentorship_id=m.pk, content=valid_content(m.program, ends_on=new_end)
        )
        services.agreement_sign(user=m.mentor, mentorship_id=m.pk, number=amendment.number)
        m.refresh_from_db()
        assert m.ends_on != date.fromisoformat(new_end)  # not both yet
        services.agreement_sign(user=m.mentee, mentorship_id=m.pk, number=amendment.number)
        m.refresh_from_db()
        assert m.ends_on == date.fromisoformat(new_end)
        assert m.state == MentorshipState.ACTIVE
        assert AgreementVersion.objects.filter(mentorship=m).count() == 2

    def test_an_amendments_new_objective_becomes_a_goal(self):
        # A live journey: the mentee's amendment added an objective; once both signed it, the
        # goals still listed only the first version's (the page says objectives become goals).
        m = mentorship(state=MentorshipState.PROPOSED)
        services.agreement_propose(
            user=m.mentee, mentorship_id=m.pk, content=valid_content(m.program)
        )
        for user in (m.mentee, m.mentor):
            services.agreement_sign(user=user, mentorship_id=m.pk, number=2)
        first = Goal.objects.get(mentorship=m)
        services.goal_update_progress(
            user=m.mentee, goal_id=first.pk, state=GoalState.IN_PROGRESS, percent=40
        )
        objectives = [
            {"goal": "Give a conference talk", "measure": "Two talks", "target_date": ""},
            {"goal": "Write a blog post", "measure": "Published", "target_date": ""},
        ]
        amendment, _created = services.agreement_propose(
            user=m.mentee,
            mentorship_id=m.pk,
            content=valid_content(m.program, objectives=objectives),
        )
        services.agreement_sign(user=m.mentee, mentorship_id=m.pk, number=amendment.number)
        assert Goal.objects.filter(mentorship=m).count() == 1  # not both yet
        services.agreement_sign(user=m.mentor, mentorship_id=m.pk, number=amendment.number)
        goals = {g.title: g for g in Goal.objects.filter(mentorship=m)}
        assert set(goals) == {"Give a conference talk", "Write a blog post"}
        assert goals["Write a blog post"].measure == "Published"
        # The goal already there keeps what the pair did with it.
        kept = goals["Give a conference talk"]
        assert (kept.pk, kept.percent, kept.measure) == (first.pk, 40, "Talk accepted")
        assert m.events.filter(summary__endswith="Its new objective became a goal.").exists()

    def test_error_words(self):
        with pytest.raises(ApplicationError) as error:
            services.agreement_propose(
                user=(m := mentorship(state=MentorshipState.PROPOSED)).mentee,
                mentorship_id=m.pk,
                content=valid_content(objectives=[], starts_on="2030-02-01", ends_on="2030-01-01"),
            )
        assert error.value.fields["objectives"] == OBJECTIVES_REQUIRED
        assert error.value.fields["ends_on"] == ENDS_BEFORE_START

    @pytest.mark.parametrize(
        "overrides,field",
        [
            ({"objectives": []}, "objectives"),
            ({"ends_on": "2020-01-01", "starts_on": "2020-02-01"}, "ends_on"),
            ({"cadence": "daily"}, "cadence"),
            ({"meeting_minutes": 5}, "meeting_minutes"),
            ({"confidentiality": ""}, "confidentiality"),
            ({"starts_on": "not a date"}, "starts_on"),
        ],
    )
    def test_invalid_content_gets_field_errors_and_writes_nothing(self, overrides, field):
        m = mentorship(state=MentorshipState.PROPOSED)
        with pytest.raises(ApplicationError) as error:
            services.agreement_propose(
                user=m.mentee, mentorship_id=m.pk, content=valid_content(m.program, **overrides)
            )
        assert field in error.value.fields
        assert AgreementVersion.objects.filter(mentorship=m).count() == 1

    def test_cannot_propose_on_ended_mentorship(self):
        m = mentorship(state=MentorshipState.ENDED_EARLY)
        with pytest.raises(ApplicationError) as error:
            services.agreement_propose(
                user=m.mentee, mentorship_id=m.pk, content=valid_content(m.program)
            )
        assert error.value.status == 409


class TestCreateFromMatch:
    def test_all_pairs_created_proposed(self):
        program = ProgramFactory()
        pairs = [(member(program, Role.MENTOR), member(program, Role.MENTEE)) for _ in range(2)]
        created = services.mentorship_create_from_match(
            program=program, pairs=pairs, match_run_ref=42
        )
        assert [m.state for m in created] == [MentorshipState.PROPOSED] * 2
        assert all(m.match_run_ref == "42" and m.origin_request is None for m in created)
        assert AgreementVersion.objects.count() == 2

    def test_all_or_nothing(self):
        program = ProgramFactory()
        good = (member(program, Role.MENTOR), member(program, Role.MENTEE))
        bad = (member(program, Role.MENTEE), member(program, Role.MENTEE))
        with pytest.raises(ApplicationError):
            services.mentorship_create_from_match(
                program=program, pairs=[good, bad], match_run_ref="run-1"
            )
        assert not Mentorship.objects.exists()

    def test_capacity_respected(self):
        program = ProgramFactory()
        mentor = member(program, Role.MENTOR, capacity=1)
        pairs = [(mentor, member(program, Role.MENTEE)), (mentor, member(program, Role.MENTEE))]
        with pytest.raises(ApplicationError):
            services.mentorship_create_from_match(program=program, pairs=pairs, match_run_ref=1)
        assert not Mentorship.objects.exists()


class TestEnding:
    def test_end_early_reason_private_and_meetings_cancelled(
        self, django_capture_on_commit_callbacks
    ):
        m = mentorship()
        future = meeting(m)
        with django_capture_on_commit_callbacks(execute=True):
            services.mentorship_end_early(
                user=m.mentee, mentorship_id=m.pk, reason="Personal circumstances"
            )
        m.refresh_from_db()
        assert (m.state, m.ended_by, m.end_reason) == (
            MentorshipState.ENDED_EARLY,
            m.mentee,
            "Personal circumstances",
        )
        future.refresh_from_db()
        assert future.status == MeetingStatus.CANCELLED and future.sequence == 1
        note = Notification.objects.get(recipient=m.mentor, kind="mentorship")
        assert "Personal circumstances" not in note.title + note.body
        assert "Personal circumstances" not in "".join(m.events.values_list("summary", flat=True))

    def test_end_early_records_a_category_that_must_be_one_of_the_list(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            services.mentorship_end_early(
                user=m.mentee, mentorship_id=m.pk, reason="Busy", category="bored"
            )
        assert set(error.value.fields) == {"category"}
        m.refresh_from_db()
        assert (m.state, m.end_category) == (MentorshipState.ACTIVE, "")
        services.mentorship_end_early(
            user=m.mentee, mentorship_id=m.pk, reason="Busy", category=EndCategory.SCHEDULE
        )
        m.refresh_from_db()
        assert (m.state, m.end_category) == (MentorshipState.ENDED_EARLY, EndCategory.SCHEDULE)

    def test_end_early_needs_reason(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            services.mentorship_end_early(user=m.mentor, mentorship_id=m.pk, reason=" ")
        assert error.value.fields == {"reason": ending.END_REASON_REQUIRED}
        m.refresh_from_db()
        assert m.state == MentorshipState.ACTIVE

    def test_proposed_can_end_early(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        services.mentorship_end_early(user=m.mentor, mentorship_id=m.pk, reason="Not a fit")
        m.refresh_from_db()
        assert (m.state, m.ended_by, m.end_reason) == (
            MentorshipState.ENDED_EARLY,
            m.mentor,
            "Not a fit",
        )
        assert m.ended_at is not None

    def test_cannot_end_twice(self):
        m = mentorship(state=MentorshipState.COMPLETED)
        with pytest.raises(ApplicationError) as error:
            services.mentorship_end_early(user=m.mentor, mentorship_id=m.pk, reason="x")
        assert error.value.status == 409

    def test_complete_only_at_or_after_end(self):
        m = mentorship()
        with pytest.raises(ApplicationError) as error:
            services.mentorship_complete(user=m.mentee, mentorship_id=m.pk, reflection="Good")
        assert error.value.status == 409
        Mentorship.objects.filter(pk=m.pk).update(ends_on=timezone.localdate())
        done = services.mentorship_complete(
            user=m.mentee, mentorship_id=m.pk, reflection="I gave the talk!"
        )
        assert done.state == MentorshipState.COMPLETED and done.closing_reflection

    def test_complete_needs_reflection_and_active(self):
        m = mentorship(state=MentorshipState.PROPOSED)
        with pytest.raises(ApplicationError) as error:
            services.mentorship_complete(user=m.mentee, mentorship_id=m.pk, reflection="")
        assert "reflection" in error.value.fields
        with pytest.raises(ApplicationError) as error:
            services.mentorship_complete(user=m.mentee, mentorship_id=m.pk, reflection="ok")
        assert error.value.message == L.NOT_ACTIVE_YET


class TestGoalsAndActionItems:
    def test_goal_progress_history(self):
        m = mentorship()
        goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="Write a blog post")
        services.goal_update_progress(
            user=m.mentor, goal_id=goal.pk, state=GoalState.IN_PROGRESS, percent=40, note="Drafted"
        )
        services.goal_update_progress(
            user=m.mentee, goal_id=goal.pk, state=GoalState.ACHIEVED, percent=90
        )
        goal.refresh_from_db()
        assert (goal.state, goal.percent) == (GoalState.ACHIEVED, 100)
        assert goal.updates.count() == 2

    @pytest.mark.parametrize("percent", [-1, 101])
    def test_bad_percent(self, percent):
        m = mentorship()
        goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="x")
        with pytest.raises(ApplicationError) as error:
            services.goal_update_progress(
                user=m.mentee, goal_id=goal.pk, state="in_progress", percent=percent
            )
        assert error.value.fields == {"percent": W.BAD_PERCENT}

    def test_outsider_cannot_touch_goal(self):
        m = mentorship()
        goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="x")
        with pytest.raises(ApplicationError) as error:
            services.goal_update_progress(
                user=member(m.program, Role.ADMIN), goal_id=goal.pk, state="in_progress", percent=5
            )
        assert error.value.status == 404

    def test_milestones(self):
        m = mentorship()
        goal = services.goal_create(user=m.mentee, mentorship_id=m.pk, title="x")
        milestone = services.milestone_add(user=m.mentor, goal_id=goal.pk, title="Outline")
        assert services.milestone_toggle(user=m.mentee, milestone_id=milestone.pk).done_at
        with pytest.raises(ApplicationError):
            services.milestone_toggle(user=member(m.program), milestone_id=milestone.pk)

    def test_action_item_owner_must_be_participant(self):
        m = mentorship()
        outsider = member(m.program)
        with pytest.raises(ApplicationError) as error:
            services.action_item_create(
                user=m.mentor, mentorship_id=m.pk, description="x", owner_id=outsider.pk
            )
        assert error.value.fields == {"owner": W.OWNER_NOT_PARTICIPANT}

    def test_action_item_from_meeting_and_notifies_owner(self):
        m = mentorship()
        mt = meeting(m)
        item = services.action_item_create(
            user=m.mentor,
            mentorship_id=m.pk,
            description="Send slides",
            owner_id=m.mentee_id,
            meeting_id=mt.pk,
            due_on=date.today(),
        )
        assert item.meeting == mt
        assert Notification.objects.filter(recipient=m.mentee, kind="action_item").exists()
        other = meeting(mentorship())
        with pytest.raises(ApplicationError) as error:
            services.action_item_create(
                user=m.mentor,
                mentorship_id=m.pk,
                description="x",
                owner_id=m.mentee_id,
                meeting_id=other.pk,
            )
        assert "meeting" in error.value.fields

    def test_toggle_status(self):
        m = mentorship()
        item = action_item(m)
        done = services.action_item_set_status(
            user=m.mentor, action_item_id=item.pk, status=ActionItemStatus.DONE
        )
        assert done.done_at
        reopened = services.action_item_set_status(
            user=m.mentor, action_item_id=item.pk, status=ActionItemStatus.OPEN
        )
        assert reopened.done_at is None
        with pytest.raises(ApplicationError):
            services.action_item_set_status(user=m.mentor, action_item_id=item.pk, status="later")


def test_midpoint_review_once():
    m = mentorship(ends_on=date.today() + timedelta(days=10))
    Mentorship.objects.filter(pk=m.pk).update(starts_on=date.today() - timedelta(days=20))
    now = timezone.now()
    assert services.mentorships_midpoint_review(now=now) == 2
    assert services.mentorships_midpoint_review(now=now) == 0
    services.mentorship_confirm_midpoint(user=m.mentee, mentorship_id=m.pk)
    m.refresh_from_db()
    assert m.midpoint_confirmed_at


def test_meeting_model_helpers():
    m = mentorship()
    mt = meeting(m)
    assert mt.ends_at - mt.starts_at == timedelta(minutes=45)
    assert not Meeting.objects.get(pk=mt.pk).is_moved_occurrence
