"""Pages of match runs: permissions for every page, the review flow, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.matchruns import services
from tandem.matchruns.models import MatchConstraint, MatchRun, RunStatus
from tandem.mentorships.models import Mentorship
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(run_tasks, program, program_admin, cohort) -> MatchRun:
    with run_tasks():
        made = services.match_run_start(user=program_admin, program=program)
    made.refresh_from_db()
    return made


def pages(program, run, cohort):
    """(method, url, data) for every admin page."""
    slug = program.slug
    pin = {"mentee_id": cohort["ada"].pk, "mentor_id": cohort["eli"].pk, "kind": "pin"}
    return [
        ("get", reverse("match_run_list", args=[slug]), None),
        ("post", reverse("match_run_start", args=[slug]), {"objective": "optimal", "seed": 0}),
        ("get", reverse("match_run_detail", args=[slug, run.pk]), None),
        ("get", reverse("match_run_status", args=[slug, run.pk]), None),
        ("post", reverse("match_run_constrain", args=[slug, run.pk]), pin),
        ("post", reverse("match_run_unconstrain", args=[slug, run.pk, 1]), {}),
        ("post", reverse("match_run_rerun", args=[slug, run.pk]), {"objective": "fair", "seed": 1}),
        ("post", reverse("match_run_publish", args=[slug, run.pk]), {}),
        ("post", reverse("match_run_discard", args=[slug, run.pk]), {}),
        ("get", reverse("match_run_compare", args=[slug]) + f"?a={run.pk}&b={run.pk}", None),
    ]


class TestPermissions:
    def test_anonymous_is_sent_to_log_in(self, client, program, run, cohort):
        for method, url, data in pages(program, run, cohort):
            response = getattr(client, method)(url, data or {})
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("who", ["other_admin", "mentee", "mentor"])
    def test_non_admins_get_404_and_change_nothing(self, client, program, run, cohort, who):
        user = (
            admin(ProgramFactory())
            if who == "other_admin"
            else cohort["bea" if who == "mentee" else "eli"]
        )
        client.force_login(user)
        for method, url, data in pages(program, run, cohort):
            assert getattr(client, method)(url, data or {}).status_code == 404, url
        assert MatchRun.objects.count() == 1
        assert not MatchConstraint.objects.exists()
        assert not Mentorship.objects.exists()

    def test_mentors_page_permissions(self, client):
        from tandem.programs.models import MatchingMode

        program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
        learner, teacher = mentee(program), mentor(program)
        url = reverse("program_mentors", args=[program.slug])
        assert client.get(url).status_code == 302
        client.force_login(admin(ProgramFactory()))
        assert client.get(url).status_code == 404
        client.force_login(teacher)
        assert client.get(url).status_code == 403
        client.force_login(learner)
        assert client.get(url).status_code == 200


class TestReviewFlow:
    def test_list_page_starts_a_run_and_redirects_to_it(
        self, client, run_tasks, program, program_admin, cohort
    ):
        client.force_login(program_admin)
        assert (
            b"Start match run" in client.get(reverse("match_run_list", args=[program.slug])).content
        )
        with run_tasks():
            response = client.post(
                reverse("match_run_start", args=[program.slug]), {"objective": "fair", "seed": 3}
            )
        run = MatchRun.objects.get()
        assert response["Location"] == reverse("match_run_detail", args=[program.slug, run.pk])
        assert (run.objective, run.seed) == ("fair", 3)

    def test_bad_start_input_shows_the_field_error(self, client, program, program_admin, cohort):
        client.force_login(program_admin)
        response = client.post(
            reverse("match_run_start", args=[program.slug]), {"objective": "best", "seed": -4}
        )
        assert response.status_code == 400
        assert b"Select a valid choice" in response.content
        assert not MatchRun.objects.exists()

    def test_a_refused_rerun_names_the_field_as_the_page_does(
        self, client, program, program_admin, run
    ):
        """Crawl review: a tampered objective read "objective: Select a valid choice…"."""
        client.force_login(program_admin)
        url = reverse("match_run_rerun", args=[program.slug, run.pk])
        page = client.post(url, {"objective": "best", "seed": 0}, follow=True).content.decode()
        assert "Objective: Select a valid choice" in page
        assert "objective:" not in page

    def test_detail_shows_pairs_reasons_and_quality(
        self, client, program, program_admin, cohort, run
    ):
        client.force_login(program_admin)
        response = client.get(reverse("match_run_detail", args=[program.slug, run.pk]))
        html = response.content.decode()
        assert cohort["ada"].display_name in html and cohort["dana"].display_name in html
        assert "Offers SQL" in html
        assert "3 of 3 mentees" in html
        assert "Publish 3 pairs" in html

    def test_status_partial_polls_while_running_and_refreshes_when_done(
        self, client, program, program_admin, cohort, run
    ):
        client.force_login(program_admin)
        url = reverse("match_run_status", args=[program.slug, run.pk])
        MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=40)
        polling = client.get(url, headers={"HX-Request": "true"})
        assert b'hx-trigger="every 1s"' in polling.content
        assert b'aria-valuenow="40"' in polling.content
        assert "HX-Refresh" not in polling
        MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100)
        done = client.get(url, headers={"HX-Request": "true"})
        assert done["HX-Refresh"] == "true"
        assert b"every 1s" not in done.content

    def test_pin_button_then_rerun_then_publish(
        self, client, run_tasks, program, program_admin, cohort, run
    ):
        client.force_login(program_admin)
        slug = program.slug
        response = client.post(
            reverse("match_run_constrain", args=[slug, run.pk]),
            {"mentee_id": cohort["cem"].pk, "mentor_id": cohort["dana"].pk, "kind": "pin"},
        )
        assert response.status_code == 302
        assert run.constraints.get().kind == "pin"
        with run_tasks():
            response = client.post(
                reverse("match_run_rerun", args=[slug, run.pk]), {"objective": "optimal", "seed": 0}
            )
        new = MatchRun.objects.exclude(pk=run.pk).get()
        assert response["Location"] == reverse("match_run_detail", args=[slug, new.pk])
        assert new.pairs.get(mentee=cohort["cem"]).mentor == cohort["dana"]
        compare = client.get(reverse("match_run_compare", args=[slug]), {"a": run.pk, "b": new.pk})
        assert cohort["cem"].display_name in compare.content.decode()
        client.post(reverse("match_run_publish", args=[slug, new.pk]))
        new.refresh_from_db()
        assert new.status == RunStatus.PUBLISHED
        assert Mentorship.objects.count() == 3

    def test_constraint_errors_are_shown_on_the_form(
        self, client, program, program_admin, cohort, run
    ):
        client.force_login(program_admin)
        url = reverse("match_run_constrain", args=[program.slug, run.pk])
        client.post(
            url, {"mentee_id": cohort["ada"].pk, "mentor_id": cohort["dana"].pk, "kind": "pin"}
        )
        response = client.post(
            url, {"mentee_id": cohort["bea"].pk, "mentor_id": cohort["dana"].pk, "kind": "pin"}
        )
        assert response.status_code == 400
        assert b"all already pinned" in response.content
        assert run.constraints.count() == 1

    def test_publish_refusal_is_shown_with_names(self, client, program, program_admin, cohort, run):
        cohort["eli"].enrolments.update(status="removed")
        client.force_login(program_admin)
        response = client.post(
            reverse("match_run_publish", args=[program.slug, run.pk]), follow=True
        )
        html = response.content.decode()
        assert services.PAIRS_INVALID in html
        assert cohort["eli"].display_name in html
        assert not Mentorship.objects.exists()

    def test_discard(self, client, program, program_admin, run):
        client.force_login(program_admin)
        client.post(reverse("match_run_discard", args=[program.slug, run.pk]))
        run.refresh_from_db()
        assert run.status == RunStatus.DISCARDED

    def test_compare_needs_two_runs(self, client, program, program_admin, run):
        client.force_login(program_admin)
        response = client.get(reverse("match_run_compare", args=[program.slug]), {"a": "x"})
        assert response.status_code == 302


class TestQueryBounds:
    def test_detail_page_queries_do_not_grow_with_pairs(
        self, client, run_tasks, program, program_admin, django_assert_max_num_queries
    ):
        for k in range(40):
            mentee(program, goals=f"topic {k}")
        for _ in range(15):
            mentor(program, capacity=3)
        with run_tasks():
            run = services.match_run_start(user=program_admin, program=program)
        client.force_login(program_admin)
        url = reverse("match_run_detail", args=[program.slug, run.pk])
        with django_assert_max_num_queries(16):
            first = client.get(url)
        with django_assert_max_num_queries(16):
            second = client.get(url, {"page": 2})
        assert first.content.count(b'name="kind" value="pin" class') == 25
        assert second.content.count(b'name="kind" value="pin" class') == 15

    def test_run_list_queries_are_bounded(
        self, client, run_tasks, program, program_admin, cohort, django_assert_max_num_queries
    ):
        for _ in range(4):
            with run_tasks():
                services.match_run_start(user=program_admin, program=program)
        client.force_login(program_admin)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("match_run_list", args=[program.slug]))
        assert response.content.count(b"Run #") == 4
