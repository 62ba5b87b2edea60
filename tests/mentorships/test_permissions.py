"""Every ``access_*`` of mentorships per role: the pair reads content, the program's admins
(by the one rule in ``programs``) read the overview only, nobody else reads anything, and
"missing" and "forbidden" answer the same. A read never locks."""

from __future__ import annotations

from functools import partial
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import NotFound
from tandem.core.locking import LOCK_OUTSIDE_TRANSACTION
from tandem.mentorships import selectors, services
from tandem.mentorships.models import (
    AgendaItem,
    Goal,
    MentorshipState,
    Milestone,
    PrivateNote,
)
from tandem.programs.models import EnrolmentStatus, Role
from tests.mentorships.factories import (
    RequestFactory,
    UserFactory,
    action_item,
    meeting,
    member,
    mentorship,
)
from tests.programs.factories import ProgramFactory

ROLES = [
    "mentor",
    "mentee",
    "program admin",
    "admin of another program",
    "staff",
    "inactive admin",
    "paused admin",
    "member of the program",
    "anonymous",
]
PAIR = {"mentor", "mentee"}
OVERVIEW = selectors.MentorshipAccess.OVERVIEW


@pytest.fixture
def world(db):
    pair = mentorship()
    inactive = member(pair.program, Role.ADMIN)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    goal = Goal.objects.create(mentorship=pair, title="Give a talk", created_by=pair.mentee)
    return {
        "pair": pair,
        "goal": goal,
        "milestone": Milestone.objects.create(goal=goal, title="Outline"),
        "meeting": meeting(pair),
        "item": action_item(pair),
        "request": RequestFactory(program=pair.program, sender=pair.mentee, recipient=pair.mentor),
        "cast": {
            "mentor": pair.mentor,
            "mentee": pair.mentee,
            "program admin": member(pair.program, Role.ADMIN),
            "admin of another program": member(ProgramFactory(), Role.ADMIN),
            "staff": UserFactory(is_staff=True, is_superuser=True),
            "inactive admin": inactive,
            "paused admin": member(pair.program, Role.ADMIN, status=EnrolmentStatus.PAUSED),
            "member of the program": member(pair.program, Role.MENTOR),
            "anonymous": AnonymousUser(),
        },
    }


ACCESS = {
    "mentorship": (selectors.access_mentorship, "mentorship_id", "pair"),
    "request": (selectors.access_request, "request_id", "request"),
    "meeting": (selectors.access_meeting, "meeting_id", "meeting"),
    "goal": (selectors.access_goal, "goal_id", "goal"),
    "milestone": (selectors.access_milestone, "milestone_id", "milestone"),
    "action item": (selectors.access_action_item, "action_item_id", "item"),
}


def _fetch(access, field: str, pk: int, user, **options):
    return access(user=user, **{field: pk}, **options)


def _fetchers(world, *, missing: bool = False):
    """One fetch per object kind: ``fetch(user, **options)``; ``missing`` asks for ids that
    do not exist."""
    return {
        kind: partial(_fetch, access, field, 10**9 if missing else world[key].pk)
        for kind, (access, field, key) in ACCESS.items()
    }


@pytest.mark.parametrize("role", ROLES)
def test_content_is_the_pairs_alone(world, role):
    user = world["cast"][role]
    for kind, fetch in _fetchers(world).items():
        if role in PAIR:
            assert fetch(user) is not None, kind
        else:
            with pytest.raises(NotFound):
                fetch(user)


def test_a_deactivated_participant_reaches_nothing(world):
    """people's one sign-in rule: a session or token that outlived the account opens nothing."""
    mentee = world["cast"]["mentee"]
    mentee.is_active = False
    mentee.save(update_fields=["is_active"])
    for fetch in _fetchers(world).values():
        with pytest.raises(NotFound):
            fetch(mentee)
    with pytest.raises(NotFound):
        selectors.access_mentorship(user=mentee, mentorship_id=world["pair"].pk, need=OVERVIEW)


@pytest.mark.parametrize("role", ROLES)
def test_the_overview_is_the_pairs_and_the_program_admins(world, role):
    user, pair = world["cast"][role], world["pair"]
    if role in PAIR | {"program admin"}:
        found = selectors.access_mentorship(user=user, mentorship_id=pair.pk, need=OVERVIEW)
        viewer = selectors.Viewer.of(found, user)
        assert found == pair
        assert viewer.can_read_content is (role in PAIR)
        assert viewer.is_admin is (role == "program admin")
    else:
        with pytest.raises(NotFound):
            selectors.access_mentorship(user=user, mentorship_id=pair.pk, need=OVERVIEW)


@pytest.mark.parametrize("role", ROLES)
def test_the_programs_list_of_mentorships_is_its_admins(world, role):
    user, pair = world["cast"][role], world["pair"]
    if role == "program admin":
        found = selectors.mentorship_list_for_program_admin(user=user, program_id=pair.program_id)
        assert list(found) == [pair]
    else:
        with pytest.raises(NotFound):
            selectors.mentorship_list_for_program_admin(user=user, program_id=pair.program_id)


@pytest.mark.parametrize("role", ROLES)
def test_pages_say_the_same_as_the_selectors(client, world, role):
    user, pair = world["cast"][role], world["pair"]
    if role != "anonymous":
        client.force_login(user)
    detail = client.get(reverse("mentorship_detail", args=[pair.pk]))
    listing = client.get(reverse("program_mentorships", args=[pair.program_id]))
    if role in ("anonymous", "inactive admin"):  # sent to log in
        assert (detail.status_code, listing.status_code) == (302, 302)
        return
    assert detail.status_code == (200 if role in PAIR | {"program admin"} else 404)
    assert listing.status_code == (200 if role == "program admin" else 404)
    if role == "program admin":  # the overview, never the pair's content
        assert world["goal"].title not in detail.content.decode()


# --- what the pair write stays theirs: per role, on every page and content endpoint -------------

SECRETS = {
    "agreement": "Secret agreement focus",
    "agenda": "Secret agenda item",
    "shared notes": "Secret shared notes",
    "action item": "Secret action item",
    "private note": "Secret private note",
    "reflection": "Secret closing reflection",
}
CONTENT_ROLES = [
    "mentor",
    "mentee",
    "program admin",
    "admin of another program",
    "staff",
    "outsider",
]


@pytest.fixture
def written(db):
    """A completed mentorship with one of each thing the pair write, and who may look."""
    pair = mentorship(state=MentorshipState.COMPLETED)
    version = pair.agreement_versions.get()
    version.content = {**version.content, "focus_areas": SECRETS["agreement"]}
    version.save(update_fields=["content"])
    pair.closing_reflection = SECRETS["reflection"]
    pair.ended_at = timezone.now()
    pair.save(update_fields=["closing_reflection", "ended_at"])
    held = meeting(pair, in_hours=-48, shared_notes=SECRETS["shared notes"])
    AgendaItem.objects.create(meeting=held, author=pair.mentor, text=SECRETS["agenda"])
    PrivateNote.objects.create(meeting=held, author=pair.mentee, body=SECRETS["private note"])
    action_item(pair, meeting=held, description=SECRETS["action item"])
    return (
        pair,
        held,
        {
            "mentor": pair.mentor,
            "mentee": pair.mentee,
            "program admin": member(pair.program, Role.ADMIN),
            "admin of another program": member(ProgramFactory(), Role.ADMIN),
            "staff": UserFactory(is_staff=True, is_superuser=True),
            "outsider": member(ProgramFactory(), Role.MENTOR),
        },
    )


def _seen_by(role: str) -> set[str]:
    """What each role may read: the pair all but the other's private note, nobody else a word."""
    if role == "mentee":
        return set(SECRETS)
    if role == "mentor":
        return set(SECRETS) - {"private note"}
    return set()


@pytest.mark.parametrize("role", CONTENT_ROLES)
def test_the_pages_show_the_pairs_writing_to_the_pair_alone(client, written, role):
    pair, held, cast = written
    client.force_login(cast[role])
    pages = {
        "mentorship": client.get(reverse("mentorship_detail", args=[pair.pk])),
        "agreement": client.get(reverse("agreement_version", args=[pair.pk, 1])),
        "meeting": client.get(reverse("meeting_detail", args=[held.pk])),
    }
    expected = {
        "mentorship": 200 if role in PAIR | {"program admin"} else 404,
        "agreement": 200 if role in PAIR else 404,
        "meeting": 200 if role in PAIR else 404,
    }
    assert {name: page.status_code for name, page in pages.items()} == expected
    html = "".join(page.content.decode() for page in pages.values())
    assert {name for name, text in SECRETS.items() if text in html} == _seen_by(role)


@pytest.mark.parametrize("role", CONTENT_ROLES)
def test_the_content_endpoints_answer_404_to_all_but_the_pair(client, written, role):
    pair, held, cast = written
    client.force_login(cast[role])
    content = [
        f"/api/mentorships/{pair.pk}/agreement/versions",
        f"/api/mentorships/{pair.pk}/goals",
        f"/api/mentorships/{pair.pk}/meetings",
        f"/api/mentorships/{pair.pk}/action-items",
        f"/api/mentorships/meetings/{held.pk}",
        f"/api/mentorships/meetings/{held.pk}/agenda",
        f"/api/mentorships/meetings/{held.pk}/private-note",
    ]
    responses = {url: client.get(url) for url in content}
    expected = 200 if role in PAIR else 404
    assert {url: r.status_code for url, r in responses.items()} == dict.fromkeys(content, expected)
    overview = client.get(f"/api/mentorships/{pair.pk}")
    assert overview.status_code == (200 if role in PAIR | {"program admin"} else 404)
    text = "".join(r.content.decode() for r in [*responses.values(), overview])
    assert {name for name, secret in SECRETS.items() if secret in text} == _seen_by(role)


def test_missing_and_forbidden_answer_the_same(world):
    stranger = world["cast"]["member of the program"]
    missing = _fetchers(world, missing=True)
    for kind, fetch in _fetchers(world).items():
        with pytest.raises(NotFound) as forbidden:
            fetch(stranger)
        with pytest.raises(NotFound) as absent:
            missing[kind](world["pair"].mentee)
        assert forbidden.value.message == absent.value.message, kind


# --- requests go through the program's membership rule ------------------------------------------


@pytest.mark.parametrize(
    ("status", "archived"),
    [
        (EnrolmentStatus.PAUSED, False),
        (EnrolmentStatus.PENDING, False),
        (None, False),
        (EnrolmentStatus.ACTIVE, True),
    ],
)
def test_a_request_needs_an_active_enrolment_in_an_open_program(db, status, archived):
    program = ProgramFactory()
    mentor = member(program, Role.MENTOR)
    sender = member(program, Role.MENTEE, status=status) if status else UserFactory()
    if archived:
        program.archived_at = timezone.now()
        program.save(update_fields=["archived_at"])
    with pytest.raises(NotFound):
        services.request_create(
            sender=sender, program_id=program.pk, recipient_id=mentor.pk, message="Hello"
        )


# --- locking is a separate, explicit choice ---------------------------------------------------


def _content():
    pair = mentorship()
    goal = Goal.objects.create(mentorship=pair, title="Give a talk", created_by=pair.mentee)
    return pair, {
        "pair": pair,
        "goal": goal,
        "milestone": Milestone.objects.create(goal=goal, title="Outline"),
        "meeting": meeting(pair),
        "item": action_item(pair),
        "request": RequestFactory(program=pair.program, sender=pair.mentee, recipient=pair.mentor),
    }


@pytest.mark.django_db(transaction=True)
def test_reads_do_not_lock_and_work_outside_a_transaction():
    pair, world = _content()
    assert not connection.in_atomic_block
    spy = mock.patch.object(QuerySet, "select_for_update", autospec=True)
    with spy as select_for_update, CaptureQueriesContext(connection) as queries:
        for kind, fetch in _fetchers(world).items():
            assert fetch(pair.mentee) is not None, kind
        selectors.access_mentorship(user=pair.mentee, mentorship_id=pair.pk, need=OVERVIEW)
    select_for_update.assert_not_called()
    assert not any("UPDATE" in query["sql"] for query in queries.captured_queries)
    for kind, fetch in _fetchers(world).items():
        with pytest.raises(RuntimeError, match=LOCK_OUTSIDE_TRANSACTION):
            fetch(pair.mentee, for_update=True)
        with (
            transaction.atomic(),
            mock.patch.object(
                QuerySet, "select_for_update", autospec=True, side_effect=lambda qs, **kw: qs
            ) as select_for_update,
        ):
            assert fetch(pair.mentee, for_update=True) is not None, kind
        select_for_update.assert_called_once()


@pytest.mark.django_db(transaction=True)
def test_for_update_is_a_row_lock_in_the_sql(postgres_only):
    pair, world = _content()
    for kind, fetch in _fetchers(world).items():
        with CaptureQueriesContext(connection) as plain:
            fetch(pair.mentee)
        with transaction.atomic(), CaptureQueriesContext(connection) as locked:
            fetch(pair.mentee, for_update=True)
        assert not any("UPDATE" in query["sql"] for query in plain.captured_queries), kind
        assert any("FOR NO KEY UPDATE" in query["sql"] for query in locked.captured_queries), kind
