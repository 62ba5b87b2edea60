"""Service rules of match runs: start, execute, pin/forbid, re-run, publish, discard."""

from __future__ import annotations

import pytest

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.matchruns import engine, execution, services
from tandem.matchruns.models import MatchConstraint, MatchRun, RunStatus
from tandem.matchruns.review import OUT_OF_DATE
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.programs.models import Enrolment, EnrolmentStatus, Role
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor
from tests.mentorships.factories import mentorship

pytestmark = pytest.mark.django_db


def start(run_tasks, user, program, **kwargs) -> MatchRun:
    with run_tasks():
        run = services.match_run_start(user=user, program=program, **kwargs)
    run.refresh_from_db()
    return run


def partner(run: MatchRun, user) -> int | None:
    pair = run.pairs.filter(mentee=user).first()
    return pair.mentor_id if pair else None


class TestMatchRunStart:
    def test_task_runs_and_stores_pairs_with_scores_and_reasons(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)

        assert run.status == RunStatus.DONE
        assert run.progress == 100
        assert run.started_at and run.finished_at
        assert partner(run, cohort["ada"]) == cohort["dana"].pk
        assert partner(run, cohort["bea"]) == cohort["eli"].pk
        assert partner(run, cohort["cem"]) == cohort["eli"].pk
        pair = run.pairs.get(mentee=cohort["ada"])
        assert 0 < pair.score <= 1
        assert any("sql" in reason["text"].lower() for reason in pair.reasons)
        assert run.report["matched"] == 3

    def test_run_starts_queued_until_the_transaction_commits(
        self, program, program_admin, cohort, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            run = services.match_run_start(
                user=program_admin, program=program, objective="fair", seed=7
            )
        assert len(callbacks) == 1
        run.refresh_from_db()
        assert (run.status, run.progress, run.objective, run.seed) == ("queued", 0, "fair", 7)

    def test_snapshots_inputs_so_a_run_is_reproducible(
        self, run_tasks, program, program_admin, cohort
    ):
        first = start(run_tasks, program_admin, program, seed=3)
        assert {m["id"] for m in first.inputs["mentees"]} == {
            str(cohort[k].pk) for k in ("ada", "bea", "cem")
        }
        # Executing the same snapshot again gives the same pairs and scores.
        copy = MatchRun.objects.create(program=program, seed=3, inputs=first.inputs)
        execution.match_run_execute(run_id=copy.pk)

        def as_set(run):
            return {(p.mentee_id, p.mentor_id, p.score) for p in run.pairs.all()}

        assert as_set(copy) == as_set(first)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"objective": "best"}, "objective"),
            ({"seed": -1}, "seed"),
            ({"seed": 2**31}, "seed"),
        ],
    )
    def test_bad_options_are_field_errors_and_write_nothing(
        self, program, program_admin, cohort, kwargs, field
    ):
        with pytest.raises(ApplicationError) as caught:
            services.match_run_start(user=program_admin, program=program, **kwargs)
        assert field in caught.value.fields
        assert not MatchRun.objects.exists()

    def test_only_program_admins_may_start(self, program, cohort):
        other_admin = admin(ProgramFactory())
        for user in (other_admin, cohort["ada"], cohort["dana"]):
            with pytest.raises(NotFound):
                services.match_run_start(user=user, program=program)
        assert not MatchRun.objects.exists()

    def test_refuses_a_cohort_without_mentors(self, program, program_admin):
        mentee(program)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_start(user=program_admin, program=program)
        assert caught.value.status == 409
        assert caught.value.message == services.EMPTY_COHORT.format(side="mentors")

    def test_says_so_when_every_active_mentee_already_has_a_mentorship(
        self, program, program_admin
    ):
        """Journeys review: after proposing a re-match the admin was sent to start a run,
        which answered "no active mentees to match yet. Approve enrolments first" while two
        were active, both still in a mentorship (a run leaves those out)."""
        mentorship(program=program, mentor=mentor(program), mentee=mentee(program))
        with pytest.raises(ApplicationError) as caught:
            services.match_run_start(user=program_admin, program=program)
        assert caught.value.status == 409
        assert caught.value.message == services.EVERY_MENTEE_MATCHED

    def test_engine_error_marks_the_run_failed_with_its_reason(
        self, run_tasks, program, program_admin, cohort, monkeypatch
    ):
        def broken(*args, **kwargs):
            raise ValueError("pinned pair breaks a hard rule")

        monkeypatch.setattr(engine, "solve", broken)
        run = start(run_tasks, program_admin, program)
        assert run.status == RunStatus.FAILED
        assert "pinned pair breaks a hard rule" in run.error
        assert not run.pairs.exists()

    def test_unmatched_mentees_are_stored_with_why(self, run_tasks, program, program_admin, cohort):
        loner = mentee(program, first_name="Fay", languages=["fi"])
        run = start(run_tasks, program_admin, program)
        unmatched = run.unmatched.get()
        assert unmatched.person == loner
        assert unmatched.reasons == [
            {"criterion": "language", "text": "no mentor shares a language", "kind": "note"}
        ]

    def test_a_run_is_solved_once_even_if_a_worker_runs_it_again(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        again = execution.match_run_execute(run_id=run.pk)
        assert again.status == RunStatus.DONE
        assert run.pairs.count() == 3


class TestCapacity:
    def test_current_load_reduces_capacity_and_full_mentors_get_nothing(
        self, run_tasks, program, program_admin, cohort
    ):
        other = mentee(program, first_name="Old")
        Enrolment.objects.filter(person=other).update(status=EnrolmentStatus.PAUSED)
        Mentorship.objects.create(
            program=program, mentor=cohort["dana"], mentee=other, state=MentorshipState.ACTIVE
        )

        run = start(run_tasks, program_admin, program)

        capacities = {m["id"]: m["capacity"] for m in run.inputs["mentors"]}
        assert capacities[str(cohort["dana"].pk)] == 0
        assert capacities[str(cohort["eli"].pk)] == 2
        assert not run.pairs.filter(mentor=cohort["dana"]).exists()
        assert run.pairs.count() == 2

    def test_mentees_already_matched_in_the_program_are_left_out(
        self, run_tasks, program, program_admin, cohort
    ):
        Mentorship.objects.create(
            program=program,
            mentor=cohort["eli"],
            mentee=cohort["cem"],
            state=MentorshipState.PROPOSED,
        )
        run = start(run_tasks, program_admin, program)
        assert str(cohort["cem"].pk) not in {m["id"] for m in run.inputs["mentees"]}


class TestConstraints:
    def test_pins_are_honoured_on_rerun(self, run_tasks, program, program_admin, cohort):
        first = start(run_tasks, program_admin, program)
        assert partner(first, cohort["cem"]) == cohort["eli"].pk

        services.match_run_constrain(
            user=program_admin,
            run=first,
            mentee_id=cohort["cem"].pk,
            mentor_id=cohort["dana"].pk,
            kind="pin",
        )
        with run_tasks():
            second = services.match_run_rerun(user=program_admin, run=first)
        second.refresh_from_db()

        assert second.parent == first
        assert second.constraints.get().kind == "pin"
        assert partner(second, cohort["cem"]) == cohort["dana"].pk
        assert second.pairs.get(mentee=cohort["cem"]).pinned
        assert partner(second, cohort["ada"]) != cohort["dana"].pk
        # The first run is untouched: a re-run is a what-if.
        assert partner(first, cohort["cem"]) == cohort["eli"].pk

    def test_forbids_are_honoured_on_rerun(self, run_tasks, program, program_admin, cohort):
        first = start(run_tasks, program_admin, program)
        services.match_run_constrain(
            user=program_admin,
            run=first,
            mentee_id=cohort["ada"].pk,
            mentor_id=cohort["dana"].pk,
            kind="forbid",
        )
        with run_tasks():
            second = services.match_run_rerun(user=program_admin, run=first, seed=5)
        second.refresh_from_db()
        assert second.seed == 5
        assert partner(second, cohort["ada"]) != cohort["dana"].pk

    def test_a_contradicting_decision_on_a_pair_is_refused_and_a_repeat_kept_once(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        ids = {"mentee_id": cohort["ada"].pk, "mentor_id": cohort["dana"].pk}
        pin = services.match_run_constrain(user=program_admin, run=run, kind="pin", **ids)
        assert services.match_run_constrain(user=program_admin, run=run, kind="pin", **ids) == pin
        with pytest.raises(ApplicationError) as caught:
            services.match_run_constrain(user=program_admin, run=run, kind="forbid", **ids)
        assert caught.value.status == 409
        assert list(run.constraints.values_list("kind", flat=True)) == ["pin"]

    @pytest.mark.parametrize(
        ("who", "field"),
        [
            ({"mentee_id": "dana", "mentor_id": "dana"}, "mentee_id"),
            ({"mentee_id": "ada", "mentor_id": "bea"}, "mentor_id"),
        ],
    )
    def test_people_outside_the_run_are_field_errors(
        self, run_tasks, program, program_admin, cohort, who, field
    ):
        run = start(run_tasks, program_admin, program)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_constrain(
                user=program_admin, run=run, kind="pin", **{k: cohort[v].pk for k, v in who.items()}
            )
        assert field in caught.value.fields
        assert not MatchConstraint.objects.exists()

    def test_bad_kind_is_a_field_error(self, run_tasks, program, program_admin, cohort):
        run = start(run_tasks, program_admin, program)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_constrain(
                user=program_admin,
                run=run,
                kind="maybe",
                mentee_id=cohort["ada"].pk,
                mentor_id=cohort["dana"].pk,
            )
        assert caught.value.fields == {"kind": services.BAD_KIND}

    def test_one_pin_per_mentee_and_no_more_pins_than_places(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        services.match_run_constrain(
            user=program_admin,
            run=run,
            kind="pin",
            mentee_id=cohort["ada"].pk,
            mentor_id=cohort["dana"].pk,
        )
        with pytest.raises(ApplicationError) as taken:
            services.match_run_constrain(
                user=program_admin,
                run=run,
                kind="pin",
                mentee_id=cohort["ada"].pk,
                mentor_id=cohort["eli"].pk,
            )
        assert "mentee_id" in taken.value.fields
        with pytest.raises(ApplicationError) as full:
            services.match_run_constrain(
                user=program_admin,
                run=run,
                kind="pin",
                mentee_id=cohort["bea"].pk,
                mentor_id=cohort["dana"].pk,
            )
        assert "mentor_id" in full.value.fields
        assert run.constraints.count() == 1

    def test_cannot_pin_people_who_excluded_each_other(
        self, run_tasks, program, program_admin, cohort
    ):
        Enrolment.objects.get(person=cohort["bea"], role=Role.MENTEE).exclude.add(cohort["dana"])
        run = start(run_tasks, program_admin, program)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_constrain(
                user=program_admin,
                run=run,
                kind="pin",
                mentee_id=cohort["bea"].pk,
                mentor_id=cohort["dana"].pk,
            )
        assert caught.value.fields["mentor_id"] == (
            f"{cohort['bea'].display_name} cannot be pinned to {cohort['dana'].display_name}: "
            f"{cohort['bea'].display_name} and {cohort['dana'].display_name} are never to be "
            "paired (set on their enrolment)."
        )

    def test_only_draft_runs_take_decisions(self, run_tasks, program, program_admin, cohort):
        run = start(run_tasks, program_admin, program)
        services.match_run_discard(user=program_admin, run=run)
        run.refresh_from_db()
        with pytest.raises(ApplicationError) as caught:
            services.match_run_constrain(
                user=program_admin,
                run=run,
                kind="forbid",
                mentee_id=cohort["ada"].pk,
                mentor_id=cohort["dana"].pk,
            )
        assert caught.value.status == 409

    def test_remove_a_decision(self, run_tasks, program, program_admin, cohort):
        run = start(run_tasks, program_admin, program)
        constraint = services.match_run_constrain(
            user=program_admin,
            run=run,
            kind="forbid",
            mentee_id=cohort["ada"].pk,
            mentor_id=cohort["dana"].pk,
        )
        services.match_run_unconstrain(user=program_admin, run=run, constraint_id=constraint.pk)
        assert not run.constraints.exists()
        with pytest.raises(NotFound):
            services.match_run_unconstrain(user=program_admin, run=run, constraint_id=constraint.pk)

    def test_rerun_drops_decisions_about_people_who_left(
        self, run_tasks, program, program_admin, cohort
    ):
        first = start(run_tasks, program_admin, program)
        services.match_run_constrain(
            user=program_admin,
            run=first,
            kind="forbid",
            mentee_id=cohort["ada"].pk,
            mentor_id=cohort["dana"].pk,
        )
        Enrolment.objects.filter(person=cohort["ada"]).update(status=EnrolmentStatus.REMOVED)
        with run_tasks():
            second = services.match_run_rerun(user=program_admin, run=first)
        assert not second.constraints.exists()


class TestPublish:
    def test_creates_every_proposed_mentorship_and_marks_the_run(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        with run_tasks():
            services.match_run_publish(user=program_admin, run=run)
        run.refresh_from_db()
        assert run.status == RunStatus.PUBLISHED
        assert run.published_by == program_admin
        made = {
            (m.mentee_id, m.mentor_id, m.state, m.match_run_ref) for m in Mentorship.objects.all()
        }
        assert made == {
            (p.mentee_id, p.mentor_id, "proposed", str(run.pk)) for p in run.pairs.all()
        }

    def test_refuses_when_a_person_left_and_says_who(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        Enrolment.objects.filter(person=cohort["bea"]).update(status=EnrolmentStatus.REMOVED)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_publish(user=program_admin, run=run)
        assert caught.value.status == 409
        (pair,) = run.pairs.filter(mentee=cohort["bea"])
        assert (
            services.PAIR_LEFT_PROGRAM.format(
                name=cohort["bea"].display_name,
                partners=pair.mentor.display_name,
                role="mentee",
            )
            in (caught.value.fields["pairs"])
        )
        assert not Mentorship.objects.exists()
        run.refresh_from_db()
        assert run.status == RunStatus.DONE

    def test_refuses_when_a_mentor_filled_up_meanwhile(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        newcomer = mentee(program, first_name="Gus")
        Mentorship.objects.create(program=program, mentor=cohort["dana"], mentee=newcomer)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_publish(user=program_admin, run=run)
        assert cohort["dana"].display_name + " is now full" in caught.value.fields["pairs"]
        assert Mentorship.objects.count() == 1

    def test_a_pair_failing_late_rolls_back_the_earlier_ones(
        self, run_tasks, program, program_admin, cohort, monkeypatch
    ):
        """All or nothing even when the mentorship service refuses the last pair."""
        run = start(run_tasks, program_admin, program)
        Enrolment.objects.filter(person=cohort["cem"]).update(status=EnrolmentStatus.REMOVED)
        monkeypatch.setattr(services, "_publish_problems", lambda run, pairs: [])
        with pytest.raises(ApplicationError):
            services.match_run_publish(user=program_admin, run=run)
        assert not Mentorship.objects.exists()
        run.refresh_from_db()
        assert run.status == RunStatus.DONE

    def test_a_run_made_before_another_was_published_is_out_of_date(
        self, run_tasks, program, program_admin, cohort
    ):
        first = start(run_tasks, program_admin, program)
        second = start(run_tasks, program_admin, program)
        services.match_run_publish(user=program_admin, run=second)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_publish(user=program_admin, run=first)
        assert caught.value.message == OUT_OF_DATE.format(other=second.pk)

    def test_only_finished_drafts_publish(
        self, program, program_admin, cohort, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            queued = services.match_run_start(user=program_admin, program=program)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_publish(user=program_admin, run=queued)
        assert caught.value.status == 409

    def test_participants_cannot_publish(self, run_tasks, program, program_admin, cohort):
        run = start(run_tasks, program_admin, program)
        with pytest.raises(NotFound):
            services.match_run_publish(user=cohort["eli"], run=run)
        assert not Mentorship.objects.exists()


class TestDiscard:
    def test_discard_a_draft_but_not_a_published_run(
        self, run_tasks, program, program_admin, cohort
    ):
        draft = start(run_tasks, program_admin, program)
        assert services.match_run_discard(user=program_admin, run=draft).status == "discarded"
        published = start(run_tasks, program_admin, program)
        services.match_run_publish(user=program_admin, run=published)
        with pytest.raises(ApplicationError) as caught:
            services.match_run_discard(user=program_admin, run=published)
        assert caught.value.message == services.NOT_DISCARDABLE

    def test_a_run_discarded_before_the_worker_starts_is_not_solved(
        self, program, program_admin, cohort, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            run = services.match_run_start(user=program_admin, program=program)
        services.match_run_discard(user=program_admin, run=run)
        assert execution.match_run_execute(run_id=run.pk).status == RunStatus.DISCARDED
        assert not run.pairs.exists()


def test_mentors_with_a_null_capacity_use_the_program_default(run_tasks, program_admin, program):
    program.default_capacity = 3
    program.save()
    mentee(program)
    dflt = mentor(program, capacity=None)
    run = start(run_tasks, program_admin, program)
    assert run.inputs["mentors"][0]["id"] == str(dflt.pk)
    assert run.inputs["mentors"][0]["capacity"] == 3
