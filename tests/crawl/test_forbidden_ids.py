"""Every URL pattern, opened with the ids of objects the visitor must not see.

The crawl follows links, so it only ever asks for what a role was shown. This probe asks for
the rest: each pattern of ``src/tandem/*/urls.py`` is filled with the ids of the demo pair's
mentorship, meetings, goals, messages, check-ins... and of the demo program's admin objects,
then sent as GET and as POST (empty body, CSRF not enforced) by people outside them: nobody
logged in, an admin of another program, site staff in no program, a participant of another
program and a participant of the same program. Each must get 403, 404 or 405 (nobody logged
in: the login page), and nothing may change in the database. A new pattern whose URL takes an
id this file does not know fails the test until ``the_world`` names an object for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tandem.demo.program import DEMO_ADMIN_EMAIL, DEMO_PROGRAM_SLUG
from tandem.feedback.models import CheckIn
from tandem.matchruns.models import ConstraintKind, MatchConstraint, MatchRun
from tandem.mentorships.models import (
    ActionItem,
    Goal,
    Meeting,
    Mentorship,
    MentorshipPause,
    MentorshipRequest,
    Milestone,
    ProblemReport,
)
from tandem.messaging.models import Message, MessageReport
from tandem.messaging.services import conversation_for_mentorship
from tandem.notify.models import Notification
from tandem.people.models import ApiToken, User
from tandem.programs.models import (
    Enrolment,
    ImportBatch,
    Invitation,
    Program,
    Role,
)
from tandem.programs.services import program_admin_invite
from tests.crawl.crawler import diff
from tests.crawl.world import IGNORED_COLUMNS, seed, snapshot
from tests.programs.factories import ProgramFactory, UserFactory, admin_of, member_of

pytestmark = pytest.mark.django_db

PEOPLE = 20
# Patterns reached by a secret in the URL (the secret is the permission) or open to anyone:
# a made-up secret proves nothing, and their own tests cover them.
NOT_PROBED = frozenset(
    {
        "verify_email",
        "password_reset_confirm",
        "calendar_feed",
        "program_join",
        "participant_invitation",
    }
)
# What a participant of the demo program may open there (it is their program too).
SAME_PROGRAM_MAY_OPEN = frozenset(
    {"program_detail", "program_leave", "program_mentors", "guidance_article", "profile_detail"}
)
# Patterns a role may open whatever the ids (pages of their own, shared reading).
ANY_SIGNED_IN_MAY_OPEN = frozenset({"guidance_article"})
STAFF_MAY_OPEN = frozenset({"insights_site_section", "insights_site_xlsx", "insights_site_csv"})
_KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


def patterns(found=None, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) of every URL pattern outside Django's admin and the JSON API."""
    for entry in get_resolver().url_patterns if found is None else found:
        route = prefix + str(entry.pattern)
        if route.startswith(("admin/", "api/")):
            continue
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield route, entry.name


def the_world() -> tuple[dict[str, Callable[[str], object]], Mentorship]:
    """The demo, with one of every object a URL names, around the demo pair and program."""
    emails = seed(people=PEOPLE)
    pair = Mentorship.objects.get(mentor__email=emails["mentor"], mentee__email=emails["mentee"])
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    today = timezone.localdate()
    goal = pair.goals.first() or Goal.objects.create(mentorship=pair, title="Speak at a meetup")
    milestone = Milestone.objects.create(goal=goal, title="Pick a topic")
    item = ActionItem.objects.filter(mentorship=pair).first() or ActionItem.objects.create(
        mentorship=pair, owner=pair.mentee, description="Draft the outline"
    )
    meeting = Meeting.objects.filter(mentorship=pair).first()
    pause = MentorshipPause.objects.create(
        mentorship=pair,
        declared_by=pair.mentee,
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=50),
    )
    problem = ProblemReport.objects.create(mentorship=pair, reporter=pair.mentee, text="Late")
    conversation = conversation_for_mentorship(user=pair.mentee, mentorship_id=pair.pk)
    message = Message.objects.filter(conversation=conversation).first() or (
        Message.objects.create(conversation=conversation, sender=pair.mentee, client_id="c1")
    )
    reported = MessageReport.objects.create(message=message, reporter=pair.mentor, reason="Rude")
    run = MatchRun.objects.filter(program=program).first()
    enrolment = Enrolment.objects.get(program=program, person=pair.mentee, role=Role.MENTEE)
    unpaired = Enrolment.objects.filter(program=program, role=Role.MENTOR).exclude(
        person=pair.mentor
    )
    constraint = MatchConstraint.objects.create(
        run=run, mentee=pair.mentee, mentor=unpaired.first().person, kind=ConstraintKind.FORBID
    )
    batch = ImportBatch.objects.create(program=program, uploaded_by=admin, filename="people.csv")
    invited = program_admin_invite(user=admin, program_id=program.pk, email="next@example.org")
    request = MentorshipRequest.objects.filter(program__in=[program, pair.program]).first()
    notification = Notification.objects.create(recipient=pair.mentee, kind="test", title="Hi")
    token = ApiToken.objects.create(user=pair.mentee, name="script", prefix="p", key_hash="h" * 64)
    assert meeting is not None and run is not None and request is not None
    by_route: dict[str, Callable[[str], object]] = {
        "mentorship_id": lambda _: pair.pk,
        "number": lambda _: 1,
        "meeting_id": lambda _: meeting.pk,
        "goal_id": lambda _: goal.pk,
        "milestone_id": lambda _: milestone.pk,
        "action_item_id": lambda _: item.pk,
        "pause_id": lambda _: pause.pk,
        "report_id": lambda name: reported.pk if name.startswith("message") else problem.pk,
        "conversation_id": lambda _: conversation.pk,
        "message_id": lambda _: message.pk,
        "checkin_id": lambda _: CheckIn.objects.filter(author=pair.mentee).first().pk,
        "notification_id": lambda _: notification.pk,
        "token_id": lambda _: token.pk,
        "request_id": lambda _: request.pk,
        "user_id": lambda _: pair.mentee.pk,
        "program_id": lambda _: program.pk,
        "slug": lambda name: "first-meeting" if name.startswith("guidance") else program.slug,
        "run_id": lambda _: run.pk,
        "constraint_id": lambda _: constraint.pk,
        "enrolment_id": lambda _: enrolment.pk,
        "action": lambda _: "approve",
        "invitation_id": lambda name: (
            invited.pk
            if "admin_invitation" in name or "email_invitation" in name
            else Invitation.objects.filter(program=program).first().pk
        ),
        "batch_id": lambda _: batch.pk,
        "kind": lambda _: "pulse",
        "section": lambda _: "funnel",
        "table": lambda _: "funnel",
    }
    return by_route, pair


def the_cast_and_their_pages() -> tuple[list[Client], list[tuple[str, str]]]:
    """``the_world``'s site admin, mentor and mentee, each signed in, and every probed route's
    name with its path in that world: what the page-wide crawl tests walk."""
    by_route, pair = the_world()
    clients = []
    for person in (User.objects.get(email=DEMO_ADMIN_EMAIL), pair.mentor, pair.mentee):
        client = Client()
        client.force_login(person)
        clients.append(client)
    pages = [
        (name, "/" + _KWARG.sub(lambda m, n=name: str(by_route[m.group(1)](n)), route))
        for route, name in patterns()
        if name not in NOT_PROBED
    ]
    return clients, pages


def visitors(pair: Mentorship) -> dict[str, User | AnonymousUser]:
    other = ProgramFactory()
    return {
        "anonymous": AnonymousUser(),
        "admin of another program": admin_of(other),
        "site staff in no program": UserFactory(is_staff=True),
        "participant of another program": member_of(other, Role.MENTEE),
        "participant of the same program": member_of(pair.program, Role.MENTEE),
    }


def may_open(role: str, name: str) -> bool:
    """The (role, pattern) pairs that are no leak: pages open to the visitor by design."""
    if role == "anonymous":
        return False
    if name in ANY_SIGNED_IN_MAY_OPEN:
        return True
    if role == "site staff in no program" and name in STAFF_MAY_OPEN:
        return True
    return role == "participant of the same program" and name in SAME_PROGRAM_MAY_OPEN


def refused(role: str, response) -> bool:
    if response.status_code in {403, 404, 405}:
        return True
    to_login = response.status_code == 302 and response["Location"].startswith("/login/")
    return role == "anonymous" and to_login


def test_every_pattern_refuses_the_ids_of_objects_the_visitor_may_not_see():
    by_route, pair = the_world()
    cast = visitors(pair)
    unknown = sorted(
        {
            f"{name}: <{kwarg}>"
            for route, name in patterns()
            if name not in NOT_PROBED
            for kwarg in _KWARG.findall(route)
            if kwarg not in by_route
        }
    )
    assert not unknown, f"add these URL arguments to the_world(): {unknown}"
    probed = [
        (route, name)
        for route, name in patterns()
        if name not in NOT_PROBED and _KWARG.search(route)
    ]
    leaks = []
    for role, person in cast.items():
        client = Client()
        if person.is_authenticated:
            client.force_login(person)
        before = snapshot()
        for route, name in probed:
            if may_open(role, name):
                continue
            url = "/" + _KWARG.sub(lambda m, n=name: str(by_route[m.group(1)](n)), route)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if not refused(role, response):
                    leaks.append(
                        f"[{role}] {method.upper()} {url} ({name}): {response.status_code}"
                    )
        changed = diff(before, snapshot(), IGNORED_COLUMNS)
        assert not changed, f"[{role}] refused requests changed data: {changed[:5]}"
    assert len(probed) > 80
    assert not leaks, "\n".join(leaks)
