"""The insight scale generator at a small size: every kind of row, dates that make sense,
groups of every size, the same data for the same seed, and ids the app can go on using."""

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import AutoField, Count, F, Max, Q
from django.test import override_settings

from tandem.demo.insights_scale import build_insights_scale
from tandem.feedback.models import CheckIn, HealthSnapshot, MentorshipHealth
from tandem.matching.explain import unmatched_reason
from tandem.matching.records.cells import skill_slug
from tandem.matching.sentences import NOTE
from tandem.matchruns.models import MatchPair, MatchRun, MatchUnmatched, RunStatus
from tandem.matchruns.selectors import match_run_summary
from tandem.mentorships.models import AgreementVersion, Meeting, Mentorship, MentorshipState
from tandem.messaging.models import Conversation, Message
from tandem.notify.models import Notification
from tandem.notify.periodic import run_periodic_jobs
from tandem.people.models import Identity, OfferedSkill, Skill, User, WantedSkill
from tandem.programs.models import Enrolment, ParticipantInvitation, Program
from tests.conftest import FAST_PASSWORD_HASHERS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(module_transaction):
    """Built once: the tests read it, and what one adds rolls back with its savepoint."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        return build_insights_scale(people=400, mentorships=160, seed=5, now=NOW, slug="small")


def test_the_program_has_its_people_and_mentorships_in_every_state(built):
    program = Program.objects.get(slug="small")
    assert Enrolment.objects.filter(program=program).count() == 401  # and the admin
    assert Mentorship.objects.filter(program=program).count() == built.counts["mentorships"] == 160
    states = set(Mentorship.objects.values_list("state", flat=True))
    assert states == set(MentorshipState.values)
    assert User.objects.get(email=built.staff_email).is_staff
    assert Enrolment.objects.filter(person__email=built.admin_email, role="admin").exists()
    mentees_twice = (
        Mentorship.objects.values("mentee").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    assert mentees_twice > 0  # re-matches
    assert ParticipantInvitation.objects.filter(accepted_at__isnull=True).exists()


def test_dates_follow_each_other_and_never_pass_now(built):
    mentorships = Mentorship.objects.all()
    assert not mentorships.filter(activated_at__lt=F("created_at")).exists()
    assert not mentorships.filter(ended_at__lt=F("activated_at")).exists()
    assert not mentorships.filter(Q(created_at__gt=NOW) | Q(ended_at__gt=NOW)).exists()
    assert (
        not mentorships.filter(state="active")
        .filter(Q(activated_at__isnull=True) | Q(ended_at__isnull=False))
        .exists()
    )
    assert not mentorships.filter(state="completed", activated_at__isnull=True).exists()
    assert not mentorships.filter(state="proposed", activated_at__isnull=False).exists()
    signed = AgreementVersion.objects.filter(number=1, mentorship__activated_at__isnull=False)
    assert not signed.filter(signed_by_mentee_at__isnull=True).exists()
    assert not Message.objects.filter(created_at__gt=NOW).exists()
    assert not CheckIn.objects.filter(answered_at__gt=NOW).exists()
    # only the next booked meeting of an active pair lies ahead
    ahead = Meeting.objects.filter(starts_at__gt=NOW)
    assert not ahead.exclude(mentorship__state="active").exists()


def test_activity_feedback_and_matching_are_there(built):
    assert Meeting.objects.filter(status="cancelled").exists()
    assert Conversation.objects.count() == 160
    assert Message.objects.count() == built.counts["messages"] > 160
    answered = CheckIn.objects.filter(answered_at__isnull=False)
    assert answered.filter(kind="closing", answers__has_key="satisfaction").exists()
    assert CheckIn.objects.filter(answered_at__isnull=True).exists()
    assert answered.filter(kind="closing", answers__has_key="end_category").exists()
    early = Mentorship.objects.filter(state="ended_early")
    assert not early.filter(end_category="").exists()
    assert not Mentorship.objects.exclude(state="ended_early").exclude(end_category="").exists()
    assert HealthSnapshot.objects.values("state").distinct().count() == 4
    active = Mentorship.objects.filter(state="active").count()
    assert MentorshipHealth.objects.count() == active
    runs = MatchRun.objects.filter(status=RunStatus.PUBLISHED)
    assert runs.count() >= 10  # fortnightly over six quarters
    from_runs = Mentorship.objects.exclude(match_run_ref="").count()
    assert MatchPair.objects.filter(run__in=runs).count() == from_runs > 0
    assert MatchUnmatched.objects.exists()
    assert MatchPair.objects.order_by("pk")[0].reasons[0]["criterion"] == "fit"


def test_identity_groups_overlap_and_some_are_under_five(built):
    sizes: dict[str, int] = {}
    for attributes in Identity.objects.values_list("attributes", flat=True):
        for attribute in attributes:
            sizes[attribute] = sizes.get(attribute, 0) + 1
    assert sizes["non-binary"] == 3 and sizes["carer"] == 4
    assert sizes["woman"] > 20
    assert any(len(a) > 1 for a in Identity.objects.values_list("attributes", flat=True))


def test_every_run_counts_its_cohort(built):
    """A live review read "mentees":0, "matched":6, "unmatched":-6 on every published demo run
    (the runs had no cohort snapshot): each now lists the mentees it matched and left, and the
    mentors it matched from."""
    runs = MatchRun.objects.filter(program__slug="small", status=RunStatus.PUBLISHED)
    assert runs.count() > 5
    summaries = []
    for run in runs:
        summary = match_run_summary(run=run)
        summaries.append(summary)
        left = MatchUnmatched.objects.filter(run=run, side="mentee").count()
        paired = MatchPair.objects.filter(run=run)
        assert summary.unmatched == left >= 0, run.pk
        assert summary.mentees == summary.matched + left == paired.count() + left, run.pk
        assert summary.mentors >= paired.values("mentor").distinct().count(), run.pk
    assert sum(summary.mentees for summary in summaries) > sum(s.matched for s in summaries) > 0


def test_the_same_seed_gives_the_same_data(built):
    again = build_insights_scale(people=400, mentorships=160, seed=5, now=NOW, slug="again")
    assert again.counts == built.counts
    other = build_insights_scale(people=400, mentorships=160, seed=6, now=NOW, slug="other")
    assert other.counts != built.counts


def test_the_app_goes_on_creating_rows_after_the_explicit_ids(built):
    user = User.objects.create_user("after@example.com")
    program = Program.objects.create(name="After", slug="after")
    mentee = User.objects.create_user("after-mentee@example.com")
    assert Mentorship.objects.create(program=program, mentor=user, mentee=mentee).pk > 160


def test_every_table_hands_out_ids_after_the_explicit_ones(built):
    """On PostgreSQL a sequence explicit ids did not move would fail the next save of any
    table the generator wrote (the profile page failed on availability windows)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's AUTOINCREMENT follows explicit ids by itself")
    behind = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            pk, table = model._meta.pk, model._meta.db_table
            if not isinstance(pk, AutoField):
                continue
            top = model._default_manager.aggregate(top=Max("pk"))["top"]
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
            (sequence,) = cursor.fetchone()
            if top is None or sequence is None:
                continue
            cursor.execute(f"SELECT last_value FROM {sequence}")  # noqa: S608 (catalogue name)
            if cursor.fetchone()[0] < top:
                behind.append(table)
    assert behind == []


def test_too_many_mentorships_for_the_people_is_refused():
    with pytest.raises(ValueError, match="cannot have"):
        build_insights_scale(people=40, mentorships=400, seed=1, now=NOW, slug="tiny")


def test_every_tag_has_the_slug_the_app_gives_it(built):
    """Live review: Django's slugify made "C++" ``c``, so its holders matched as C."""
    rows = list(Skill.objects.values_list("name", "slug"))
    assert rows and all(slug == skill_slug(name) for name, slug in rows)
    for link in (OfferedSkill, WantedSkill):
        labels = link.objects.values_list("label", "skill__slug")
        assert all(slug == skill_slug(label) for label, slug in labels)
    assert OfferedSkill.objects.filter(skill__slug="c-plus-plus").exists()


def test_unmatched_reasons_are_what_the_engine_stores(built):
    """Live review: the demo stored them as strengths (a green check beside "every compatible
    mentor was full")."""
    reasons = [r for row in MatchUnmatched.objects.values_list("reasons", flat=True) for r in row]
    assert reasons
    for reason in reasons:
        real = unmatched_reason(reason["criterion"])
        assert reason == {"criterion": real.criterion, "text": real.text, "kind": real.kind}
        assert reason["kind"] == NOTE


def test_each_side_reads_a_health_that_no_answer_made(built):
    """The history's health rows had no side views, so the pair read the full state, with the
    reasons read from check-in answers left out (third privacy review, live: a mentor read
    "at risk" beside a lone cancellation of no weight, so the mentee had answered low). Each
    side's view leaves those reasons out, and a view that lost one reads on track."""
    rows = MentorshipHealth.objects.filter(mentorship__program__slug="small")
    assert rows.exists()
    from_answers = {"low_pulse", "high_pulse"}
    withheld = 0
    for row in rows:
        assert set(row.views) == {"mentor", "mentee"}
        codes = {reason["code"] for reason in row.reasons}
        for view in row.views.values():
            assert not {reason["code"] for reason in view["reasons"]} & from_answers
            if codes & from_answers:
                withheld += 1
                assert view["state"] == "on_track"
            else:
                assert view["state"] == row.state
    assert withheld


def test_the_made_up_people_are_never_emailed(
    built, mailoutbox, django_capture_on_commit_callbacks
):
    """A live check: the first tick of the worker that ``tandem run`` starts emailed the
    history's people about their 600 open check-ins (a screenful of console mail; bounces over
    SMTP). They have no password and nobody reads their mail; they get the app's notices only."""
    with django_capture_on_commit_callbacks(execute=True):
        run_periodic_jobs(NOW + timedelta(minutes=1))
    assert Notification.objects.filter(recipient__email__endswith="@scale.test").exists()
    assert not [m for m in mailoutbox if any(to.endswith("@scale.test") for to in m.to)]
