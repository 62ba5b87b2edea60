"""The admin home (``/`` for anyone who runs a program): who sees it, what it says of each
program they run and nothing of any other, each "needs you now" item exactly when it holds,
approving from it, its links, and a query count that does not grow with programs or people."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.feedback.models import MentorshipHealth
from tandem.matchruns.models import MatchRun, RunStatus
from tandem.matchruns.selectors_overview import match_runs_waiting_for_admin
from tandem.mentorships.models import (
    Mentorship,
    MentorshipRequest,
    MentorshipState,
    ProblemReport,
    RequestState,
)
from tandem.mentorships.selectors.attention import program_mentoring_for_admin
from tandem.programs.models import Enrolment, EnrolmentStatus, ParticipantInvitation, Role
from tandem.programs.selectors.overview import program_people_for_admin
from tests.mentorships.factories import RequestFactory, member, mentorship
from tests.programs.factories import EnrolmentFactory, ProgramFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db

HOME = "/"
ANSWERS = {"Why do you want to join?": "To learn public speaking from someone who does it."}


def home(client: Client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, program) -> str:
    """The part of the admin home about ``program``."""
    found = re.search(rf'<section[^>]* id="program-{program.pk}".*?</section>', html, re.S)
    assert found, f"no section for {program.name}"
    return found.group(0)


def pending(program, **kwargs) -> Enrolment:
    return EnrolmentFactory(program=program, status=EnrolmentStatus.PENDING, **kwargs)


def ago(days: float):
    return timezone.now() - timedelta(days=days)


# -- who sees it ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    program = ProgramFactory()
    waiting = pending(program)
    for url in (HOME, reverse("participant_dashboard")):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(reverse("admin_home_approve", args=[program.pk, waiting.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert Enrolment.objects.get(pk=waiting.pk).status == EnrolmentStatus.PENDING


def test_admins_land_on_the_admin_home_and_participants_on_their_dashboard(client):
    program = ProgramFactory(name="Data Guild")
    admin = admin_of(program)
    participant = EnrolmentFactory(program=program, role=Role.MENTEE).person
    client.force_login(admin)
    response = client.get(HOME)
    assert [t.name for t in response.templates][0] == "web/admin_home.html"
    assert "Data Guild" in section(response.content.decode(), program)
    client.force_login(participant)
    response = client.get(HOME)
    assert [t.name for t in response.templates][0] == "web/dashboard.html"
    assert "Your programs" not in response.content.decode().split("<main")[1].split("<h1")[0]
    assert 'id="program-' not in response.content.decode()


@pytest.mark.parametrize("status", [EnrolmentStatus.PENDING, EnrolmentStatus.REMOVED])
def test_an_admin_enrolment_not_active_gives_no_admin_home(client, status):
    program = ProgramFactory()
    person = EnrolmentFactory(program=program, role=Role.ADMIN, status=status).person
    client.force_login(person)
    assert client.get(HOME).templates[0].name == "web/dashboard.html"


def test_me_is_always_the_participant_dashboard_and_linked_when_the_admin_takes_part(client):
    program = ProgramFactory()
    admin = admin_of(program)
    client.force_login(admin)
    assert client.get(reverse("participant_dashboard")).templates[0].name == "web/dashboard.html"
    assert reverse("participant_dashboard") not in home(client, admin)
    EnrolmentFactory(program=ProgramFactory(), person=admin, role=Role.MENTOR)
    assert "Your own mentoring" in home(client, admin)


def test_an_admin_who_is_one_of_a_pair_gets_the_link_too(client):
    program = ProgramFactory()
    admin = admin_of(program)
    mentorship(program=program, mentee=admin)
    Enrolment.objects.filter(person=admin).exclude(role=Role.ADMIN).delete()
    assert "Your own mentoring" in home(client, admin)


def test_the_new_program_link_follows_the_right_to_create(client):
    from tests.programs.factories import program_creator

    program = ProgramFactory()
    plain_admin = admin_of(program)
    creator = program_creator()
    EnrolmentFactory(program=program, person=creator, role=Role.ADMIN)
    assert reverse("program_create") not in home(client, plain_admin)
    assert reverse("program_create") in home(client, creator)


# -- another program's admin learns nothing ---------------------------------------------------


def test_an_admin_of_one_program_sees_nothing_of_another(client):
    mine, theirs = ProgramFactory(name="Mine"), ProgramFactory(name="Secret Guild")
    admin = admin_of(mine)
    secret = pending(theirs, person=UserFactory(first_name="Zebediah"), answers=ANSWERS)
    MatchRun.objects.create(program=theirs, status=RunStatus.FAILED)
    ended = mentorship(program=theirs, state=MentorshipState.ENDED_EARLY)
    Mentorship.objects.filter(pk=ended.pk).update(ended_at=ago(1))
    html = home(client, admin)
    assert "Secret Guild" not in html and "Zebediah" not in html
    assert f'id="program-{theirs.pk}"' not in html
    assert reverse("admin_home_approve", args=[theirs.pk, secret.pk]) not in html
    # The selectors leave out a program the caller does not run, even when asked for it.
    ids = [mine.pk, theirs.pk]
    assert set(program_people_for_admin(user=admin, program_ids=ids)) == {mine.pk}
    assert theirs.pk not in program_mentoring_for_admin(user=admin, program_ids=ids)
    assert match_runs_waiting_for_admin(user=admin, program_ids=ids) == {}
    for stranger in (AnonymousUser(), secret.person):
        assert program_people_for_admin(user=stranger, program_ids=ids) == {}
        assert program_mentoring_for_admin(user=stranger, program_ids=ids) == {}


@pytest.mark.parametrize("who", ["admin of another program", "participant", "pending admin"])
def test_only_the_programs_admins_can_approve_from_the_home(client, who):
    program = ProgramFactory()
    waiting = pending(program)
    person = {
        "admin of another program": lambda: admin_of(ProgramFactory()),
        "participant": lambda: EnrolmentFactory(program=program).person,
        "pending admin": lambda: pending(program, role=Role.ADMIN).person,
    }[who]()
    client.force_login(person)
    response = client.post(reverse("admin_home_approve", args=[program.pk, waiting.pk]))
    assert response.status_code == 404
    assert Enrolment.objects.get(pk=waiting.pk).status == EnrolmentStatus.PENDING


# -- what needs the admin now -----------------------------------------------------------------


def test_nothing_waiting_says_so(client):
    program = ProgramFactory()
    html = section(home(client, admin_of(program)), program)
    assert "Nothing needs you in this program right now." in html


@pytest.mark.parametrize("states", [["stalled"], ["at_risk", "stalled", "on_track"]])
def test_mentorships_needing_attention_count_as_needing_the_admin(client, states):
    """Live review: "Nothing needs you in this program right now." above "1 stalled, 1 at
    risk", and the index chip said "Nothing waiting"."""
    program, other = ProgramFactory(), ProgramFactory()
    for state in states:
        MentorshipHealth.objects.create(
            mentorship=mentorship(program=program),
            program=program,
            state=state,
            score=50,
            state_since=ago(3),
            computed_at=timezone.now(),
        )
    admin = admin_of(program)
    EnrolmentFactory(program=other, person=admin, role=Role.ADMIN)
    html = home(client, admin)
    flagged = sum(state != "on_track" for state in states)
    part = section(html, program)
    assert "Nothing needs you" not in part and "Mentorships needing attention" in part
    assert f'<span class="badge badge-warn">{flagged}</span>' in part
    assert f"{flagged} need{'s' if flagged == 1 else ''} you" in html
    assert "Nothing needs you" in section(html, other)


def test_people_awaiting_approval_show_their_answers_and_can_be_approved_here(client):
    program = ProgramFactory(name="Data Guild")
    admin = admin_of(program)
    waiting = pending(program, person=UserFactory(first_name="Ana", last_name="Lee"))
    Enrolment.objects.filter(pk=waiting.pk).update(answers=ANSWERS)
    html = section(home(client, admin), program)
    assert "1 awaiting approval" in html and "Ana Lee" in html
    assert "Why do you want to join?" in html and "public speaking" in html
    decline = reverse("program_participant_action", args=[program.slug, waiting.pk, "remove"])
    assert decline in html

    approve = reverse("admin_home_approve", args=[program.pk, waiting.pk])
    assert client.get(approve).status_code == 405
    response = client.post(approve, follow=True)
    assert response.redirect_chain == [(f"/#program-{program.pk}", 302)]
    assert Enrolment.objects.get(pk=waiting.pk).status == EnrolmentStatus.ACTIVE
    page = response.content.decode()
    assert "Approved Ana Lee as mentee in Data Guild." in page
    assert "awaiting approval</h4>" not in section(page, program)

    # Approving again (a second tab) says why not, on the home, and changes nothing.
    again = client.post(approve, follow=True)
    assert again.redirect_chain[-1][0] == "/"
    assert "approve" in again.content.decode().lower()
    assert Enrolment.objects.get(pk=waiting.pk).status == EnrolmentStatus.ACTIVE


def test_only_the_first_few_awaiting_approval_are_listed_with_a_link_to_all(client):
    program = ProgramFactory()
    admin = admin_of(program)
    for _ in range(7):
        pending(program)
    html = section(home(client, admin), program)
    assert "7 awaiting approval" in html
    assert html.count('aria-label="Approve ') == 5
    assert f"{reverse('program_participants', args=[program.slug])}?status=pending" in html


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (RunStatus.FAILED, "Failed"),
        (RunStatus.DONE, "Ready for review"),
        (RunStatus.QUEUED, None),
        (RunStatus.RUNNING, None),
        (RunStatus.PUBLISHED, None),
        (RunStatus.DISCARDED, None),
    ],
)
def test_failed_and_unpublished_match_runs_wait_for_the_admin(client, status, shown):
    program = ProgramFactory()
    admin = admin_of(program)
    run = MatchRun.objects.create(program=program, status=status)
    html = section(home(client, admin), program)
    link = reverse("match_run_detail", args=[program.slug, run.pk])
    if shown:
        assert link in html and shown in html and "Match runs waiting for you" in html
    else:
        assert link not in html and "Match runs waiting for you" not in html


def test_a_finished_run_made_before_a_later_publish_no_longer_waits(client):
    """It can no longer be published (the runs page marks it out of date; journeys review: the
    home still listed such runs as ready for review)."""
    program = ProgramFactory()
    admin = admin_of(program)
    old = MatchRun.objects.create(program=program, status=RunStatus.DONE)
    MatchRun.objects.create(program=program, status=RunStatus.PUBLISHED, published_at=ago(0))
    newer = MatchRun.objects.create(program=program, status=RunStatus.DONE)
    html = section(home(client, admin), program)
    assert reverse("match_run_detail", args=[program.slug, old.pk]) not in html
    assert reverse("match_run_detail", args=[program.slug, newer.pk]) in html


@pytest.mark.parametrize(
    ("state", "expires_days_ago", "matched_since", "shown"),
    [
        (RequestState.PENDING, 1, False, True),  # past its deadline, not yet swept
        (RequestState.EXPIRED, 3, False, True),  # expired recently
        (RequestState.PENDING, -3, False, False),  # still time to answer
        (RequestState.EXPIRED, 45, False, False),  # long ago
        (RequestState.DECLINED, 3, False, False),  # answered
        (RequestState.EXPIRED, 3, True, False),  # the mentee found a mentor since
    ],
)
def test_requests_unanswered_past_their_deadline(
    client, state, expires_days_ago, matched_since, shown
):
    program = ProgramFactory()
    admin = admin_of(program)
    mentee = member(program, Role.MENTEE)
    mentor = member(program, Role.MENTOR)
    RequestFactory(
        program=program,
        sender=mentee,
        recipient=mentor,
        state=state,
        expires_at=ago(expires_days_ago),
        message="A private message to the mentor",
    )
    if matched_since:
        mentorship(program=program, mentee=mentee, state=MentorshipState.PROPOSED)
    html = section(home(client, admin), program)
    assert ("Requests nobody answered in time" in html) is shown
    assert (f"asked {mentor.display_name}" in html) is shown
    assert "A private message" not in html


@pytest.mark.parametrize(
    ("state", "days", "shown"),
    [
        (MentorshipState.PROPOSED, 8, True),
        (MentorshipState.PROPOSED, 3, False),
        (MentorshipState.ACTIVE, 30, False),
    ],
)
def test_agreements_unsigned_after_a_week(client, state, days, shown):
    program = ProgramFactory()
    admin = admin_of(program)
    pair = mentorship(program=program, state=state)
    Mentorship.objects.filter(pk=pair.pk).update(created_at=ago(days))
    html = section(home(client, admin), program)
    assert ("Agreements unsigned after 7 days" in html) is shown
    assert (reverse("mentorship_detail", args=[pair.pk]) in html.split("People by stage")[0]) is (
        shown
    )


def test_an_unsigned_agreement_names_who_has_still_to_sign(client):
    program = ProgramFactory()
    admin = admin_of(program)
    pair = mentorship(program=program, state=MentorshipState.PROPOSED)
    Mentorship.objects.filter(pk=pair.pk).update(created_at=ago(10))
    assert "neither has signed yet" in section(home(client, admin), program)
    pair.agreement_versions.update(signed_by_mentor_at=ago(9))
    html = section(home(client, admin), program)
    assert f"waiting for {pair.mentee.display_name} (mentee) to sign" in html


@pytest.mark.parametrize(
    ("state", "ended_days_ago", "shown"),
    [
        (MentorshipState.ENDED_EARLY, 2, True),
        (MentorshipState.ENDED_EARLY, 45, False),
        (MentorshipState.COMPLETED, 2, False),
    ],
)
def test_mentorships_ended_early_recently(client, state, ended_days_ago, shown):
    program = ProgramFactory()
    admin = admin_of(program)
    pair = mentorship(program=program, state=state)
    Mentorship.objects.filter(pk=pair.pk).update(
        ended_at=ago(ended_days_ago), end_reason="A private reason", ended_by=pair.mentee
    )
    html = section(home(client, admin), program)
    assert ("Ended early in the last 30 days" in html) is shown
    assert (f"({pair.mentee.display_name} ended it)" in html) is shown
    assert "A private reason" not in html


def test_open_problem_reports_are_counted_but_never_those_about_the_admins_own_pair(client):
    program = ProgramFactory()
    admin = admin_of(program)
    others = mentorship(program=program)
    own = mentorship(program=program, mentor=admin)
    ProblemReport.objects.create(mentorship=others, reporter=others.mentee, text="Private text")
    ProblemReport.objects.create(
        mentorship=others, reporter=others.mentor, text="Done", resolved_at=ago(1)
    )
    ProblemReport.objects.create(mentorship=own, reporter=own.mentee, text="About the admin")
    html = section(home(client, admin), program)
    assert "1 open problem report</a>" in html
    assert "Private text" not in html and "About the admin" not in html
    assert reverse("program_problem_reports", args=[program.pk]) in html


# -- people by stage --------------------------------------------------------------------------


def test_people_by_stage(client):
    program = ProgramFactory()
    admin = admin_of(program)
    pending(program)
    pending(program, role=Role.MENTOR)
    mentor = member(program, Role.MENTOR)
    mentorship(program=program, mentor=mentor)  # one more mentor and mentee, active
    mentorship(program=program, mentor=mentor)  # the same mentor: counted once
    mentorship(program=program, state=MentorshipState.PROPOSED)
    mentorship(program=program, state=MentorshipState.COMPLETED)
    for email, role, answered in [
        ("open@example.org", Role.MENTEE, {"sent_at": ago(2)}),
        ("held@example.org", Role.MENTEE, {}),  # its email not sent yet: nobody invited yet
        ("joined@example.org", Role.MENTEE, {"accepted_at": ago(1)}),
        ("late@example.org", Role.MENTOR, {"expires_at": ago(1)}),
        ("no@example.org", Role.MENTOR, {"declined_at": ago(1)}),
    ]:
        ParticipantInvitation.objects.create(
            program=program, email=email, role=role, token=f"token-{email}", **answered
        )
    client.force_login(admin)
    response = client.get(HOME)
    stages = {key: counts for key, _, counts in response.context["sections"][0].stages}
    assert stages == {
        "invited": {"mentee": 1, "mentor": 0},
        "pending": {"mentee": 1, "mentor": 1},
        "active": {"mentee": 4, "mentor": 3},
        "matched": {"mentee": 1, "mentor": 1},
        "mentoring": {"mentee": 2, "mentor": 1},
        "finished": {"mentee": 1, "mentor": 1},
    }
    html = section(response.content.decode(), program)
    participants = reverse("program_participants", args=[program.slug])
    assert f"{participants}?role=mentee&amp;status=active" in html
    assert 'aria-label="2 mentees in a mentorship"' in html


def test_the_waitlist_is_a_stage_only_when_someone_waits(client):
    program = ProgramFactory()
    admin = admin_of(program)
    assert "On the waitlist" not in section(home(client, admin), program)
    EnrolmentFactory(program=program, role=Role.MENTOR, status=EnrolmentStatus.WAITLISTED)
    html = section(home(client, admin), program)
    assert "On the waitlist" in html
    participants = reverse("program_participants", args=[program.slug])
    assert f"{participants}?role=mentor&amp;status=waitlisted" in html


# -- links, phone width, queries --------------------------------------------------------------


def busy_program(name: str):
    """A program with something of every kind waiting for its admin."""
    program = ProgramFactory(name=name)
    waiting = pending(program)
    Enrolment.objects.filter(pk=waiting.pk).update(answers=ANSWERS)
    MatchRun.objects.create(program=program, status=RunStatus.FAILED)
    MatchRun.objects.create(program=program, status=RunStatus.DONE)
    mentee = member(program, Role.MENTEE)
    RequestFactory(program=program, sender=mentee, recipient=member(program, Role.MENTOR))
    MentorshipRequest.objects.filter(program=program).update(expires_at=ago(1))
    unsigned = mentorship(program=program, state=MentorshipState.PROPOSED)
    Mentorship.objects.filter(pk=unsigned.pk).update(created_at=ago(9))
    ended = mentorship(program=program, state=MentorshipState.ENDED_EARLY)
    Mentorship.objects.filter(pk=ended.pk).update(ended_at=ago(1), ended_by=ended.mentor)
    ProblemReport.objects.create(mentorship=ended, reporter=ended.mentee, text="Help")
    return program


def test_every_link_on_the_admin_home_opens(client):
    program = busy_program("Busy")
    admin = admin_of(program)
    html = home(client, admin)
    assert section(html, program).count("<h4>") == 6
    links = set(re.findall(r'href="(/[^"#]*)', html.split("<main")[1])) - {"/", "/api/docs"}
    assert len(links) >= 10
    for link in sorted(links):
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link


def test_the_page_fits_a_phone(client):
    """No wide tables: the stage table has three columns and everything else wraps."""
    program = busy_program("Busy")
    html = section(home(client, admin_of(program)), program)
    assert html.count('<th scope="col">') == 3
    assert 'class="table-wrap"' in html


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_programs_or_people(client, django_assert_max_num_queries):
    admin = UserFactory()
    first = busy_program("First")
    EnrolmentFactory(program=first, person=admin, role=Role.ADMIN)
    client.force_login(admin)
    client.get(HOME)  # warm what is cached per process
    one = count_queries(client, HOME)
    for name in ("Second", "Third"):
        program = busy_program(name)
        EnrolmentFactory(program=program, person=admin, role=Role.ADMIN)
        for _ in range(6):
            pending(program)
    assert count_queries(client, HOME) == one
    # + the health counts (one query), + the navigation's "ever joined a program"
    with django_assert_max_num_queries(27):
        client.get(HOME)


def test_programs_are_paged_archived_last(client):
    admin = UserFactory()
    archived = ProgramFactory(name="Aardvark (archived)", archived_at=ago(1))
    EnrolmentFactory(program=archived, person=admin, role=Role.ADMIN)
    for n in range(10):
        EnrolmentFactory(
            program=ProgramFactory(name=f"Program {n:02d}"), person=admin, role=Role.ADMIN
        )
    client.force_login(admin)
    first = client.get(HOME)
    names = [s.program.name for s in first.context["sections"]]
    assert len(names) == 10 and "Aardvark (archived)" not in names
    second = client.get(HOME, {"page": 2})
    assert [s.program.name for s in second.context["sections"]] == ["Aardvark (archived)"]
    assert "Archived" in second.content.decode()


def test_the_program_page_links_its_admins_to_mentorships_problems_and_the_home(client):
    program = ProgramFactory()
    links = [
        reverse("program_mentorships", args=[program.pk]),
        reverse("program_problem_reports", args=[program.pk]),
        f"/#program-{program.pk}",
    ]
    client.force_login(admin_of(program))
    html = client.get(reverse("program_detail", args=[program.slug])).content.decode()
    assert all(link in html for link in links)
    client.force_login(EnrolmentFactory(program=program).person)
    html = client.get(reverse("program_detail", args=[program.slug])).content.decode()
    assert not any(link in html for link in links)


def test_approving_someone_of_another_program_through_ones_own_is_not_found(client):
    mine, theirs = ProgramFactory(), ProgramFactory()
    admin = admin_of(mine)
    secret = pending(theirs)
    client.force_login(admin)
    for program_id, enrolment_id in [
        (mine.pk, secret.pk),
        (theirs.pk, secret.pk),
        (mine.pk, 2**70),
        (2**70, secret.pk),
    ]:
        response = client.post(reverse("admin_home_approve", args=[program_id, enrolment_id]))
        assert response.status_code == 404, (program_id, enrolment_id)
    assert Enrolment.objects.get(pk=secret.pk).status == EnrolmentStatus.PENDING
