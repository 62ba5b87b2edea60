"""Issue 10 item 12: no answer tells whether an email address has an account here.

Each path is tried twice, once with an address that has an account and once with one that
has not, and the two answers must be the same: status, where it redirects, and the page's text
(the CSRF token aside). Only the email that goes to the address may differ, since only the
address's owner reads it.
"""

from __future__ import annotations

import difflib
import re

import pytest
from django.test import Client
from django.urls import reverse

from tandem.core.exceptions import ApplicationError
from tandem.people import services
from tandem.people.models import NAMELESS_MEMBER, Profile, User
from tandem.programs.models import ParticipantInvitation, Role
from tests.feedback.observed import READER
from tests.people.factories import PASSWORD, ProfileFactory, UserFactory
from tests.people.test_api import bearer
from tests.programs.factories import ProgramFactory, enrol

pytestmark = pytest.mark.django_db

TAKEN, FREE = "taken@example.org", "free@example.org"
CSRF = re.compile(
    r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|name="csrf-token" content=")[^"]+'
)


@pytest.fixture
def taken():
    return ProfileFactory(user=UserFactory(email=TAKEN)).user


def answer(response, *echoed: str) -> tuple:
    """What a visitor can compare between two answers; ``echoed`` values (what the visitor
    typed, the URL's own id) are blanked."""
    body = READER.sub(r'\1N"', CSRF.sub(r"\1…", response.content.decode()))
    for value in echoed:
        body = body.replace(value, "<echoed>")
    return response.status_code, response.get("Location", ""), body


def assert_same(first, second) -> None:
    """Equal answers, or the lines in which they differ."""
    if first != second:
        lines = [str(first).replace("\\n", "\n"), str(second).replace("\\n", "\n")]
        diff = difflib.unified_diff(*(text.splitlines() for text in lines), lineterm="", n=0)
        pytest.fail("the answers differ:\n" + "\n".join(list(diff)[:40]))


def both_ways(send) -> tuple[tuple, tuple]:
    """``send(email, client)`` for the address with an account and for the one without,
    each from a fresh client so no session or cookie carries over."""
    return send(TAKEN, Client()), send(FREE, Client())


def test_sign_up_answers_the_same_and_mails_the_owner(
    taken, mailoutbox, django_capture_on_commit_callbacks
):
    def sign_up(email, client):
        data = {"email": email, "password": "a-Long-passphrase-42", "password_again": ""}
        data["password_again"] = data["password"]
        with django_capture_on_commit_callbacks(execute=True):
            posted = client.post(reverse("signup"), data)
        return answer(posted), answer(client.get(posted["Location"]))

    with_account, without = both_ways(sign_up)
    assert_same(with_account, without)
    assert with_account[0][0] == 302 and "Check your" in with_account[1][2]
    subjects = sorted((mail.to[0], mail.subject) for mail in mailoutbox)
    assert subjects == [
        (FREE, "Confirm your email address for Tandem"),
        (TAKEN, "You already have a Tandem account"),
    ]
    assert User.objects.filter(email=TAKEN).count() == 1


def test_password_reset_answers_the_same(taken, mailoutbox):
    def reset(email, client):
        posted = client.post(reverse("password_reset"), {"email": email})
        return answer(posted), answer(client.get(posted["Location"]))

    with_account, without = both_ways(reset)
    assert_same(with_account, without)
    assert with_account[0][0] == 302
    assert [mail.to for mail in mailoutbox] == [[TAKEN]]


def test_log_in_failure_answers_the_same(taken):
    def log_in(email, client):
        posted = client.post(reverse("login"), {"username": email, "password": "wrong-1"})
        return answer(posted, email)

    with_account, without = both_ways(log_in)
    assert_same(with_account, without)
    assert with_account[0] == 200
    assert "do not match an account" in with_account[2]


def test_typed_manager_email_answers_and_stores_the_same(taken):
    def name_manager(email, client):
        person = ProfileFactory(user=UserFactory(first_name="Pat", last_name="Person")).user
        client.force_login(person)
        form = client.get(reverse("profile_edit")).context["form"]
        data = {name: form[name].value() or "" for name in ("timezone", "meeting_format")}
        data |= {"manager_name": "The Boss", "manager_email": email}
        posted = client.post(reverse("profile_edit"), data)
        profile = Profile.objects.get(user=person)
        # The form posted no name, so the page names the person as ``NAMELESS_MEMBER``.
        own = (email, person.email, f"/people/{person.pk}/", NAMELESS_MEMBER.format(id=person.pk))
        page = answer(client.get(reverse("profile_edit")), *own)[2]
        return answer(posted), profile.manager_id, profile.manager_name, page

    with_account, without = both_ways(name_manager)
    assert_same(with_account, without)
    assert with_account[1] is None  # never linked to the account, so nothing to tell


def test_manager_search_by_address_finds_no_one_either_way(taken):
    program = ProgramFactory()
    enrol(taken, program)

    def search(email, client):
        searcher = ProfileFactory().user
        enrol(searcher, program)
        client.force_login(searcher)
        return answer(client.get(reverse("manager_suggest"), {"q": email}))

    with_account, without = both_ways(search)
    assert_same(with_account, without)
    assert "data-pick-manager" not in with_account[2]


def test_choosing_an_unseen_or_missing_account_as_manager_is_one_error(taken):
    person = ProfileFactory().user
    refused = []
    for manager_id in (taken.pk, taken.pk + 1000):
        with pytest.raises(ApplicationError) as error:
            services.profile_update(profile=person.profile, actor=person, manager=manager_id)
        refused.append((error.value.status, error.value.fields))
    assert refused[0] == refused[1] == (400, {"manager": services.MANAGER_NOT_CHOSEN})


def test_someone_elses_profile_is_missing_whether_or_not_it_exists(taken):
    viewer = ProfileFactory().user
    missing_id = User.objects.order_by("-pk").first().pk + 1000
    pages, api = [], []
    for user_id in (taken.pk, missing_id):
        client = Client()
        client.force_login(viewer)
        url = reverse("profile_detail", args=[user_id])
        pages.append(answer(client.get(url), url))
        api.append(answer(Client().get(f"/api/people/{user_id}", **bearer(viewer))))
    assert_same(pages[0], pages[1])
    assert pages[0][0] == 404
    assert_same(api[0], api[1])
    assert api[0][0] == 404


def test_an_invitation_link_answers_the_same_whoever_it_is_for(taken):
    program = ProgramFactory()
    admin = ProfileFactory().user
    enrol(admin, program, role=Role.ADMIN)
    tokens = {
        email: ParticipantInvitation.objects.create(
            program=program, email=email, role=Role.MENTEE, token=f"tok-{n:039d}", invited_by=admin
        ).token
        for n, email in enumerate((TAKEN, FREE))
    }

    def open_link(email, client):
        url = reverse("participant_invitation", args=[tokens[email]])
        anonymous = answer(client.get(url))
        stranger = UserFactory(password=PASSWORD)
        client.force_login(stranger)
        return (
            anonymous[0],
            anonymous[1].replace(tokens[email], "<token>"),
            answer(client.get(url))[0],
        )

    with_account, without = both_ways(open_link)
    assert_same(with_account, without)
    assert with_account[0] == 302 and "/login/" in with_account[1]
