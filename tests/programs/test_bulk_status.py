"""Approve or decline many people awaiting approval at once: one transaction, all or nothing,
an error naming who could not be changed and why; per role through the service, API and page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.programs import services
from tandem.programs.models import Enrolment, EnrolmentStatus
from tandem.programs.services.enrolment_bulk import BULK_MAX, BULK_TOO_MANY
from tests.programs.factories import (
    CAST_ROLES,
    EnrolmentFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PENDING, ACTIVE, REMOVED = EnrolmentStatus.PENDING, EnrolmentStatus.ACTIVE, EnrolmentStatus.REMOVED


def _pending(program, count, **kwargs):
    return [
        EnrolmentFactory(
            program=program, status=PENDING, answers={"Why join?": f"Reason {n}"}, **kwargs
        )
        for n in range(count)
    ]


def _statuses(enrolments):
    return [Enrolment.objects.get(pk=e.pk).status for e in enrolments]


class TestService:
    @pytest.mark.parametrize(("action", "status"), [("approve", ACTIVE), ("decline", REMOVED)])
    def test_changes_every_one_in_one_go(self, program, admin, action, status):
        waiting = _pending(program, 20)
        changed = services.enrolment_set_status_bulk(
            user=admin, program_id=program.pk, enrolment_ids=[e.pk for e in waiting], action=action
        )
        assert [e.pk for e in changed] == [e.pk for e in waiting]
        assert {e.status for e in changed} == {status}
        assert _statuses(waiting) == [status] * 20

    def test_one_not_pending_changes_no_one_and_is_named(self, program, admin):
        waiting = _pending(program, 3)
        already = EnrolmentFactory(
            program=program, status=ACTIVE, person=UserFactory(first_name="Ann", last_name="Lee")
        )
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status_bulk(
                user=admin,
                program_id=program.pk,
                enrolment_ids=[*(e.pk for e in waiting), already.pk],
                action="approve",
            )
        error = refused.value
        assert error.status == 409
        assert error.message.startswith("Nothing was changed: 1 of the 4 people could not be")
        assert f"Ann Lee ({already.person.email}) is active, not awaiting approval" in error.message
        assert list(error.fields) == [f"ids.{already.pk}"]
        assert _statuses(waiting) == [PENDING] * 3

    def test_an_id_of_another_program_is_refused_on_the_ids_field_naming_it(self, program, admin):
        waiting = _pending(program, 2)
        foreign = _pending(ProgramFactory(), 1)[0]
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status_bulk(
                user=admin,
                program_id=program.pk,
                enrolment_ids=[waiting[0].pk, foreign.pk, 2**70],
                action="approve",
            )
        assert refused.value.status == 400
        assert not isinstance(refused.value, NotFound)
        assert refused.value.fields == {"ids": refused.value.message}
        assert f"are not in this program (any more): ids {foreign.pk}, {2**70}." in (
            refused.value.message
        )
        assert _statuses([*waiting, foreign]) == [PENDING] * 3

    def test_an_id_of_another_program_reads_exactly_like_an_unknown_one(self, program, admin):
        waiting = _pending(program, 1)[0]
        foreign = _pending(ProgramFactory(), 1)[0]
        gone = _pending(program, 1)[0]
        gone_pk = gone.pk
        gone.delete()

        def refusal(pk):
            with pytest.raises(ApplicationError) as refused:
                services.enrolment_set_status_bulk(
                    user=admin,
                    program_id=program.pk,
                    enrolment_ids=[waiting.pk, pk],
                    action="approve",
                )
            return refused.value.status, refused.value.message.replace(str(pk), "ID")

        assert refusal(foreign.pk) == refusal(gone_pk)

    @pytest.mark.parametrize(
        ("ids", "action", "field"),
        [([], "approve", "ids"), (None, "pause", "action"), (None, "", "action")],
    )
    def test_bad_input_is_a_field_error(self, program, admin, ids, action, field):
        waiting = _pending(program, 1)
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status_bulk(
                user=admin,
                program_id=program.pk,
                enrolment_ids=[e.pk for e in waiting] if ids is None else ids,
                action=action,
            )
        assert list(refused.value.fields) == [field] and refused.value.status == 400
        assert _statuses(waiting) == [PENDING]

    def test_too_many_at_once(self, program, admin):
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status_bulk(
                user=admin,
                program_id=program.pk,
                enrolment_ids=list(range(1, BULK_MAX + 2)),
                action="approve",
            )
        assert refused.value.message == BULK_TOO_MANY

    def test_an_id_twice_counts_once(self, program, admin):
        waiting = _pending(program, 1)
        changed = services.enrolment_set_status_bulk(
            user=admin,
            program_id=program.pk,
            enrolment_ids=[waiting[0].pk, waiting[0].pk],
            action="decline",
        )
        assert len(changed) == 1 and _statuses(waiting) == [REMOVED]


@pytest.mark.parametrize("role", CAST_ROLES)
def test_the_service_per_role(program, cast, role):
    waiting = _pending(program, 2)
    ids = [e.pk for e in waiting]
    if role == "program admin":
        services.enrolment_set_status_bulk(
            user=cast[role], program_id=program.pk, enrolment_ids=ids, action="approve"
        )
        assert _statuses(waiting) == [ACTIVE] * 2
        return
    with pytest.raises(NotFound):
        services.enrolment_set_status_bulk(
            user=cast[role], program_id=program.pk, enrolment_ids=ids, action="approve"
        )
    assert _statuses(waiting) == [PENDING] * 2


@pytest.mark.parametrize("role", CAST_ROLES)
def test_the_endpoint_per_role(client, program, cast, role, django_assert_max_num_queries):
    waiting = _pending(program, 20)
    if role != "anonymous":
        client.force_login(cast[role])
    url = f"/api/programs/{program.slug}/enrolments/bulk-status"
    payload = {"ids": [e.pk for e in waiting], "action": "approve"}
    with django_assert_max_num_queries(11):  # as many for 1 person as for 20
        response = client.post(url, payload, content_type="application/json")
    if role == "program admin":
        assert response.status_code == 200
        body = response.json()
        assert (body["action"], body["changed"]) == ("approve", 20)
        assert {e["status"] for e in body["enrolments"]} == {"active"}
        assert body["enrolments"][0]["answers"] == {"Why join?": "Reason 0"}
        assert _statuses(waiting) == [ACTIVE] * 20
        return
    assert response.status_code == (401 if role == "anonymous" else 404)
    assert _statuses(waiting) == [PENDING] * 20


def test_the_endpoint_answers_each_error_with_its_status(client, program, admin):
    waiting = _pending(program, 2)
    active = EnrolmentFactory(program=program, status=ACTIVE)
    foreign = _pending(ProgramFactory(), 1)[0]
    client.force_login(admin)
    url = f"/api/programs/{program.slug}/enrolments/bulk-status"

    def post(ids, action="approve"):
        return client.post(url, {"ids": ids, "action": action}, content_type="application/json")

    conflict = post([waiting[0].pk, active.pk])
    assert conflict.status_code == 409
    assert conflict.json()["fields"] == {
        f"ids.{active.pk}": services.enrolment_bulk.BULK_NOT_PENDING.format(
            name=active.person.display_name, email=active.person.email, status="active"
        )
    }
    stale = post([waiting[0].pk, foreign.pk])
    assert stale.status_code == 400
    assert str(foreign.pk) in stale.json()["fields"]["ids"]
    assert post([]).status_code == 400
    assert post([waiting[0].pk], action="remove").json()["fields"].keys() == {"action"}
    assert post(["x"]).status_code == 422
    assert post([0]).status_code == 422
    assert _statuses([*waiting, foreign]) == [PENDING] * 3


@pytest.mark.parametrize("role", CAST_ROLES)
def test_the_page_per_role(client, program, cast, role):
    waiting = _pending(program, 3)
    if role != "anonymous":
        client.force_login(cast[role])
    url = reverse("program_participants_bulk", args=[program.slug])
    ids = [e.pk for e in waiting]
    response = client.post(url, {"ids": ids, "action": "decline", "confirm": "yes"})
    if role == "program admin":
        assert response.status_code == 302
        assert _statuses(waiting) == [REMOVED] * 3
        return
    assert response.status_code == (302 if role == "anonymous" else 404)
    if role == "anonymous":
        assert "/login" in response["Location"]
    assert _statuses(waiting) == [PENDING] * 3


class TestPage:
    def test_shows_checkboxes_answers_and_select_all(self, client, program, admin):
        waiting = _pending(program, 2)
        active = EnrolmentFactory(program=program, status=ACTIVE, answers={"Why join?": "Old"})
        client.force_login(admin)
        page = client.get(reverse("program_participants", args=[program.slug])).content.decode()
        assert 'data-check-all="ids"' in page and "Select all on this page" in page
        for enrolment in waiting:
            assert f'name="ids" value="{enrolment.pk}" form="bulk"' in page
        assert f'value="{active.pk}" form="bulk"' not in page
        assert "<dt>Why join?</dt><dd>Reason 0</dd>" in page
        assert "<summary>Join answers</summary>" in page  # folded for those already decided

    def test_no_bulk_form_without_anyone_waiting(self, client, program, admin):
        client.force_login(admin)
        page = client.get(reverse("program_participants", args=[program.slug])).content.decode()
        assert 'id="bulk"' not in page

    def test_approves_and_returns_to_the_same_filters(self, client, program, admin):
        waiting = _pending(program, 20)
        client.force_login(admin)
        url = reverse("program_participants_bulk", args=[program.slug]) + "?status=pending"
        response = client.post(url, {"ids": [e.pk for e in waiting], "action": "approve"})
        assert response["Location"] == (
            reverse("program_participants", args=[program.slug]) + "?status=pending"
        )
        assert _statuses(waiting) == [ACTIVE] * 20
        page = client.get(response["Location"]).content.decode()
        assert "Approved 20 people." in page

    def test_an_error_names_who_and_keeps_the_ticks(self, client, program, admin):
        waiting = _pending(program, 2)
        active = EnrolmentFactory(
            program=program, status=ACTIVE, person=UserFactory(first_name="Ann", last_name="Lee")
        )
        client.force_login(admin)
        url = reverse("program_participants_bulk", args=[program.slug])
        response = client.post(url, {"ids": [waiting[0].pk, active.pk], "action": "approve"})
        assert response.status_code == 409
        page = response.content.decode()
        assert "Nothing was changed: 1 of the 2 people could not be approved" in page
        assert "<li>Ann Lee (" in page
        assert f'value="{waiting[0].pk}" form="bulk" id="select-{waiting[0].pk}" checked' in page
        assert _statuses(waiting) == [PENDING] * 2

    def test_nothing_ticked_says_so(self, client, program, admin):
        _pending(program, 1)
        client.force_login(admin)
        url = reverse("program_participants_bulk", args=[program.slug])
        response = client.post(url, {"action": "approve"})
        assert response.status_code == 400
        assert services.BULK_NONE_SELECTED in response.content.decode()

    @pytest.mark.parametrize("bogus", ["²", "١٢", "12a", "9" * 5000])
    def test_an_id_that_is_not_a_number_is_an_error_on_the_form_not_a_500(
        self, client, program, admin, bogus
    ):
        """Regression: "²".isdigit() is true and int("²") raised, a 500; other non-numbers
        were dropped silently, so the rest was approved without a word."""
        waiting = _pending(program, 2)
        client.force_login(admin)
        url = reverse("program_participants_bulk", args=[program.slug])
        response = client.post(url, {"ids": [waiting[0].pk, bogus], "action": "approve"})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Nothing was changed: these are not participant ids:" in page
        assert 'role="alert"' in page
        assert f'value="{waiting[0].pk}" form="bulk" id="select-{waiting[0].pk}" checked' in page
        assert _statuses(waiting) == [PENDING] * 2

    def test_a_stale_id_names_it_on_the_page_and_keeps_the_ticks(self, client, program, admin):
        waiting = _pending(program, 2)
        foreign = _pending(ProgramFactory(), 1)[0]
        gone = _pending(program, 1)[0]
        gone_pk = gone.pk
        gone.delete()
        client.force_login(admin)
        url = reverse("program_participants_bulk", args=[program.slug])
        pages = {}
        for stale in (foreign.pk, gone_pk):
            response = client.post(url, {"ids": [waiting[0].pk, stale], "action": "approve"})
            assert response.status_code == 400
            page = response.content.decode()
            assert f"is not in this program (any more): id {stale}." in page
            assert (
                f'value="{waiting[0].pk}" form="bulk" id="select-{waiting[0].pk}" checked' in page
            )
            pages[stale] = page.replace(str(stale), "ID")
        # Another program's id reads exactly like one that no longer exists.
        error = 'id="bulk-error-heading">'
        assert pages[foreign.pk].split(error)[1][:200] == pages[gone_pk].split(error)[1][:200]
        assert _statuses([*waiting, foreign]) == [PENDING] * 3
