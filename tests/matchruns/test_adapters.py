"""The one Profile+Enrolment → participant record mapping, and its JSON round trip."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from unittest import mock

import pytest

from tandem.matching.profiles import REFERENCE_WEEK, Mentee, Mentor
from tandem.matchruns import engine
from tandem.matchruns.adapters import (
    Cohort,
    cohort_from_json,
    cohort_to_json,
    participants_for_program,
)
from tandem.programs.models import Enrolment, EnrolmentStatus, ProgramType, Role
from tests.matchruns.factories import EnrolmentFactory, ProgramFactory, mentee, mentor, person

pytestmark = pytest.mark.django_db


@contextmanager
def time_machine(day: date):
    """``timezone.now()`` at noon UTC on ``day``."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=noon):
        yield


def test_manager_named_by_email_is_found_among_the_participants():
    """A manager named before they had an account is still kept apart from their report."""
    program = ProgramFactory(avoid_manager=True)
    teacher = mentor(program)
    learner = mentee(program)
    learner.profile.manager_email = teacher.email.upper()
    learner.profile.save()
    cohort = participants_for_program(program=program)
    assert cohort.mentees[0].manager == str(teacher.pk)


def test_maps_profile_and_enrolment_fields_to_records(django_assert_max_num_queries):
    program = ProgramFactory(
        program_type=ProgramType.REVERSE,
        avoid_manager=True,
        avoid_same_department=True,
        # identity: stored before programs stopped weighing it; runs drop it as unknown.
        weights={"text": 4, "skills": 2, "unknown": 9, "identity": 10},
    )
    boss = person()
    learner = mentee(
        program,
        goals="Learn Rust",
        wanted=["Rust", "Go"],
        seniority=6,
        languages=["en", "de"],
        timezone="Europe/Berlin",
        city="Berlin",
        meeting_format="in_person",
        cadence="weekly",
        department="Sales",
        manager=boss,
        working_style={"pace": 4, "bad": 9},
        windows=[(0, 540, 720), (4, 1320, 1440)],
        identity=["Zorblaxian"],
    )
    teacher = mentor(
        program, capacity=3, expertise="Systems programming", offered=["Rust"], seniority=2
    )
    Enrolment.objects.get(person=learner, role=Role.MENTEE).exclude.add(teacher)
    mentee(program, first_name="Pending").enrolments.update(status=EnrolmentStatus.PENDING)

    with django_assert_max_num_queries(12):
        cohort = participants_for_program(program=program)

    assert [m.id for m in cohort.mentees] == [str(learner.pk)]
    record = cohort.mentees[0]
    assert record.goals == "Learn Rust"
    assert set(record.skills_wanted) == {"Rust", "Go"}
    assert record.seniority == 6.0
    assert record.languages == ("en", "de")
    assert (record.timezone, record.city, record.format, record.cadence) == (
        "Europe/Berlin",
        "Berlin",
        "in_person",
        "weekly",
    )
    assert record.availability == ("Mon 09:00-12:00", "Fri 22:00-24:00")
    assert (record.department, record.manager) == ("Sales", str(boss.pk))
    assert record.working_style == {"pace": 4}
    # Identity is never part of the records (recommendations, runs, snapshots).
    assert record.identity == () and not record.prefer_shared_identity
    assert record.exclude == (str(teacher.pk),)
    (mentor_record,) = cohort.mentors
    assert mentor_record.capacity == 3
    assert mentor_record.skills_offered == ("Rust",)
    assert cohort.reverse is True
    assert cohort.conflict_rules == ("manager", "department")
    assert cohort.weights == {"goals": 4.0, "skills": 2.0}


def test_a_person_in_both_roles_is_never_paired_with_themself():
    program = ProgramFactory(program_type=ProgramType.PEER)
    peer = mentee(program)
    EnrolmentFactory(program=program, person=peer, role=Role.MENTOR, capacity=1)
    cohort = participants_for_program(program=program)
    assert str(peer.pk) in cohort.mentees[0].exclude
    assert str(peer.pk) in cohort.mentors[0].exclude


def test_accounts_without_a_profile_still_take_part():
    program = ProgramFactory()
    EnrolmentFactory(program=program, role=Role.MENTEE)
    cohort = participants_for_program(program=program)
    assert cohort.mentees[0].goals == ""


def test_snapshot_round_trip_is_lossless():
    program = ProgramFactory()
    mentee(program, wanted=["SQL"], windows=[(1, 60, 120)], identity=["x"])
    mentor(program, offered=["SQL"], capacity=2)
    cohort = participants_for_program(program=program)
    assert cohort_from_json(cohort_to_json(cohort)) == cohort


def test_snapshot_never_holds_identity_fields():
    """Issue 8, item 5: withdrawing identity left copies in saved match-run inputs."""
    program = ProgramFactory()
    mentee(program, identity=["Zorblaxian"])
    mentor(program, identity=["Zorblaxian"])
    snapshot = cohort_to_json(participants_for_program(program=program))
    for record in (*snapshot["mentees"], *snapshot["mentors"]):
        assert not {"identity", "prefer_shared_identity"} & set(record)
    assert "Zorblaxian" not in str(snapshot)
    # An old snapshot that still has the fields is read without them.
    snapshot["mentees"][0].update(identity=["Zorblaxian"], prefer_shared_identity=True)
    assert cohort_from_json(snapshot).mentees[0].identity == ()


class TestTheWeekThePairsMeetIn:
    """Match runs and recommendations converted availability in a fixed January week, so in
    the weeks between the US and EU clock changes they promised hours nobody shared."""

    BETWEEN = date(2027, 3, 15)  # US clocks moved on 14 March 2027, the EU's move on 28 March

    def test_a_program_starting_later_is_matched_in_its_first_week(self):
        program = ProgramFactory(starts_on=self.BETWEEN)
        with time_machine(date(2027, 1, 10)):
            assert participants_for_program(program=program).week == self.BETWEEN

    def test_a_running_program_is_matched_in_the_current_week(self):
        program = ProgramFactory(starts_on=date(2026, 9, 1))
        with time_machine(self.BETWEEN):
            assert participants_for_program(program=program).week == self.BETWEEN

    def test_the_week_survives_the_snapshot_and_old_snapshots_keep_the_reference_week(self):
        program = ProgramFactory(starts_on=self.BETWEEN)
        cohort = participants_for_program(program=program)
        assert cohort_from_json(cohort_to_json(cohort)).week == cohort.week
        old = {key: value for key, value in cohort_to_json(cohort).items() if key != "week"}
        assert cohort_from_json(old).week == REFERENCE_WEEK

    def test_no_shared_hour_is_claimed_between_the_clock_changes(self):
        berlin = Mentee(id="1", timezone="Europe/Berlin", availability=("Mon 15:00-16:00",))
        new_york = Mentor(id="2", timezone="America/New_York", availability=("Mon 09:00-10:00",))

        def criteria(week):
            cohort = Cohort(
                mentees=[berlin], mentors=[new_york], weights={}, reverse=False,
                conflict_rules=(), week=week,
            )  # fmt: skip
            [(_, _, reasons)] = engine.rank(cohort, mentee=berlin, mentors=[new_york], limit=1)
            return {r["criterion"] for r in reasons if r["kind"] == "strength"}

        assert "availability" in criteria(REFERENCE_WEEK)
        assert "availability" not in criteria(self.BETWEEN)
