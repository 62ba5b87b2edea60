"""The demo `make run` loads: a living mentorship, a self-serve program and a program with six
quarters of history, seeded once."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tandem.demo.history import HISTORY_NAME, HISTORY_SLUG
from tandem.demo.program import DEMO_ADMIN_EMAIL, DEMO_PROGRAM_SLUG
from tandem.demo.seed import SELF_SERVE_NAME, seed_demo
from tandem.mentorships.models import AgreementVersion, Meeting, Mentorship
from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, MatchingMode, Program
from tests.conftest import FAST_PASSWORD_HASHERS
from tests.untouched import submit_untouched

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def logins(module_transaction):
    """The demo seeded once: the tests read it, and what one changes rolls back with its
    savepoint."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        return seed_demo(people=40, seed=3)


def test_demo_has_a_mentorship_under_way_and_a_self_serve_program(logins):
    emails = {login.role: login.email for login in logins}
    mentorship = Mentorship.objects.get(
        mentor__email=emails["mentor"], mentee__email=emails["mentee"]
    )
    assert mentorship.state == "active"
    meetings = Meeting.objects.filter(mentorship=mentorship)
    assert meetings.count() == 6 and meetings.first().series is not None
    assert (
        mentorship.goals.count()
        == len(mentorship.agreement_versions.latest("number").content["objectives"])
        == 2
    )
    assert mentorship.action_items.get().owner.email == emails["mentee"]

    circle = Program.objects.get(name=SELF_SERVE_NAME)
    assert circle.matching_mode == MatchingMode.SELF_SERVE
    roles = set(Enrolment.objects.filter(program=circle).values_list("role", flat=True))
    assert roles == {"admin", "mentor", "mentee"}
    assert Enrolment.objects.filter(program=circle, person__email=emails["mentee"]).exists()


def test_seeding_again_keeps_changes_and_duplicates_nothing(logins):
    mentee = next(login.email for login in logins if login.role == "mentee")
    Profile.objects.filter(user__email=mentee).update(headline="Edited by me")
    counts = (
        Mentorship.objects.count(),
        Meeting.objects.count(),
        Enrolment.objects.count(),
        Program.objects.count(),
    )
    seed_demo(people=40, seed=3)
    assert (
        Mentorship.objects.count(),
        Meeting.objects.count(),
        Enrolment.objects.count(),
        Program.objects.count(),
    ) == counts
    assert Profile.objects.get(user__email=mentee).headline == "Edited by me"


def test_the_history_program_has_a_past_and_the_demo_admin_runs_it(logins, client):
    program = Program.objects.get(slug=HISTORY_SLUG)
    assert program.name == HISTORY_NAME
    assert Enrolment.objects.filter(
        program=program, person__email=DEMO_ADMIN_EMAIL, role="admin", status="active"
    ).exists()
    mentorships = Mentorship.objects.filter(program=program)
    assert mentorships.count() == 60  # 3 × 40 / 2
    assert mentorships.filter(activated_at__lt=timezone.now() - timedelta(days=365)).exists()
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    assert client.get(f"/programs/{HISTORY_SLUG}/insights/").status_code == 200


def test_every_agreement_of_every_demo_program_opens_and_saves_untouched(logins, client):
    """The history program wrote objectives as plain strings, and its agreement pages failed
    with a 500 ("'str' object has no attribute 'get'")."""
    with_agreement = Mentorship.objects.filter(agreement_versions__isnull=False).distinct()
    programs = set(with_agreement.values_list("program__slug", flat=True))
    assert {HISTORY_SLUG, DEMO_PROGRAM_SLUG} <= programs
    versions = AgreementVersion.objects.count()
    for mentorship in with_agreement.select_related("mentor"):
        client.force_login(mentorship.mentor)
        url = reverse("agreement_edit", args=[mentorship.pk])
        assert client.get(url).status_code == 200, mentorship.program.slug
        response = submit_untouched(client, url, url)
        assert response.status_code == 200, mentorship.program.slug
    assert AgreementVersion.objects.count() == versions
