"""Reporting a problem: either of the pair sends a short text to the program's admins, who
list and resolve it. The text is read by its reporter and the program's admins who are not one
of the pair only: per role, through the services, the pages and the API; a mentor who also runs
the program never reads, resolves, counts or hears of a report about their own mentorship, and
a report nobody could read is refused before it is written."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.html import escape

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.mentorships import selectors, services
from tandem.mentorships.models import MentorshipState, ProblemReport
from tandem.mentorships.selectors import NO_PROBLEM_REPORT_READER
from tandem.mentorships.services.problems import PROBLEM_TEXT_REQUIRED, PROBLEM_TEXT_TOO_LONG
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs.models import EnrolmentStatus, Role
from tests.mentorships.factories import ProgramFactory, UserFactory, member, mentorship
from tests.programs.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

TEXT = "Our meetings keep being cancelled at the last minute."
ROLES = [
    "reporter",
    "other of the pair",
    "program admin",
    "admin of another program",
    "paused admin",
    "inactive admin",
    "member of the program",
    "staff",
    "anonymous",
]
READS_ALL = {"program admin"}
WHO_READS = "other than the two of you will read this."


@pytest.fixture
def world():
    pair = mentorship()
    inactive = member(pair.program, Role.ADMIN)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    admin = member(pair.program, Role.ADMIN)
    report = services.problem_report_create(user=pair.mentee, mentorship_id=pair.pk, text=TEXT)
    return {
        "pair": pair,
        "report": report,
        "cast": {
            "reporter": pair.mentee,
            "other of the pair": pair.mentor,
            "program admin": admin,
            "admin of another program": member(ProgramFactory(), Role.ADMIN),
            "paused admin": member(pair.program, Role.ADMIN, status=EnrolmentStatus.PAUSED),
            "inactive admin": inactive,
            "member of the program": member(pair.program, Role.MENTOR),
            "staff": UserFactory(is_staff=True, is_superuser=True),
            "anonymous": AnonymousUser(),
        },
    }


# --- the services ---------------------------------------------------------------------------


class TestProblemReportCreate:
    def test_either_of_the_pair_reports_and_the_text_is_kept_as_written(self, world):
        pair = world["pair"]
        report = services.problem_report_create(
            user=pair.mentor, mentorship_id=pair.pk, text=f"  {TEXT}\n"
        )
        assert (report.reporter, report.text, report.resolved_at) == (pair.mentor, TEXT, None)

    @pytest.mark.parametrize(
        ("text", "message"), [("", PROBLEM_TEXT_REQUIRED), ("   ", PROBLEM_TEXT_REQUIRED)]
    )
    def test_an_empty_report_is_refused_with_what_to_change(self, world, text, message):
        pair = world["pair"]
        with pytest.raises(ApplicationError) as caught:
            services.problem_report_create(user=pair.mentee, mentorship_id=pair.pk, text=text)
        assert caught.value.fields == {"text": message}
        assert ProblemReport.objects.count() == 1

    def test_a_report_over_the_limit_is_refused(self, world):
        pair = world["pair"]
        with pytest.raises(ApplicationError) as caught:
            services.problem_report_create(user=pair.mentee, mentorship_id=pair.pk, text="x" * 2001)
        assert caught.value.fields == {"text": PROBLEM_TEXT_TOO_LONG}

    def test_a_problem_may_be_reported_after_the_mentorship_ended(self):
        pair = mentorship(state=MentorshipState.ENDED_EARLY)
        member(pair.program, Role.ADMIN)
        services.problem_report_create(user=pair.mentor, mentorship_id=pair.pk, text=TEXT)
        assert pair.problem_reports.count() == 1

    @pytest.mark.parametrize(
        "role", [r for r in ROLES if r not in ("reporter", "other of the pair")]
    )
    def test_only_the_pair_can_report(self, world, role):
        with pytest.raises(NotFound):
            services.problem_report_create(
                user=world["cast"][role], mentorship_id=world["pair"].pk, text=TEXT
            )
        assert ProblemReport.objects.count() == 1

    def test_the_other_of_the_pair_hears_nothing_and_the_timeline_says_nothing(self, world):
        pair = world["pair"]
        assert not Notification.objects.filter(recipient=pair.mentor).exists()
        assert not pair.events.filter(summary__icontains="problem").exists()


class TestProblemReportResolve:
    def test_an_admin_resolves_and_the_reporter_is_told(self, world):
        admin = world["cast"]["program admin"]
        report = services.problem_report_resolve(user=admin, report_id=world["report"].pk)
        assert report.resolved_at is not None and report.resolved_by == admin
        told = Notification.objects.get(recipient=world["pair"].mentee, kind=Kind.MENTORSHIP)
        assert "resolved the problem you reported" in told.title
        assert TEXT not in told.title + told.body

    def test_resolving_twice_changes_nothing(self, world):
        admin = world["cast"]["program admin"]
        first = services.problem_report_resolve(user=admin, report_id=world["report"].pk)
        again = services.problem_report_resolve(user=admin, report_id=world["report"].pk)
        assert again.resolved_at == first.resolved_at
        assert Notification.objects.filter(recipient=world["pair"].mentee).count() == 1

    @pytest.mark.parametrize("role", [r for r in ROLES if r not in READS_ALL])
    def test_only_the_programs_admins_resolve(self, world, role):
        with pytest.raises(NotFound):
            services.problem_report_resolve(user=world["cast"][role], report_id=world["report"].pk)
        world["report"].refresh_from_db()
        assert world["report"].resolved_at is None

    def test_a_missing_report_is_the_same_not_found(self, world):
        with pytest.raises(NotFound):
            services.problem_report_resolve(user=world["cast"]["program admin"], report_id=10**9)


# --- who reads what, per role: selectors, pages, API ----------------------------------------


def expected_reports(role: str) -> int | None:
    """How many reports the role sees on the mentorship: None for "not found"."""
    if role in READS_ALL or role == "reporter":
        return 1
    if role == "other of the pair":
        return 0
    return None


@pytest.mark.parametrize("role", ROLES)
def test_the_selectors_per_role(world, role):
    user, pair = world["cast"][role], world["pair"]
    try:
        mentorship_seen = selectors.access_mentorship(
            user=user, mentorship_id=pair.pk, need=selectors.MentorshipAccess.OVERVIEW
        )
    except NotFound:
        assert expected_reports(role) is None
    else:
        found = selectors.problem_report_list_for_mentorship(user=user, mentorship=mentorship_seen)
        assert found.count() == expected_reports(role)
    if role in READS_ALL:
        found = selectors.problem_report_list_for_program(user=user, program_id=pair.program_id)
        assert list(found) == [world["report"]]
    else:
        with pytest.raises(NotFound):
            selectors.problem_report_list_for_program(user=user, program_id=pair.program_id)


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world["cast"][role])


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_per_role(client, world, role):
    login(client, world, role)
    pair = world["pair"]
    form = client.get(reverse("problem_report_new", args=[pair.pk]))
    detail = client.get(reverse("mentorship_detail", args=[pair.pk]))
    listing = client.get(reverse("program_problem_reports", args=[pair.program_id]))
    if role in ("anonymous", "inactive admin"):  # sent to log in
        assert {form.status_code, detail.status_code, listing.status_code} == {302}
        return
    assert form.status_code == (200 if role in ("reporter", "other of the pair") else 404)
    assert detail.status_code == (200 if expected_reports(role) is not None else 404)
    assert listing.status_code == (200 if role in READS_ALL else 404)
    shown = [r for r in (form, detail, listing) if r.status_code == 200]
    reads = role in READS_ALL or role == "reporter"
    assert any(TEXT in r.content.decode() for r in shown) is reads
    if role in ("reporter", "other of the pair"):
        assert WHO_READS in form.content.decode()
        assert reverse("problem_report_new", args=[pair.pk]) in detail.content.decode()
    if role in READS_ALL:
        assert "Mark resolved" in detail.content.decode()
        assert "Mark resolved" in listing.content.decode()


def test_sending_the_form_reports_and_shows_it_to_the_reporter(client, world):
    pair = world["pair"]
    client.force_login(pair.mentor)
    url = reverse("problem_report_new", args=[pair.pk])
    response = client.post(url, {"text": "The mentee never replies."}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    told = f"Sent. The admins of {pair.program.name} have been told; {pair.mentee.display_name}"
    assert escape(told) + " has not." in page
    assert "The mentee never replies." in page and TEXT not in page
    assert pair.problem_reports.filter(reporter=pair.mentor).count() == 1


def test_the_form_sent_untouched_changes_nothing_and_says_what_to_write(client, world):
    pair = world["pair"]
    client.force_login(pair.mentor)
    response = client.post(reverse("problem_report_new", args=[pair.pk]), {"text": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ProblemReport.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_the_resolve_button_per_role(client, world, role):
    login(client, world, role)
    report = world["report"]
    response = client.post(reverse("problem_report_resolve", args=[report.pk]))
    report.refresh_from_db()
    if role in READS_ALL:
        assert response.status_code == 302
        assert (
            response["Location"]
            == reverse("mentorship_detail", args=[report.mentorship_id]) + "#problems"
        )
        assert report.resolved_at is not None
    else:
        assert response.status_code in (302, 404) and report.resolved_at is None
        assert response.status_code == (302 if role in ("anonymous", "inactive admin") else 404)


def test_resolving_with_htmx_swaps_the_report_in_place(client, world):
    client.force_login(world["cast"]["program admin"])
    response = client.post(
        reverse("problem_report_resolve", args=[world["report"].pk]),
        {"show_pair": "1"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith("<li")
    assert "Resolved on" in page and "Mark resolved" not in page


def test_the_programs_list_hides_resolved_reports_until_asked(client, world):
    admin = world["cast"]["program admin"]
    services.problem_report_resolve(user=admin, report_id=world["report"].pk)
    client.force_login(admin)
    url = reverse("program_problem_reports", args=[world["pair"].program_id])
    assert TEXT not in client.get(url).content.decode()
    assert TEXT in client.get(url + "?show=all").content.decode()


def test_the_programs_list_makes_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    program = world["pair"].program
    for _ in range(8):
        pair = mentorship(program=program)
        services.problem_report_create(user=pair.mentor, mentorship_id=pair.pk, text=TEXT)
    client.force_login(world["cast"]["program admin"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("program_problem_reports", args=[program.pk])).status_code == 200


def api(client, method, url, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_per_role(client, world, role):
    login(client, world, role)
    pair, report = world["pair"], world["report"]
    listed = api(client, "get", f"/api/mentorships/{pair.pk}/problem-reports")
    program = api(client, "get", f"/api/mentorships/programs/{pair.program_id}/problem-reports")
    created = api(client, "post", f"/api/mentorships/{pair.pk}/problem-reports", {"text": "Help"})
    resolved = api(client, "post", f"/api/mentorships/problem-reports/{report.pk}/resolve")
    if role in ("anonymous", "inactive admin"):
        codes = {listed.status_code, program.status_code, created.status_code}
        assert codes | {resolved.status_code} == {401}
        return
    seen = expected_reports(role)
    assert listed.status_code == (200 if seen is not None else 404)
    if seen is not None:
        items = listed.json()["items"]
        assert len(items) == seen
        assert all(item["text"] == TEXT for item in items)
    assert program.status_code == (200 if role in READS_ALL else 404)
    assert created.status_code == (201 if role in ("reporter", "other of the pair") else 404)
    assert resolved.status_code == (200 if role in READS_ALL else 404)
    if role in READS_ALL:
        assert [item["text"] for item in program.json()["items"]] == [TEXT]
        body = resolved.json()
        assert body["resolved_at"] and body["resolved_by"]["id"] == world["cast"][role].pk
        assert body["program_id"] == pair.program_id
    if role == "other of the pair":
        assert created.json()["reporter"]["id"] == pair.mentor.pk


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [({"text": ""}, 400, "text"), ({"text": "x" * 2001}, 400, "text"), ({}, 422, None)],
)
def test_the_api_says_what_is_wrong_with_a_report(client, world, body, status, field):
    client.force_login(world["pair"].mentee)
    response = api(client, "post", f"/api/mentorships/{world['pair'].pk}/problem-reports", body)
    assert response.status_code == status
    if field:
        assert field in response.json()["fields"]
    assert ProblemReport.objects.count() == 1


def test_the_program_list_filters_open_reports(client, world):
    admin = world["cast"]["program admin"]
    services.problem_report_resolve(user=admin, report_id=world["report"].pk)
    client.force_login(admin)
    url = f"/api/mentorships/programs/{world['pair'].program_id}/problem-reports"
    assert api(client, "get", url + "?open_only=true").json()["count"] == 0
    assert api(client, "get", url).json()["count"] == 1


# --- a mentor who also runs the program never gets a report about their own mentorship --------


@pytest.fixture
def dual():
    """A program run by an outside admin and by the mentor of the reported pair; another pair's
    report too, which that mentor, as an admin, does read."""
    program = ProgramFactory()
    outsider = member(program, Role.ADMIN)
    mentor = member(program, Role.MENTOR)
    EnrolmentFactory(program=program, person=mentor, role=Role.ADMIN)
    pair = mentorship(program=program, mentor=mentor)
    report = services.problem_report_create(user=pair.mentee, mentorship_id=pair.pk, text=TEXT)
    elsewhere = mentorship(program=program)
    services.problem_report_create(
        user=elsewhere.mentee, mentorship_id=elsewhere.pk, text="Another pair's problem."
    )
    return {
        "pair": pair,
        "report": report,
        "outsider": outsider,
        "mentor": mentor,
        "elsewhere": elsewhere,
    }


class TestAMentorWhoAlsoRunsTheProgram:
    def test_notification_goes_to_the_other_admins_not_to_the_mentor_reported_on(self, dual):
        told = Notification.objects.filter(
            kind=Kind.PROBLEM_REPORTED, title__contains=dual["pair"].mentee.display_name
        )
        assert {n.recipient_id for n in told} == {dual["outsider"].pk}

    def test_notification_of_another_pairs_report_still_reaches_the_mentor_as_admin(self, dual):
        told = Notification.objects.filter(
            kind=Kind.PROBLEM_REPORTED, title__contains=dual["elsewhere"].mentee.display_name
        )
        assert {n.recipient_id for n in told} == {dual["outsider"].pk, dual["mentor"].pk}

    def test_program_list_page_leaves_out_the_report_about_them(self, client, dual):
        url = reverse("program_problem_reports", args=[dual["pair"].program_id])
        client.force_login(dual["mentor"])
        page = client.get(url).content.decode()
        assert TEXT not in page and "Another pair&#x27;s problem." in page
        client.force_login(dual["outsider"])
        assert TEXT in client.get(url).content.decode()

    def test_api_list_leaves_out_the_report_about_them(self, client, dual):
        pair = dual["pair"]
        client.force_login(dual["mentor"])
        program = api(client, "get", f"/api/mentorships/programs/{pair.program_id}/problem-reports")
        assert [i["text"] for i in program.json()["items"]] == ["Another pair's problem."]
        mine = api(client, "get", f"/api/mentorships/{pair.pk}/problem-reports")
        assert mine.status_code == 200 and mine.json()["items"] == []

    def test_detail_their_mentorship_page_does_not_show_the_report(self, client, dual):
        client.force_login(dual["mentor"])
        page = client.get(reverse("mentorship_detail", args=[dual["pair"].pk])).content.decode()
        assert TEXT not in page and "Mark resolved" not in page
        with pytest.raises(NotFound):
            selectors.access_problem_report(user=dual["mentor"], report_id=dual["report"].pk)

    def test_overview_of_another_pair_still_shows_that_pairs_report(self, client, dual):
        client.force_login(dual["mentor"])
        url = reverse("mentorship_detail", args=[dual["elsewhere"].pk])
        page = client.get(url).content.decode()
        assert "Another pair&#x27;s problem." in page and "Mark resolved" in page

    def test_resolve_is_refused_to_them_everywhere_and_the_reporter_hears_nothing(
        self, client, dual
    ):
        report = dual["report"]
        with pytest.raises(NotFound):
            services.problem_report_resolve(user=dual["mentor"], report_id=report.pk)
        client.force_login(dual["mentor"])
        assert client.post(reverse("problem_report_resolve", args=[report.pk])).status_code == 404
        url = f"/api/mentorships/problem-reports/{report.pk}/resolve"
        assert api(client, "post", url).status_code == 404
        report.refresh_from_db()
        assert report.resolved_at is None
        assert not Notification.objects.filter(recipient=dual["pair"].mentee).exists()

    def test_count_of_open_reports_leaves_out_the_report_about_them(self, client, dual):
        program_id = dual["pair"].program_id
        assert selectors.problem_report_open_count(user=dual["mentor"], program_id=program_id) == 1
        assert (
            selectors.problem_report_open_count(user=dual["outsider"], program_id=program_id) == 2
        )
        client.force_login(dual["mentor"])
        page = client.get(reverse("program_mentorships", args=[program_id])).content.decode()
        assert "1 open" in page and "2 open" not in page

    def test_count_is_zero_for_one_who_does_not_run_the_program(self, dual):
        mentee = dual["pair"].mentee
        assert (
            selectors.problem_report_open_count(user=mentee, program_id=dual["pair"].program_id)
            == 0
        )

    def test_an_admin_who_reports_reads_their_own_and_is_not_told_of_it(self, client, dual):
        pair = dual["pair"]
        # A text no generated name contains ("Mine" matched "Jasmine": SQLite's LIKE ignores case).
        text = "Qz7 reported by me."
        services.problem_report_create(user=pair.mentor, mentorship_id=pair.pk, text=text)
        mine = selectors.problem_report_list_for_mentorship(user=pair.mentor, mentorship=pair)
        assert [r.text for r in mine] == [text]
        told = Notification.objects.filter(kind=Kind.PROBLEM_REPORTED, title__contains="Qz7")
        assert not told.exists()  # the title names the reporter, not the text
        assert not Notification.objects.filter(
            kind=Kind.PROBLEM_REPORTED, recipient=pair.mentor, url__contains=f"/{pair.pk}/"
        ).exists()

    def test_the_form_says_the_other_will_not_see_it_even_as_an_admin(self, client, dual):
        pair = dual["pair"]
        client.force_login(pair.mentee)
        page = client.get(reverse("problem_report_new", args=[pair.pk])).content.decode()
        assert WHO_READS in page
        assert "will not see it, even though they are an admin of the program." in page


# --- a report nobody could read is refused, and the form says so before one writes ----------

REFUSED = escape(NO_PROBLEM_REPORT_READER)


def only_the_pair_runs(pair) -> None:
    EnrolmentFactory(program=pair.program, person=pair.mentor, role=Role.ADMIN)
    EnrolmentFactory(program=pair.program, person=pair.mentee, role=Role.ADMIN)


def the_one_admin_is_deactivated(pair) -> None:
    admin = member(pair.program, Role.ADMIN)
    admin.is_active = False
    admin.save(update_fields=["is_active"])


NO_READER = {
    "no admin at all": lambda pair: None,
    "only the other of the pair runs it": lambda pair: EnrolmentFactory(
        program=pair.program, person=pair.mentor, role=Role.ADMIN
    ),
    "only the pair run it": only_the_pair_runs,
    "the one other admin is deactivated": the_one_admin_is_deactivated,
    "the one other admin is paused": lambda pair: member(
        pair.program, Role.ADMIN, status=EnrolmentStatus.PAUSED
    ),
}


@pytest.fixture(params=list(NO_READER))
def unread(request):
    pair = mentorship()
    NO_READER[request.param](pair)
    return pair


class TestNobodyCouldReadIt:
    def test_the_service_refuses_with_what_to_do_instead_and_writes_nothing(self, unread):
        with pytest.raises(ApplicationError) as caught:
            services.problem_report_create(user=unread.mentee, mentorship_id=unread.pk, text=TEXT)
        assert caught.value.message == NO_PROBLEM_REPORT_READER
        assert caught.value.status == 409
        assert "site administrator" in caught.value.message
        assert not ProblemReport.objects.exists()
        assert not Notification.objects.exists()

    def test_the_form_says_so_before_anyone_writes(self, client, unread):
        client.force_login(unread.mentee)
        response = client.get(reverse("problem_report_new", args=[unread.pk]))
        page = response.content.decode()
        assert response.status_code == 200 and REFUSED in page
        assert 'name="text"' not in page and "Send to the admins" not in page
        assert WHO_READS not in page

    def test_sending_anyway_is_refused_and_keeps_what_was_written(self, client, unread):
        client.force_login(unread.mentee)
        response = client.post(reverse("problem_report_new", args=[unread.pk]), {"text": TEXT})
        page = response.content.decode()
        assert response.status_code == 200 and REFUSED in page and 'role="alert"' in page
        assert escape(TEXT) in page and "Sent." not in page
        assert not ProblemReport.objects.exists()

    def test_the_api_answers_409_with_the_reason(self, client, unread):
        client.force_login(unread.mentor)
        url = f"/api/mentorships/{unread.pk}/problem-reports"
        response = api(client, "post", url, {"text": TEXT})
        assert response.status_code == 409
        assert response.json()["detail"] == NO_PROBLEM_REPORT_READER
        assert not ProblemReport.objects.exists()

    def test_it_is_refused_before_the_text_is_checked(self, unread):
        with pytest.raises(ApplicationError) as caught:
            services.problem_report_create(user=unread.mentee, mentorship_id=unread.pk, text="")
        assert caught.value.message == NO_PROBLEM_REPORT_READER


def test_the_form_opens_again_once_an_outside_admin_is_there(client):
    pair = mentorship()
    EnrolmentFactory(program=pair.program, person=pair.mentor, role=Role.ADMIN)
    client.force_login(pair.mentee)
    url = reverse("problem_report_new", args=[pair.pk])
    assert REFUSED in client.get(url).content.decode()
    member(pair.program, Role.ADMIN)
    page = client.get(url).content.decode()
    assert REFUSED not in page and 'name="text"' in page
