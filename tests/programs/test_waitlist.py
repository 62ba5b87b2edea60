"""Issue 10, item 4 (a waitlist when the program is full): a program may limit its mentees and
mentors; who joins a full role waits in join order, each freed place goes to the first in
line in the same transaction, and admins may admit or remove anyone waiting."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs import services
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, Role
from tandem.programs.selectors.waitlist import enrolments_mark_waitlist_position
from tandem.programs.services.programs import BAD_LIMIT
from tandem.programs.services.waitlist import APPROVE_FULL, REACTIVATE_FULL
from tests.programs.factories import (
    EnrolmentFactory,
    InvitationFactory,
    ProgramFactory,
    UserFactory,
    admin_of,
)
from tests.web.untouched import untouched

pytestmark = pytest.mark.django_db

ACTIVE, PENDING = EnrolmentStatus.ACTIVE, EnrolmentStatus.PENDING
WAITLISTED, REMOVED, PAUSED = (
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.REMOVED,
    EnrolmentStatus.PAUSED,
)


def _full_program(limit=2, **kwargs):
    """A program whose mentee places (``limit``) are all taken by active mentees."""
    program = ProgramFactory(mentee_limit=limit, **kwargs)
    holders = [EnrolmentFactory(program=program, status=ACTIVE) for _ in range(limit)]
    return program, holders


def _join(program, *, auto_approve=False, person=None):
    invitation = InvitationFactory(program=program, role=Role.MENTEE, auto_approve=auto_approve)
    return services.enrolment_join_by_invitation(
        user=person or UserFactory(), token=invitation.token
    )


def _position(enrolment):
    enrolment.refresh_from_db()
    return enrolments_mark_waitlist_position(enrolments=[enrolment])[0].waitlist_position


def _status(enrolment):
    enrolment.refresh_from_db()
    return enrolment.status


class TestJoiningAFullRole:
    def test_joiners_wait_in_join_order(self):
        program, _ = _full_program()
        admin = admin_of(program)
        waiting = [_join(program) for _ in range(3)]
        assert [e.status for e in waiting] == [WAITLISTED] * 3
        assert [_position(e) for e in waiting] == [1, 2, 3]
        notice = Notification.objects.filter(recipient=admin).latest("pk")
        assert notice.kind == Kind.JOIN_PENDING
        assert "is number 3 on the waitlist" in notice.title
        assert notice.url.endswith("?status=waitlisted")

    def test_below_the_limit_joining_is_as_before(self):
        program = ProgramFactory(mentee_limit=3)
        EnrolmentFactory(program=program, status=ACTIVE)
        assert _join(program).status == PENDING
        assert _join(program, auto_approve=True).status == ACTIVE
        # Three places are now held (active or awaiting approval): the next one waits.
        assert _join(program).status == WAITLISTED

    def test_other_roles_and_programs_are_not_limited(self):
        program, _ = _full_program()
        mentor_link = InvitationFactory(program=program, role=Role.MENTOR)
        mentor = services.enrolment_join_by_invitation(user=UserFactory(), token=mentor_link.token)
        assert mentor.status == PENDING
        assert _join(ProgramFactory()).status == PENDING

    def test_the_last_place_goes_to_the_first_of_two_joins(self):
        program = ProgramFactory(mentee_limit=1)
        first, second = _join(program), _join(program)
        assert (first.status, second.status) == (PENDING, WAITLISTED)
        assert _position(second) == 1


class TestFreedPlaces:
    @pytest.mark.parametrize("action", ["remove", "pause"])
    def test_a_freed_place_admits_the_first_and_only_one(self, action):
        program, holders = _full_program()
        admin = admin_of(program)
        waiting = [_join(program) for _ in range(3)]
        services.enrolment_set_status(
            user=admin, program_id=program.pk, enrolment_id=holders[0].pk, action=action
        )
        assert [_status(e) for e in waiting] == [PENDING, WAITLISTED, WAITLISTED]
        assert [_position(e) for e in waiting[1:]] == [1, 2]
        notice = Notification.objects.get(recipient=waiting[0].person, kind=Kind.WAITLIST_ADMITTED)
        assert notice.title == f"You have a place in {program.name} as mentee"
        assert "waits for approval" in notice.body

    def test_someone_whose_link_approves_comes_in_active(self):
        program, holders = _full_program(limit=1)
        admin = admin_of(program)
        waiting = _join(program, auto_approve=True)
        services.enrolment_set_status(
            user=admin, program_id=program.pk, enrolment_id=holders[0].pk, action="remove"
        )
        assert _status(waiting) == ACTIVE
        assert Notification.objects.get(recipient=waiting.person).body.startswith(
            "You are now an active mentee"
        )

    def test_declining_someone_awaiting_approval_frees_their_place(self):
        program = ProgramFactory(mentee_limit=1)
        admin = admin_of(program)
        asked, waiting = _join(program), _join(program)
        services.enrolment_set_status_bulk(
            user=admin, program_id=program.pk, enrolment_ids=[asked.pk], action="decline"
        )
        assert (_status(asked), _status(waiting)) == (REMOVED, PENDING)

    def test_raising_the_limit_admits_as_many_as_fit(self):
        program, _ = _full_program()
        admin = admin_of(program)
        waiting = [_join(program) for _ in range(4)]
        services.program_update(user=admin, program_id=program.pk, mentee_limit=4)
        assert [_status(e) for e in waiting] == [PENDING, PENDING, WAITLISTED, WAITLISTED]
        services.program_update(user=admin, program_id=program.pk, mentee_limit=None)
        assert [_status(e) for e in waiting] == [PENDING] * 4

    def test_lowering_the_limit_removes_nobody(self, client):
        program, holders = _full_program(limit=3)
        admin = admin_of(program)
        client.force_login(admin)
        url = reverse("program_edit", args=[program.slug])
        data, _ = untouched(client.get(url).content.decode(), has_field="mentee_limit")
        response = client.post(url, {**data, "mentee_limit": "1"}, follow=True)
        assert [_status(e) for e in holders] == [ACTIVE] * 3
        assert "3 mentees already hold a place, more than the limit of 1: nobody is removed" in (
            response.content.decode()
        )
        assert _join(program).status == WAITLISTED


class TestAdminDecisions:
    def test_approving_past_the_limit_is_refused(self):
        program = ProgramFactory()
        admin = admin_of(program)
        asked = EnrolmentFactory(program=program, status=PENDING)
        EnrolmentFactory(program=program, status=ACTIVE)
        program.mentee_limit = 1
        program.save()
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status(
                user=admin, program_id=program.pk, enrolment_id=asked.pk, action="approve"
            )
        assert refused.value.status == 409
        assert refused.value.message == APPROVE_FULL.format(
            limit=1, role="mentee", name=asked.person.display_name
        )
        with pytest.raises(ApplicationError) as bulk_refused:
            services.enrolment_set_status_bulk(
                user=admin, program_id=program.pk, enrolment_ids=[asked.pk], action="approve"
            )
        assert "past the limit of 1" in bulk_refused.value.message
        assert _status(asked) == PENDING

    def test_approving_someone_holding_a_place_is_fine_when_full(self):
        program = ProgramFactory(mentee_limit=2)
        admin = admin_of(program)
        EnrolmentFactory(program=program, status=ACTIVE)
        asked = _join(program)
        services.enrolment_set_status(
            user=admin, program_id=program.pk, enrolment_id=asked.pk, action="approve"
        )
        assert _status(asked) == ACTIVE

    def test_coming_back_into_a_full_role_is_refused(self):
        program, holders = _full_program(limit=1)
        admin = admin_of(program)
        gone = EnrolmentFactory(program=program, status=PAUSED)
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status(
                user=admin, program_id=program.pk, enrolment_id=gone.pk, action="reactivate"
            )
        assert refused.value.message == REACTIVATE_FULL.format(
            limit=1, role="mentee", name=gone.person.display_name
        )

    def test_admit_out_of_order_and_past_the_limit(self):
        program, _ = _full_program()
        admin = admin_of(program)
        waiting = [_join(program) for _ in range(3)]
        admitted = services.enrolment_set_status(
            user=admin, program_id=program.pk, enrolment_id=waiting[1].pk, action="admit"
        )
        assert admitted.status == ACTIVE
        assert [_position(waiting[0]), _position(waiting[2])] == [1, 2]
        assert Notification.objects.filter(
            recipient=waiting[1].person, kind=Kind.WAITLIST_ADMITTED
        ).exists()

    def test_remove_from_the_waitlist_moves_the_others_up(self):
        program, _ = _full_program()
        admin = admin_of(program)
        waiting = [_join(program) for _ in range(3)]
        services.enrolment_set_status(
            user=admin, program_id=program.pk, enrolment_id=waiting[0].pk, action="remove"
        )
        assert _status(waiting[0]) == REMOVED
        assert [_position(e) for e in waiting[1:]] == [1, 2]

    def test_bulk_admit_and_decline_the_waitlist(self):
        program, _ = _full_program()
        admin = admin_of(program)
        waiting = [_join(program) for _ in range(4)]
        services.enrolment_set_status_bulk(
            user=admin,
            program_id=program.pk,
            enrolment_ids=[waiting[3].pk, waiting[2].pk],
            action="admit",
        )
        services.enrolment_set_status_bulk(
            user=admin, program_id=program.pk, enrolment_ids=[waiting[0].pk], action="decline"
        )
        assert [_status(e) for e in waiting] == [REMOVED, WAITLISTED, ACTIVE, ACTIVE]
        assert _position(waiting[1]) == 1
        with pytest.raises(ApplicationError) as refused:
            services.enrolment_set_status_bulk(
                user=admin, program_id=program.pk, enrolment_ids=[waiting[2].pk], action="admit"
            )
        assert "is active, not on the waitlist" in refused.value.message


class TestPermissions:
    def test_someone_waiting_cannot_admit_themselves(self, client):
        program, _ = _full_program()
        waiting = _join(program)
        with pytest.raises(NotFound):
            services.enrolment_set_status(
                user=waiting.person, program_id=program.pk, enrolment_id=waiting.pk, action="admit"
            )
        client.force_login(waiting.person)
        url = f"/api/programs/{program.slug}/participants/{waiting.pk}/status"
        answer = client.post(url, {"action": "admit"}, content_type="application/json")
        assert answer.status_code == 404
        bulk = client.post(
            f"/api/programs/{program.slug}/enrolments/bulk-status",
            {"ids": [waiting.pk], "action": "admit"},
            content_type="application/json",
        )
        assert bulk.status_code == 404
        page = client.get(
            reverse("program_participants", args=[program.slug]) + "?status=waitlisted"
        )
        assert page.status_code == 404
        assert _status(waiting) == WAITLISTED

    def test_another_programs_admin_gets_404(self, client):
        program, _ = _full_program()
        waiting = _join(program)
        stranger = admin_of(ProgramFactory())
        client.force_login(stranger)
        url = f"/api/programs/{program.slug}/participants/{waiting.pk}/status"
        assert (
            client.post(url, {"action": "admit"}, content_type="application/json").status_code
            == 404
        )
        action = reverse("program_participant_action", args=[program.slug, waiting.pk, "admit"])
        assert client.post(action).status_code == 404
        limit = client.patch(
            f"/api/programs/{program.slug}", {"mentee_limit": 9}, content_type="application/json"
        )
        assert limit.status_code == 404
        assert _status(waiting) == WAITLISTED
        program.refresh_from_db()
        assert program.mentee_limit == 2


class TestApi:
    def test_limits_are_read_set_and_cleared(self, client):
        program = ProgramFactory()
        client.force_login(admin_of(program))
        url = f"/api/programs/{program.slug}"
        set_ = client.patch(url, {"mentee_limit": 30}, content_type="application/json")
        assert set_.status_code == 200
        assert (set_.json()["mentee_limit"], set_.json()["mentor_limit"]) == (30, None)
        cleared = client.patch(url, {"mentee_limit": None}, content_type="application/json")
        assert cleared.json()["mentee_limit"] is None

    @pytest.mark.parametrize("value", [-1, 0, 10**7])
    def test_a_bad_limit_is_a_400_naming_the_field(self, client, value):
        program = ProgramFactory(mentor_limit=5)
        client.force_login(admin_of(program))
        answer = client.patch(
            f"/api/programs/{program.slug}",
            {"mentor_limit": value},
            content_type="application/json",
        )
        assert answer.status_code == 400
        assert answer.json()["fields"] == {"mentor_limit": BAD_LIMIT}
        program.refresh_from_db()
        assert program.mentor_limit == 5

    def test_create_with_a_limit_and_join_says_waitlisted(self, client):
        program, _ = _full_program()
        client.force_login(UserFactory())
        invitation = InvitationFactory(program=program, role=Role.MENTEE)
        answer = client.post(
            f"/api/programs/join/{invitation.token}", {}, content_type="application/json"
        )
        assert answer.status_code == 201
        assert answer.json()["status"] == "waitlisted"
        assert answer.json()["waitlisted_at"] is not None


class TestPages:
    def test_untouched_settings_form_keeps_the_limits(self, client):
        program = ProgramFactory(mentee_limit=30, mentor_limit=None, max_open_requests=4)
        client.force_login(admin_of(program))
        url = reverse("program_edit", args=[program.slug])
        before = Program.objects.filter(pk=program.pk).values().get()
        data, rejected = untouched(client.get(url).content.decode(), has_field="mentee_limit")
        assert rejected == [] and data["mentee_limit"] == ["30"] and data["mentor_limit"] == [""]
        assert client.post(url, data).status_code == 302
        assert Program.objects.filter(pk=program.pk).values().get() == before

    def test_a_bad_limit_on_the_form_is_a_field_error(self, client):
        program = ProgramFactory(mentee_limit=30)
        client.force_login(admin_of(program))
        url = reverse("program_edit", args=[program.slug])
        data, _ = untouched(client.get(url).content.decode(), has_field="mentee_limit")
        response = client.post(url, {**data, "mentee_limit": "-3"})
        assert response.status_code == 200
        assert response.context["form"].errors["mentee_limit"]
        program.refresh_from_db()
        assert program.mentee_limit == 30

    def test_join_page_warns_and_the_standing_page_gives_the_number(self, client):
        program, _ = _full_program()
        _join(program)
        person = UserFactory()
        client.force_login(person)
        invitation = InvitationFactory(program=program, role=Role.MENTEE)
        join_url = reverse("program_join", args=[invitation.token])
        form = client.get(join_url).content.decode()
        assert "All places for mentees are taken for now" in form
        data, _ = untouched(form, has_field="csrfmiddlewaretoken")
        joined = client.post(join_url, data, follow=True)
        text = joined.content.decode()
        assert "you are number 2 on its waitlist" in text
        assert "You are number 2 on the waitlist of" in text
        assert Enrolment.objects.get(person=person).status == WAITLISTED

    def test_participants_page_lists_the_waitlist_in_numbers(
        self, client, django_assert_max_num_queries
    ):
        program, _ = _full_program()
        waiting = [_join(program) for _ in range(3)]
        client.force_login(admin_of(program))
        url = reverse("program_participants", args=[program.slug]) + "?status=waitlisted"
        with django_assert_max_num_queries(16):  # + the navigation's "ever joined a program"
            page = client.get(url)
        text = page.content.decode()
        assert page.status_code == 200
        for number in (1, 2, 3):
            assert f"Number {number} on the waitlist" in text
        assert 'value="admit"' in text and "Admit now" in text
        assert all(e.person.email in text for e in waiting)

    def test_row_admit_by_htmx_answers_the_row(self, client):
        program, _ = _full_program()
        waiting = _join(program)
        client.force_login(admin_of(program))
        action = reverse("program_participant_action", args=[program.slug, waiting.pk, "admit"])
        row = client.post(action, HTTP_HX_REQUEST="true")
        assert row.status_code == 200
        assert "Active" in row.content.decode()
        assert _status(waiting) == ACTIVE

    def test_remove_from_waitlist_asks_first(self, client):
        program, _ = _full_program()
        waiting = _join(program)
        client.force_login(admin_of(program))
        action = reverse("program_participant_action", args=[program.slug, waiting.pk, "remove"])
        asked = client.get(action)
        assert "Remove" in asked.content.decode() and "from the waitlist" in asked.content.decode()
        assert _status(waiting) == WAITLISTED


@pytest.mark.django_db(transaction=True)
def test_two_joins_at_once_for_the_last_place(postgres_only):
    """Two people join at the same moment for the one place left: the program's row lock makes
    the second wait for the first, so exactly one gets the place and the other waits."""
    program = ProgramFactory(mentee_limit=1)
    people = [UserFactory(), UserFactory()]
    tokens = [InvitationFactory(program=program, role=Role.MENTEE).token for _ in people]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def join(person, token):
        try:
            barrier.wait()
            with transaction.atomic():
                services.enrolment_join_by_invitation(user=person, token=token)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=join, args=pair) for pair in zip(people, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = sorted(Enrolment.objects.filter(program=program).values_list("status", flat=True))
    assert statuses == [PENDING, WAITLISTED]


def test_the_program_page_counts_those_waiting(client):
    program, _ = _full_program()
    _join(program)
    _join(program)
    client.force_login(admin_of(program))
    page = client.get(reverse("program_detail", args=[program.slug])).content.decode()
    assert '<th scope="col">On the waitlist</th>' in page
    assert '?role=mentee&amp;status=waitlisted">2</a>' in page


def test_the_people_page_says_how_many_places_are_taken(client):
    program, _ = _full_program()
    program.mentor_limit = 5
    program.save()
    _join(program)
    client.force_login(admin_of(program))
    page = client.get(reverse("program_participants", args=[program.slug])).content.decode()
    assert "Mentee places: 2 of 2 taken, 1 on the" in page
    assert "Mentor places: 0 of 5 taken." in page


class TestPersonalInvitations:
    """Review: accepting an import's personal invitation came in active past the limit."""

    def _accept(self, program, person, role=Role.MENTEE):
        import secrets

        from tandem.programs.imports import services as import_services
        from tandem.programs.models import ParticipantInvitation

        invitation = ParticipantInvitation.objects.create(
            program=program, email=person.email, role=role, token=secrets.token_urlsafe(32)
        )
        return import_services.participant_invitation_answer(
            user=person, token=invitation.token, accept=True
        )

    def test_a_full_role_puts_the_invited_on_the_waitlist(self):
        program, _ = _full_program(limit=1)
        enrolment = self._accept(program, UserFactory())
        assert _status(enrolment) == WAITLISTED and _position(enrolment) == 1

    def test_room_means_active(self):
        program = ProgramFactory(mentee_limit=2)
        assert _status(self._accept(program, UserFactory())) == ACTIVE

    def test_someone_removed_comes_back_behind_the_waitlist_when_full(self):
        program, _ = _full_program(limit=1)
        person = UserFactory()
        EnrolmentFactory(program=program, person=person, status=REMOVED)
        assert _status(self._accept(program, person)) == WAITLISTED
