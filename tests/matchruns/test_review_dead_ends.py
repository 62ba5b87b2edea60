"""Match review never dead-ends (issue #10, item 6): a pin that breaks a rule is refused when
it is added, in names; a failed run offers the way out; every pin and forbid says what it will
change; an out-of-date run cannot be published; people who share a name are told apart."""

from __future__ import annotations

import html
import json
import threading

import pytest
from django.db import connection
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.matchruns import execution, review, services
from tandem.matchruns.models import MatchConstraint, MatchRun, RunStatus
from tandem.mentorships.models import Mentorship
from tandem.people.models import Profile
from tandem.programs.models import Enrolment, EnrolmentStatus, Role
from tests.matchruns.factories import EnrolmentFactory, ProgramFactory, admin, mentee, mentor

pytestmark = pytest.mark.django_db
API = "/api/match-runs"


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def start(run_tasks, user, program, **kwargs) -> MatchRun:
    with run_tasks():
        run = services.match_run_start(user=user, program=program, **kwargs)
    run.refresh_from_db()
    return run


def constrain(user, run, mentee_user, mentor_user, kind="pin") -> MatchConstraint:
    return services.match_run_constrain(
        user=user, run=run, mentee_id=mentee_user.pk, mentor_id=mentor_user.pk, kind=kind
    )


def refusal(user, run, mentee_user, mentor_user, kind="pin") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        constrain(user, run, mentee_user, mentor_user, kind)
    return caught.value


@pytest.fixture
def rules_cast(db):
    """One cohort where each pair below breaks exactly one of the program's rules."""
    program = ProgramFactory(avoid_same_department=True)
    boss = admin(program)
    ben = named(mentor(program, capacity=2, languages=["en"]), "Ben", "Ode")
    ana = named(mentee(program, languages=["en"]), "Ana", "Ruiz")
    Profile.objects.filter(user=ana).update(manager_email=ben.email)
    carla = named(mentor(program, capacity=1, languages=["de"]), "Carla", "Diaz")
    dev = named(mentee(program, languages=["en"]), "Dev", "Ng")
    eve = named(
        mentee(program, languages=["en"], meeting_format="in_person", city="Lyon"), "Eve", "Lam"
    )
    fay = named(
        mentor(program, capacity=1, languages=["en"], meeting_format="in_person", city="Oslo"),
        "Fay",
        "Orr",
    )
    gus = named(mentor(program, capacity=1, languages=["en"]), "Gus", "Holt")
    Mentorship.objects.create(program=program, mentor=gus, mentee=mentee(ProgramFactory()))
    hal = named(mentee(program, languages=["en"], department="Sales"), "Hal", "Yu")
    ida = named(mentor(program, capacity=1, languages=["en"], department="Sales"), "Ida", "Kos")
    ivy = named(mentee(program, languages=["en"]), "Ivy", "Moss")
    EnrolmentFactory(program=program, person=ivy, role=Role.MENTOR, capacity=1)
    return {
        "program": program,
        "boss": boss,
        **{"ana": ana, "ben": ben, "carla": carla, "dev": dev, "eve": eve, "fay": fay},
        **{"gus": gus, "hal": hal, "ida": ida, "ivy": ivy},
    }


@pytest.fixture
def rules_run(run_tasks, rules_cast) -> MatchRun:
    return start(run_tasks, rules_cast["boss"], rules_cast["program"])


class TestRefusedWhenAdded:
    @pytest.mark.parametrize(
        ("pair", "why"),
        [
            (("ana", "ben"), "Ben Ode is Ana Ruiz's manager"),
            (
                ("dev", "carla"),
                "they share no language (Dev Ng speaks English; Carla Diaz speaks German)",
            ),
            (
                ("eve", "fay"),
                "both want to meet in person but live in different cities (Lyon and Oslo)",
            ),
            (("dev", "gus"), "Gus Holt has no free place left in this program"),
            (("hal", "ida"), "both work in Sales, and this program keeps departments apart"),
        ],
    )
    def test_a_pin_breaking_a_rule_is_refused_in_names(self, rules_cast, rules_run, pair, why):
        who, whom = rules_cast[pair[0]], rules_cast[pair[1]]
        error = refusal(rules_cast["boss"], rules_run, who, whom)
        expected = f"{who.display_name} cannot be pinned to {whom.display_name}: {why}."
        assert error.message == expected
        assert error.fields == {"mentor_id": expected}
        assert error.status == 400
        assert not rules_run.constraints.exists()

    def test_nobody_is_pinned_or_forbidden_with_themself(self, rules_cast, rules_run):
        ivy = rules_cast["ivy"]
        for kind in ("pin", "forbid"):
            error = refusal(rules_cast["boss"], rules_run, ivy, ivy, kind)
            assert error.message == "Ivy Moss is on both sides: nobody can be paired with themself."
        assert not rules_run.constraints.exists()

    def test_someone_who_left_since_the_run_is_refused_by_name(self, rules_cast, rules_run):
        Enrolment.objects.filter(person=rules_cast["dev"]).update(status=EnrolmentStatus.REMOVED)
        error = refusal(rules_cast["boss"], rules_run, rules_cast["dev"], rules_cast["ben"])
        assert error.fields == {"mentee_id": "Dev Ng is no longer an active mentee of the program."}

    def test_a_forbid_on_a_pair_the_rules_keep_apart_is_accepted(self, rules_cast, rules_run):
        """A forbid is a promise that survives profile changes, so the rules do not veto it."""
        made = constrain(
            rules_cast["boss"], rules_run, rules_cast["ana"], rules_cast["ben"], "forbid"
        )
        assert made.kind == "forbid"

    def test_contradictions_are_refused_clearly(self, rules_cast, rules_run):
        boss, dev, eve, ben = (rules_cast[k] for k in ("boss", "dev", "eve", "ben"))
        constrain(boss, rules_run, dev, ben, "pin")
        error = refusal(boss, rules_run, dev, ben, "forbid")
        assert error.message == services.SAME_PAIR_PINNED.format(mentee="Dev Ng", mentor="Ben Ode")
        assert (error.status, list(error.fields)) == (409, ["kind"])
        constrain(boss, rules_run, eve, ben, "forbid")
        error = refusal(boss, rules_run, eve, ben, "pin")
        assert error.message == services.SAME_PAIR_FORBIDDEN.format(
            mentee="Eve Lam", mentor="Ben Ode"
        )
        error = refusal(boss, rules_run, dev, rules_cast["ivy"], "pin")
        assert error.message == services.PIN_TAKEN.format(mentee="Dev Ng", mentor="Ben Ode")
        assert sorted(rules_run.constraints.values_list("kind", flat=True)) == ["forbid", "pin"]

    def test_the_form_shows_the_refusal_in_names(self, client, rules_cast, rules_run):
        client.force_login(rules_cast["boss"])
        response = client.post(
            reverse("match_run_constrain", args=[rules_cast["program"].slug, rules_run.pk]),
            {"mentee_id": rules_cast["ana"].pk, "mentor_id": rules_cast["ben"].pk, "kind": "pin"},
        )
        assert response.status_code == 400
        page = html.unescape(response.content.decode())
        assert "Ana Ruiz cannot be pinned to Ben Ode: Ben Ode is Ana Ruiz's manager." in page
        assert not rules_run.constraints.exists()

    def test_the_api_answers_400_with_the_field(self, client, rules_cast, rules_run):
        client.force_login(rules_cast["boss"])
        response = client.post(
            f"{API}/{rules_cast['program'].slug}/runs/{rules_run.pk}/constraints",
            data=json.dumps(
                {
                    "mentee_id": rules_cast["ana"].pk,
                    "mentor_id": rules_cast["ben"].pk,
                    "kind": "pin",
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {
            "mentor_id": "Ana Ruiz cannot be pinned to Ben Ode: Ben Ode is Ana Ruiz's manager."
        }


@pytest.fixture
def failed_run(run_tasks, rules_cast, rules_run) -> MatchRun:
    """A pin that was fine when added, broken by the time the re-run solves (Ben's languages
    changed), as a run from before this check would also have failed."""
    constrain(rules_cast["boss"], rules_run, rules_cast["dev"], rules_cast["ben"])
    constrain(rules_cast["boss"], rules_run, rules_cast["eve"], rules_cast["carla"], "forbid")
    Profile.objects.filter(user=rules_cast["ben"]).update(languages=["fr"])
    with run_tasks():
        made = services.match_run_rerun(user=rules_cast["boss"], run=rules_run)
    made.refresh_from_db()
    return made


class TestFailedRun:
    def test_the_run_fails_saying_why_in_names(self, failed_run):
        assert failed_run.status == RunStatus.FAILED
        assert failed_run.error == execution.PINS_BROKEN.format(
            problems="Dev Ng cannot be pinned to Ben Ode: they share no language (Dev Ng speaks "
            "English; Ben Ode speaks French)."
        )

    def test_the_page_offers_removal_and_rerun(self, client, rules_cast, failed_run):
        client.force_login(rules_cast["boss"])
        url = reverse("match_run_detail", args=[rules_cast["program"].slug, failed_run.pk])
        page = html.unescape(client.get(url).content.decode())
        assert "Fix it and run again" in page
        assert "Remove this pin and re-run" in page
        assert "Remove every pin and forbid (2) and re-run" in page
        assert page.count("Dev Ng cannot be pinned to Ben Ode") >= 2  # the status and the fix

    def test_removing_the_pin_and_rerunning_works(self, client, run_tasks, rules_cast, failed_run):
        client.force_login(rules_cast["boss"])
        pin = failed_run.constraints.get(kind="pin")
        with run_tasks():
            response = client.post(
                reverse("match_run_rerun", args=[rules_cast["program"].slug, failed_run.pk]),
                {"objective": "optimal", "seed": 0, "remove": [pin.pk]},
            )
        new = MatchRun.objects.latest("pk")
        assert response.status_code == 302 and response["Location"].endswith(f"/{new.pk}/")
        assert new.status == RunStatus.DONE
        assert list(new.constraints.values_list("kind", flat=True)) == ["forbid"]
        assert list(failed_run.constraints.values_list("kind", flat=True)) == ["forbid"]

    def test_removing_everything_and_rerunning_through_the_api(
        self, client, run_tasks, rules_cast, failed_run
    ):
        client.force_login(rules_cast["boss"])
        with run_tasks():
            response = client.post(
                f"{API}/{rules_cast['program'].slug}/runs/{failed_run.pk}/rerun",
                data=json.dumps({"remove_all": True}),
                content_type="application/json",
            )
        assert response.status_code == 202
        new = MatchRun.objects.get(pk=response.json()["id"])
        assert new.status == RunStatus.DONE and not new.constraints.exists()
        assert not failed_run.constraints.exists()

    def test_a_pin_can_be_removed_from_a_failed_run_alone(self, rules_cast, failed_run):
        pin = failed_run.constraints.get(kind="pin")
        services.match_run_unconstrain(
            user=rules_cast["boss"], run=failed_run, constraint_id=pin.pk
        )
        assert failed_run.constraints.count() == 1

    def test_the_api_lists_the_problem_with_the_pin(self, client, rules_cast, failed_run):
        client.force_login(rules_cast["boss"])
        rows = client.get(
            f"{API}/{rules_cast['program'].slug}/runs/{failed_run.pk}/constraints"
        ).json()["items"]
        problems = {row["kind"]: row["problem"] for row in rows}
        assert problems["pin"].startswith("Dev Ng cannot be pinned to Ben Ode: they share")
        assert problems["forbid"] == ""


class TestPreview:
    def test_each_pin_and_forbid_says_what_it_will_change(
        self, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        name = {k: u.display_name for k, u in cohort.items()}
        assert run.pairs.get(mentee=cohort["ada"]).mentor == cohort["dana"]
        assert set(run.pairs.filter(mentor=cohort["eli"]).values_list("mentee", flat=True)) == {
            cohort["bea"].pk,
            cohort["cem"].pk,
        }
        for mentee_key, mentor_key, kind in [
            ("cem", "dana", "pin"),
            ("ada", "eli", "forbid"),
            ("bea", "eli", "forbid"),
        ]:
            constrain(program_admin, run, cohort[mentee_key], cohort[mentor_key], kind)
        reviews = review.match_constraint_reviews(run=run, labels=review.people_labels(run))
        effects = {(r.constraint.mentee_id, r.constraint.kind): r.effect for r in reviews}
        assert effects[(cohort["cem"].pk, "pin")] == (
            f"Pins {name['cem']} → {name['dana']} (today {name['cem']} is with {name['eli']}; "
            f"{name['dana']} is with {name['ada']}, who will be re-matched)."
        )
        assert effects[(cohort["ada"].pk, "forbid")] == review.FORBIDS_APART.format(
            mentee=name["ada"], mentor=name["eli"]
        )
        assert effects[(cohort["bea"].pk, "forbid")] == (
            f"Forbids {name['bea']} → {name['eli']} (today they are paired: {name['bea']} will "
            "be re-matched)."
        )
        assert all(r.pending and not r.problem for r in reviews)

    def test_a_pin_of_a_pair_already_together_and_a_mentor_with_room(
        self, run_tasks, program, program_admin, cohort
    ):
        roomy = mentor(program, capacity=3, first_name="Zoe")
        run = start(run_tasks, program_admin, program)
        together = run.pairs.get(mentee=cohort["bea"])
        constrain(program_admin, run, cohort["bea"], together.mentor)
        elsewhere = run.pairs.exclude(mentor=roomy).exclude(mentee=cohort["bea"]).first()
        constrain(program_admin, run, elsewhere.mentee, roomy)
        effects = {
            r.constraint.mentee_id: r.effect
            for r in review.match_constraint_reviews(run=run, labels=review.people_labels(run))
        }
        assert effects[cohort["bea"].pk] == review.KEEPS.format(
            mentee=cohort["bea"].display_name, mentor=together.mentor.display_name
        )
        assert effects[elsewhere.mentee_id].endswith(f"; {roomy.display_name} has a free place).")

    def test_the_run_page_shows_the_preview(
        self, client, run_tasks, program, program_admin, cohort
    ):
        run = start(run_tasks, program_admin, program)
        constrain(program_admin, run, cohort["cem"], cohort["dana"])
        client.force_login(program_admin)
        page = html.unescape(
            client.get(reverse("match_run_detail", args=[program.slug, run.pk])).content.decode()
        )
        assert f"When you re-run: Pins {cohort['cem'].display_name} → " in page
        assert "who will be re-matched" in page


class TestOutOfDate:
    @pytest.fixture
    def stale(self, run_tasks, program, program_admin, cohort) -> tuple[MatchRun, MatchRun]:
        older = start(run_tasks, program_admin, program)
        newer = start(run_tasks, program_admin, program, seed=3)
        services.match_run_publish(user=program_admin, run=newer)
        return older, newer

    def test_the_service_refuses_and_creates_nothing(self, program_admin, stale):
        older, newer = stale
        with pytest.raises(ApplicationError) as caught:
            services.match_run_publish(user=program_admin, run=older)
        assert caught.value.message == review.OUT_OF_DATE.format(other=newer.pk)
        assert caught.value.status == 409
        assert Mentorship.objects.count() == 3
        older.refresh_from_db()
        assert older.status == RunStatus.DONE

    def test_publishing_the_same_run_twice_in_a_row_creates_once(self, program_admin, stale):
        _, newer = stale
        with pytest.raises(ApplicationError):
            services.match_run_publish(user=program_admin, run=newer)
        assert Mentorship.objects.count() == 3

    def test_a_run_made_after_the_publish_can_be_published(
        self, run_tasks, program, program_admin, stale
    ):
        late = mentee(program, first_name="Lou", goals="learn SQL", wanted=["SQL"])
        mentor(program, first_name="Max", capacity=1, offered=["SQL"])
        later = start(run_tasks, program_admin, program)
        assert review.match_run_superseded_by(run=later) is None
        services.match_run_publish(user=program_admin, run=later)
        assert Mentorship.objects.filter(mentee=late).exists()

    def test_the_page_explains_and_links_to_a_new_run(self, client, program, program_admin, stale):
        older, newer = stale
        client.force_login(program_admin)
        page = html.unescape(
            client.get(reverse("match_run_detail", args=[program.slug, older.pk])).content.decode()
        )
        assert "Out of date." in page and f"Run #{newer.pk}</a> was published on" in page
        assert "Start a new run" in page
        assert reverse("match_run_publish", args=[program.slug, older.pk]) not in page
        listing = client.get(reverse("match_run_list", args=[program.slug])).content.decode()
        assert listing.count("Out of date") == 1  # the older run, not the published one

    def test_the_view_refuses_a_forced_publish(self, client, program, program_admin, stale):
        older, newer = stale
        client.force_login(program_admin)
        response = client.post(
            reverse("match_run_publish", args=[program.slug, older.pk]), follow=True
        )
        assert review.OUT_OF_DATE.format(other=newer.pk) in html.unescape(response.content.decode())
        assert Mentorship.objects.count() == 3

    def test_the_api_says_so_and_refuses(self, client, program, program_admin, stale):
        older, newer = stale
        client.force_login(program_admin)
        root = f"{API}/{program.slug}/runs/{older.pk}"
        assert client.get(root).json()["superseded_by"] == newer.pk
        response = client.post(f"{root}/publish")
        assert response.status_code == 409
        assert response.json()["detail"] == review.OUT_OF_DATE.format(other=newer.pk)


@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_once_never_both_succeed(postgres_only):
    program = ProgramFactory()
    boss = admin(program)
    for k in range(2):
        mentee(program, goals=f"topic {k}")
    mentor(program, capacity=2)
    runs = [services.match_run_start(user=boss, program=program, seed=k) for k in range(2)]
    assert [MatchRun.objects.get(pk=r.pk).status for r in runs] == ["done", "done"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish(run):
        try:
            barrier.wait()
            services.match_run_publish(user=boss, run=run)
            outcomes.append("published")
        except ApplicationError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and outcomes.count("published") == 1
    assert Mentorship.objects.filter(program=program).count() == 2


class TestHomonyms:
    @pytest.fixture
    def twins(self, run_tasks, program, program_admin, cohort):
        first = named(mentee(program, department="Sales"), "Ana", "Ruiz")
        second = named(mentee(program, department="Legal"), "Ana", "Ruiz")
        mentor(program, capacity=2, first_name="Kai")
        run = start(run_tasks, program_admin, program)
        return run, first, second

    def test_labels_tell_them_apart_and_leave_unique_names_alone(self, cohort, twins):
        run, first, second = twins
        labels = review.people_labels(run)
        assert labels[first.pk] == f"Ana Ruiz (Sales · {first.email})"
        assert labels[second.pk] == f"Ana Ruiz (Legal · {second.email})"
        assert labels[cohort["dana"].pk] == cohort["dana"].display_name

    def test_the_run_page_picker_and_compare_page_show_them(
        self, client, run_tasks, program, program_admin, twins
    ):
        run, first, second = twins
        partner = run.pairs.get(mentee=first).mentor
        constrain(program_admin, run, first, partner, "forbid")
        with run_tasks():
            other = services.match_run_rerun(user=program_admin, run=run)
        client.force_login(program_admin)
        detail = html.unescape(
            client.get(reverse("match_run_detail", args=[program.slug, run.pk])).content.decode()
        )
        for who, department in ((first, "Sales"), (second, "Legal")):
            label = f"Ana Ruiz ({department} · {who.email})"
            assert f'<option value="{who.pk}">{label}</option>' in detail
            assert detail.count(label) >= 2  # the picker and a table
        compare = html.unescape(
            client.get(
                reverse("match_run_compare", args=[program.slug]), {"a": run.pk, "b": other.pk}
            ).content.decode()
        )
        assert f"Ana Ruiz (Sales · {first.email})" in compare


class TestPermissions:
    """Removing pins and forbids and re-running: the program's admins only."""

    @pytest.fixture
    def pinned(self, run_tasks, program, program_admin, cohort):
        run = start(run_tasks, program_admin, program)
        return run, constrain(program_admin, run, cohort["cem"], cohort["dana"])

    @pytest.mark.parametrize("who", ["other_admin", "mentee", "mentor"])
    def test_others_get_404_and_change_nothing(self, client, program, cohort, pinned, who):
        run, pin = pinned
        user = {"other_admin": admin(ProgramFactory()), "mentee": cohort["bea"]}.get(
            who, cohort["eli"]
        )
        client.force_login(user)
        page = client.post(
            reverse("match_run_rerun", args=[program.slug, run.pk]),
            {"objective": "optimal", "seed": 0, "remove": [pin.pk]},
        )
        api = client.post(
            f"{API}/{program.slug}/runs/{run.pk}/rerun",
            data=json.dumps({"remove_all": True}),
            content_type="application/json",
        )
        assert (page.status_code, api.status_code) == (404, 404)
        with pytest.raises(NotFound):
            services.match_run_rerun(user=user, run=run, remove_all=True)
        assert MatchRun.objects.count() == 1 and run.constraints.count() == 1

    def test_anonymous_is_sent_to_log_in_or_told_401(self, client, program, pinned):
        run, pin = pinned
        page = client.post(reverse("match_run_rerun", args=[program.slug, run.pk]), {})
        assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
        api = client.post(
            f"{API}/{program.slug}/runs/{run.pk}/rerun",
            data=json.dumps({"remove": [pin.pk]}),
            content_type="application/json",
        )
        assert api.status_code == 401
        assert run.constraints.count() == 1

    def test_removing_a_pin_of_another_run_is_not_found(
        self, run_tasks, program, program_admin, cohort, pinned
    ):
        run, pin = pinned
        other = start(run_tasks, program_admin, program)
        with pytest.raises(NotFound):
            services.match_run_rerun(user=program_admin, run=other, remove=[pin.pk])
        assert MatchRun.objects.count() == 2 and run.constraints.count() == 1


def test_the_run_page_queries_do_not_grow_with_pins_and_forbids(
    client, run_tasks, program, program_admin, django_assert_max_num_queries
):
    """Previews come from two queries (the decisions, their people's pairs), not one per row."""
    people = [mentee(program, goals=f"topic {k}") for k in range(12)]
    helpers = [mentor(program, capacity=3) for _ in range(4)]
    run = start(run_tasks, program_admin, program)
    client.force_login(program_admin)
    url = reverse("match_run_detail", args=[program.slug, run.pk])
    constrain(program_admin, run, people[0], helpers[0], "forbid")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for who, whom in zip(people[1:9], helpers * 2, strict=True):
        constrain(program_admin, run, who, whom, "forbid" if who.pk % 2 else "pin")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html.unescape(client.get(url).content.decode())
    assert page.count('data-testid="effect"') == 9


def test_the_pin_form_saved_untouched_decides_nothing(
    client, run_tasks, program, program_admin, cohort
):
    run = start(run_tasks, program_admin, program)
    client.force_login(program_admin)
    url = reverse("match_run_constrain", args=[program.slug, run.pk])
    response = client.post(url, {"mentee_id": "", "mentor_id": "", "kind": "pin"})
    assert response.status_code == 400
    assert b"Choose a mentee" in response.content
    assert not run.constraints.exists()
