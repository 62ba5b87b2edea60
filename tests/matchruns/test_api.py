"""The match-run API through real HTTP: permissions for every endpoint, then behaviour."""

from __future__ import annotations

import json

import pytest

from tandem.matchruns import services
from tandem.matchruns.models import MatchConstraint, MatchRun
from tandem.mentorships.models import Mentorship
from tandem.programs.models import MatchingMode
from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor

pytestmark = pytest.mark.django_db
BASE = "/api/match-runs"


@pytest.fixture
def run(run_tasks, program, program_admin, cohort) -> MatchRun:
    with run_tasks():
        made = services.match_run_start(user=program_admin, program=program)
    made.refresh_from_db()
    return made


@pytest.fixture
def other_run(run_tasks, program, program_admin, run) -> MatchRun:
    with run_tasks():
        made = services.match_run_start(user=program_admin, program=program, objective="fair")
    made.refresh_from_db()
    return made


def call(client, method: str, url: str, body: dict | None = None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


def endpoints(program, run, other_run, cohort):
    """(method, url, body) for every admin endpoint."""
    root = f"{BASE}/{program.slug}/runs"
    pin = {"mentee_id": cohort["ada"].pk, "mentor_id": cohort["eli"].pk, "kind": "pin"}
    return [
        ("get", root, None),
        ("post", root, {"objective": "optimal", "seed": 1}),
        ("get", f"{root}/{run.pk}", None),
        ("get", f"{root}/{run.pk}/pairs", None),
        ("get", f"{root}/{run.pk}/unmatched", None),
        ("get", f"{root}/{run.pk}/constraints", None),
        ("post", f"{root}/{run.pk}/constraints", pin),
        ("delete", f"{root}/{run.pk}/constraints/1", None),
        ("post", f"{root}/{run.pk}/rerun", {}),
        ("get", f"{root}/{run.pk}/compare/{other_run.pk}", None),
        ("post", f"{root}/{run.pk}/publish", None),
        ("post", f"{root}/{run.pk}/discard", None),
    ]


class TestPermissions:
    def test_anonymous_gets_401_everywhere(self, client, program, run, other_run, cohort):
        for method, url, body in endpoints(program, run, other_run, cohort):
            assert call(client, method, url, body).status_code == 401, url
        url = f"{BASE}/{program.slug}/recommendations"
        assert client.get(url).status_code == 401

    @pytest.mark.parametrize("who", ["other_admin", "mentee", "mentor"])
    def test_non_admins_get_404_and_change_nothing(
        self, client, program, run, other_run, cohort, who
    ):
        user = (
            admin(ProgramFactory())
            if who == "other_admin"
            else cohort["ada" if who == "mentee" else "dana"]
        )
        client.force_login(user)
        for method, url, body in endpoints(program, run, other_run, cohort):
            response = call(client, method, url, body)
            assert response.status_code == 404, (url, response.content)
        assert MatchRun.objects.count() == 2
        assert not MatchConstraint.objects.exists()
        assert not Mentorship.objects.exists()

    def test_a_run_of_another_program_is_404_for_this_programs_admin(
        self, client, program_admin, run
    ):
        elsewhere = ProgramFactory()
        client.force_login(admin(elsewhere))
        assert client.get(f"{BASE}/{elsewhere.slug}/runs/{run.pk}").status_code == 404

    def test_recommendations_only_for_active_mentees_of_a_self_serve_program(self, client):
        program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
        learner = mentee(program)
        teacher = mentor(program)
        url = f"{BASE}/{program.slug}/recommendations"
        client.force_login(admin(ProgramFactory()))
        assert client.get(url).status_code == 404
        client.force_login(teacher)
        assert client.get(url).status_code == 403
        client.force_login(admin(program))
        assert client.get(url).status_code == 403
        learner.enrolments.update(status="pending")
        client.force_login(learner)
        assert client.get(url).status_code == 404
        learner.enrolments.update(status="active")
        assert client.get(url).status_code == 200


class TestAdminFlow:
    def test_start_then_poll_then_list_pairs(
        self, client, run_tasks, program, program_admin, cohort
    ):
        client.force_login(program_admin)
        with run_tasks():
            response = call(
                client, "post", f"{BASE}/{program.slug}/runs", {"objective": "stable", "seed": 4}
            )
        assert response.status_code == 202
        run_id = response.json()["id"]
        assert response.json()["status"] == "queued"

        status = client.get(f"{BASE}/{program.slug}/runs/{run_id}").json()
        assert (status["status"], status["progress"], status["objective"]) == (
            "done",
            100,
            "stable",
        )
        assert status["summary"]["matched"] == 3
        assert "inputs" not in status

        pairs = client.get(f"{BASE}/{program.slug}/runs/{run_id}/pairs").json()
        assert pairs["count"] == 3 and pairs["page"] == 1
        top = pairs["items"][0]
        assert set(top) == {"mentee", "mentor", "score", "reasons", "pinned"}
        assert all(set(r) == {"criterion", "text", "kind"} for r in top["reasons"])
        assert top["reasons"][0]["kind"] == "fit" and top["reasons"][1]["kind"] == "strength"

    def test_bad_start_input_is_a_field_error(self, client, program, program_admin, cohort):
        client.force_login(program_admin)
        response = call(
            client, "post", f"{BASE}/{program.slug}/runs", {"objective": "best", "seed": 1}
        )
        assert response.status_code == 422
        assert "objective" in response.json()["fields"]
        response = call(client, "post", f"{BASE}/{program.slug}/runs", {"seed": "x"})
        assert response.status_code == 422
        assert not MatchRun.objects.exists()

    def test_pairs_are_paginated_with_bounded_queries(
        self, client, run_tasks, program, program_admin, monkeypatch, django_assert_max_num_queries
    ):
        from tandem.matchruns import api

        monkeypatch.setattr(api, "PAGE_SIZE", 10)
        for k in range(25):
            mentee(program, goals=f"topic {k}")
        for _ in range(10):
            mentor(program, capacity=3)
        with run_tasks():
            run = services.match_run_start(user=program_admin, program=program)
        client.force_login(program_admin)
        seen = []
        for number in (1, 2, 3):
            with django_assert_max_num_queries(8):
                page = client.get(f"{BASE}/{program.slug}/runs/{run.pk}/pairs?page={number}")
            data = page.json()
            assert (data["count"], data["pages"], data["page"]) == (25, 3, number)
            seen += [item["mentee"]["id"] for item in data["items"]]
        assert len(seen) == len(set(seen)) == 25

    def test_pin_rerun_compare_publish(
        self, client, run_tasks, program, program_admin, cohort, run
    ):
        client.force_login(program_admin)
        root = f"{BASE}/{program.slug}/runs"
        pin = {"mentee_id": cohort["cem"].pk, "mentor_id": cohort["dana"].pk, "kind": "pin"}
        created = call(client, "post", f"{root}/{run.pk}/constraints", pin)
        assert created.status_code == 201
        assert created.json()["kind"] == "pin"
        assert client.get(f"{root}/{run.pk}/constraints").json()["count"] == 1

        with run_tasks():
            rerun = call(client, "post", f"{root}/{run.pk}/rerun", {"seed": 9})
        assert rerun.status_code == 202
        new_id = rerun.json()["id"]
        assert rerun.json()["parent_id"] == run.pk

        compared = client.get(f"{root}/{run.pk}/compare/{new_id}").json()
        assert compared["run_a"]["summary"]["matched"] == 3
        changed = {c["mentee"]["id"]: c for c in compared["changes"]}
        assert changed[cohort["cem"].pk]["mentor_b"] == cohort["dana"].display_name
        assert changed[cohort["cem"].pk]["delta"] is not None

        published = call(client, "post", f"{root}/{new_id}/publish")
        assert published.status_code == 200, published.content
        assert published.json()["status"] == "published"
        assert Mentorship.objects.count() == 3
        again = call(client, "post", f"{root}/{run.pk}/publish")
        assert again.status_code == 409

    def test_publish_refusal_names_the_people(self, client, program, program_admin, cohort, run):
        cohort["dana"].enrolments.update(status="removed")
        client.force_login(program_admin)
        response = call(client, "post", f"{BASE}/{program.slug}/runs/{run.pk}/publish")
        assert response.status_code == 409
        assert cohort["dana"].display_name in response.json()["fields"]["pairs"]
        assert not Mentorship.objects.exists()

    def test_remove_constraint_and_discard(self, client, program, program_admin, cohort, run):
        client.force_login(program_admin)
        root = f"{BASE}/{program.slug}/runs/{run.pk}"
        made = call(
            client,
            "post",
            f"{root}/constraints",
            {"mentee_id": cohort["ada"].pk, "mentor_id": cohort["dana"].pk, "kind": "forbid"},
        )
        assert client.delete(f"{root}/constraints/{made.json()['id']}").status_code == 204
        assert client.delete(f"{root}/constraints/{made.json()['id']}").status_code == 404
        response = call(client, "post", f"{root}/discard")
        assert response.json()["status"] == "discarded"
        assert (
            call(
                client,
                "post",
                f"{root}/constraints",
                {"mentee_id": cohort["ada"].pk, "mentor_id": cohort["dana"].pk, "kind": "forbid"},
            ).status_code
            == 409
        )

    def test_run_list_is_paginated(
        self, client, program, program_admin, run, other_run, django_assert_max_num_queries
    ):
        client.force_login(program_admin)
        with django_assert_max_num_queries(7):
            data = client.get(f"{BASE}/{program.slug}/runs").json()
        assert [r["id"] for r in data["items"]] == [other_run.pk, run.pk]
        assert data["count"] == 2
