"""`tandem run` seeds the demo on every start: whatever people did in the demo since the last
one, the next start must not fail, and the logins it prints must work (a restart review did
each destructive thing a demo user can do, then started again)."""

import pytest
from django.contrib.auth import authenticate

from tandem.demo.history import HISTORY_SLUG
from tandem.demo.program import DEMO_ADMIN_EMAIL, DEMO_PROGRAM_SLUG, SELF_SERVE_SLUG
from tandem.demo.seed import SELF_SERVE_NAME, seed_demo
from tandem.mentorships.models import Mentorship
from tandem.people.models import User
from tandem.people.services.closing import account_delete
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tandem.programs.services import enrolment_set_status, program_admin_promote, program_update

pytestmark = pytest.mark.django_db


def start():
    """What `tandem run` does on each start (without the history program, for speed)."""
    return seed_demo(people=40, seed=5, history=False)


def the(role, logins):
    return User.objects.get(email=next(login.email for login in logins if login.role == role))


def assert_logins_work(logins):
    for login in logins:
        assert authenticate(None, username=login.email, password=login.password), login.email


@pytest.mark.parametrize("action", ["pause", "remove"])
def test_a_deleted_mentee_and_a_paused_or_removed_mentor_do_not_stop_the_next_start(action):
    """The mentee made again has no mentorship, and the demo's request to a mentor the admin
    paused was refused: the start crashed. The program's refusal now leaves the story out."""
    logins = start()
    admin, mentor, mentee = (
        the(role, logins) for role in ("site/program admin", "mentor", "mentee")
    )
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    enrolment = Enrolment.objects.get(program=program, person=mentor, role=Role.MENTOR)
    enrolment_set_status(
        user=admin, program_id=program.pk, enrolment_id=enrolment.pk, action=action
    )
    account_delete(user=mentee, password="tandem-demo")

    logins = start()

    assert_logins_work(logins)
    again = the("mentee", logins)
    assert again.pk != mentee.pk
    assert not Mentorship.objects.filter(mentee=again).exists()  # the admin's choice stays
    enrolment.refresh_from_db()
    assert enrolment.status != EnrolmentStatus.ACTIVE


def test_the_printed_logins_work_again_after_a_password_change_or_deactivation():
    logins = start()
    User.objects.filter(email__in=[login.email for login in logins]).update(
        is_active=False, is_staff=False, is_superuser=False
    )
    mentor = the("mentor", logins)
    mentor.set_password("changed by a tester 1")
    mentor.save()

    logins = start()

    assert_logins_work(logins)
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser


def test_a_login_whose_password_works_is_not_written_again():
    """A new hash would end the person's sessions on every start."""
    logins = start()
    before = dict(
        User.objects.filter(email__in=[login.email for login in logins]).values_list(
            "email", "password"
        )
    )
    start()
    after = dict(User.objects.filter(email__in=before).values_list("email", "password"))
    assert after == before


def test_a_demo_admin_deleted_after_making_another_admin_comes_back_running_the_programs():
    """The admin made again was in no program: the printed "program admin" ran nothing."""
    logins = start()
    admin, mentor = the("site/program admin", logins), the("mentor", logins)
    programs = list(Program.objects.filter(slug__in=[DEMO_PROGRAM_SLUG, SELF_SERVE_SLUG]))
    for program in programs:
        enrolment, _ = Enrolment.objects.get_or_create(
            program=program, person=mentor, role=Role.MENTOR, defaults={"status": "active"}
        )
        program_admin_promote(user=admin, program_id=program.pk, enrolment_id=enrolment.pk)
    account_delete(user=admin, password="tandem-demo")

    logins = start()

    assert_logins_work(logins)
    again = User.objects.get(email=DEMO_ADMIN_EMAIL)
    assert again.pk != admin.pk and again.is_superuser
    running = Enrolment.objects.filter(person=again, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE)
    assert set(running.values_list("program__slug", flat=True)) == {
        DEMO_PROGRAM_SLUG,
        SELF_SERVE_SLUG,
    }
    assert not Program.objects.filter(slug=HISTORY_SLUG).exists()


def test_a_renamed_self_serve_program_is_not_made_again():
    """It was found by name: renamed, the next start made a second one."""
    logins = start()
    circle = Program.objects.get(slug=SELF_SERVE_SLUG)
    assert circle.name == SELF_SERVE_NAME
    program_update(user=the("site/program admin", logins), program_id=circle.pk, name="Our circle")
    count = Program.objects.count()

    start()

    assert Program.objects.count() == count
    assert not Program.objects.filter(name=SELF_SERVE_NAME).exists()


def test_a_demo_person_whose_address_a_site_admin_changed_keeps_their_login():
    """The site admin can change an address (/admin/): the next start imported the demo row
    again and failed its own checks, the id ``mentee001`` being held by the new address."""
    logins = start()
    mentee = the("mentee", logins)
    pairs = Mentorship.objects.count()
    mentee.email = mentee.username = "new.address@example.com"
    mentee.save()

    logins = start()

    assert_logins_work(logins)
    assert the("mentee", logins).pk == mentee.pk
    assert not User.objects.filter(email="mentee001@demo.tandem.test").exists()
    assert Mentorship.objects.count() == pairs


def test_a_history_program_deleted_in_the_site_admin_stays_deleted():
    """Its people outlive it: making the program again failed on their addresses."""
    seed_demo(people=40, seed=5)
    Program.objects.get(slug=HISTORY_SLUG).delete()  # what /admin/ does

    logins = seed_demo(people=40, seed=5)

    assert_logins_work(logins)
    assert not Program.objects.filter(slug=HISTORY_SLUG).exists()
