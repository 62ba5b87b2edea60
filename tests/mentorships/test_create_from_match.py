"""Mentorships of a published match run: the same rows as opening one pair at a time, every rule
checked in order with its message, and a number of queries that does not grow with the pairs."""

import pytest
from django.core import mail
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from tandem.core.exceptions import ApplicationError
from tandem.mentorships import services
from tandem.mentorships.models import AgreementVersion, Mentorship, MentorshipEvent
from tandem.mentorships.services import from_match
from tandem.mentorships.services.common import mentorship_url, notify_both
from tandem.mentorships.services.lifecycle import PAIR_EXISTS, mentorship_open
from tandem.mentorships.services.one_mentor import MENTEE_HAS_A_MENTOR
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification, NotificationPreference
from tandem.people.models import Profile
from tandem.programs.models import ProgramType, Role
from tests.mentorships.factories import ProgramFactory, member, mentorship
from tests.programs.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

# Set by the database or the clock, so different for any two rows.
OWN_FIELDS = {"id", "created_at", "mentorship"}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _rows(m: Mentorship) -> dict:
    """Every row a new mentorship brought, field by field, less what no two rows share."""

    def fields(obj) -> dict:
        return {k: v for k, v in model_to_dict(obj).items() if k not in OWN_FIELDS}

    notices = Notification.objects.filter(url=mentorship_url(m)).order_by("pk")
    return {
        "mentorship": fields(m),
        "agreements": [fields(a) for a in AgreementVersion.objects.filter(mentorship=m)],
        "events": [fields(e) for e in MentorshipEvent.objects.filter(mentorship=m)],
        # Found by the mentorship's own page; emailed, whenever that was.
        "notices": [
            fields(n) | {"url": "its page", "emailed_at": n.emailed_at is not None} for n in notices
        ],
    }


def test_a_pair_created_in_bulk_has_the_rows_it_had_one_at_a_time(
    django_capture_on_commit_callbacks,
):
    """The old path (``mentorship_open`` then ``notify_both``, per pair) against the new one,
    for the same two people, their emails included."""
    program = ProgramFactory(name="Spring cohort")
    mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
    Profile.objects.filter(user=mentee).update(goals="Lead a design review. Then a team.")
    with django_capture_on_commit_callbacks(execute=True):
        old = mentorship_open(program=program, mentor=mentor, mentee=mentee, match_run_ref="7")
        notify_both(
            mentorship=old,
            kind=Kind.MENTORSHIP,
            title="You have been matched in Spring cohort",
            body=f"{mentor.display_name} (mentor) and {mentee.display_name} "
            "(mentee): agree how you will work together and sign.",
        )
    before = _rows(old)
    old_mail = [(m.to, m.subject, m.body.replace(f"/{old.pk}/", "/N/")) for m in mail.outbox]
    Notification.objects.all().delete()
    old.delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        (new,) = services.mentorship_create_from_match(
            program=program, pairs=[(mentor, mentee)], match_run_ref=7
        )
    new.refresh_from_db()
    assert _rows(new) == before
    assert before["agreements"][0]["content"]["objectives"][0]["goal"] == "Lead a design review"
    assert [n["recipient"] for n in before["notices"]] == [mentor.pk, mentee.pk]
    new_mail = [(m.to, m.subject, m.body.replace(f"/{new.pk}/", "/N/")) for m in mail.outbox]
    assert new_mail == old_mail and len(new_mail) == 2
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_emails_follow_each_persons_preference(django_capture_on_commit_callbacks):
    program = ProgramFactory()
    mentor, mentee = member(program, Role.MENTOR), member(program, Role.MENTEE)
    NotificationPreference.objects.create(
        user=mentee, email_kinds=[Kind.MENTORSHIP], daily_digest=True
    )
    NotificationPreference.objects.create(user=mentor, email_kinds=[], daily_digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.mentorship_create_from_match(
            program=program, pairs=[(mentor, mentee)], match_run_ref=1
        )
    assert mail.outbox == []
    assert Notification.objects.filter(recipient__in=[mentor, mentee]).count() == 2


def _queries(pairs: int) -> int:
    program = ProgramFactory()
    made = [(member(program, Role.MENTOR), member(program, Role.MENTEE)) for _ in range(pairs)]
    with CaptureQueriesContext(connection) as queries:
        services.mentorship_create_from_match(program=program, pairs=made, match_run_ref=1)
    assert Mentorship.objects.filter(program=program).count() == pairs
    return len(queries)


def test_queries_do_not_grow_with_the_pairs():
    assert _queries(12) == _queries(2)


@pytest.fixture
def program():
    return ProgramFactory()


def _refused(program, pairs) -> str:
    with pytest.raises(ApplicationError) as refused:
        services.mentorship_create_from_match(program=program, pairs=pairs, match_run_ref=1)
    assert refused.value.status == 409
    assert not Mentorship.objects.filter(match_run_ref="1").exists()
    return refused.value.message


def test_a_pair_already_together_either_way_or_twice_is_refused_by_name(program):
    mentor, mentee, other = (
        member(program, Role.MENTOR, capacity=3),
        member(program, Role.MENTEE),
        member(program, Role.MENTEE),
    )
    expected = PAIR_EXISTS.format(mentor=mentor.display_name, mentee=mentee.display_name)
    assert _refused(program, [(mentor, other), (mentor, mentee), (mentor, mentee)]) == expected
    together = mentorship(program=program, mentor=mentor, mentee=mentee)
    assert _refused(program, [(mentor, mentee)]) == expected
    together.delete()
    peer = ProgramFactory(program_type=ProgramType.PEER)
    a, b = member(peer, Role.MENTEE), member(peer, Role.MENTEE)
    mentorship(program=peer, mentor=a, mentee=b)
    message = _refused(peer, [(b, a)])
    assert message == PAIR_EXISTS.format(mentor=b.display_name, mentee=a.display_name)


def test_the_first_broken_rule_in_pair_order_is_the_one_reported(program):
    mentor = member(program, Role.MENTOR, capacity=1)
    mentees = [member(program, Role.MENTEE) for _ in range(2)]
    outsider = member(ProgramFactory(), Role.MENTEE)
    assert _refused(program, [(mentor, mentees[0]), (mentor, mentees[1])]) == (
        from_match.MATCH_AT_CAPACITY.format(mentor=mentor.display_name)
    )
    assert _refused(program, [(mentor, outsider), (mentor, mentor)]) == (
        from_match.MATCH_NOT_MEMBER.format(person=outsider.display_name, role="mentee")
    )
    assert _refused(program, [(mentor, mentor)]) == from_match.MATCH_SAME_PERSON
    assert _refused(program, [(mentees[0], mentees[1])]) == (
        from_match.MATCH_NOT_MEMBER.format(person=mentees[0].display_name, role="mentor")
    )
    assert _refused(program, [(mentor.pk, 10**9)]) == from_match.MATCH_UNKNOWN_PERSON


def test_open_mentorships_count_against_a_mentors_places(program):
    mentor = member(program, Role.MENTOR, capacity=2)
    mentorship(program=program, mentor=mentor, mentee=member(program, Role.MENTEE))
    pairs = [(mentor, member(program, Role.MENTEE)) for _ in range(2)]
    assert _refused(program, pairs) == (
        from_match.MATCH_AT_CAPACITY.format(mentor=mentor.display_name)
    )
    created = services.mentorship_create_from_match(
        program=program, pairs=pairs[:1], match_run_ref=1
    )
    assert [m.mentee for m in created] == [pairs[0][1]]


def test_a_mentee_who_has_a_mentor_since_the_run_is_refused_by_name(program):
    """One mentor at a time: a request accepted after the run was computed, or the same mentee
    twice in one run, refuses the publish (all or nothing) rather than give a second mentor."""
    mentors = [member(program, Role.MENTOR, capacity=2) for _ in range(2)]
    mentee = member(program, Role.MENTEE)
    expected = MENTEE_HAS_A_MENTOR.format(mentee=mentee.display_name, program=program.name)
    assert _refused(program, [(mentors[0], mentee), (mentors[1], mentee)]) == expected
    mentorship(program=program, mentor=mentors[1], mentee=mentee)
    assert _refused(program, [(mentors[0], mentee)]) == expected
    elsewhere = ProgramFactory()
    EnrolmentFactory(program=elsewhere, person=mentee, role=Role.MENTEE)
    created = services.mentorship_create_from_match(
        program=elsewhere, pairs=[(member(elsewhere, Role.MENTOR), mentee)], match_run_ref=2
    )
    assert [m.mentee for m in created] == [mentee]


def test_in_a_peer_program_any_member_but_an_admin_may_take_either_side():
    peer = ProgramFactory(program_type=ProgramType.PEER)
    a, b = member(peer, Role.MENTEE), member(peer, Role.MENTEE)
    admin = member(peer, Role.ADMIN)
    created = services.mentorship_create_from_match(program=peer, pairs=[(a, b)], match_run_ref=3)
    assert [(m.mentor, m.mentee) for m in created] == [(a, b)]
    assert _refused(peer, [(admin, a)]) == from_match.MATCH_NOT_MEMBER.format(
        person=admin.display_name, role="mentor"
    )
