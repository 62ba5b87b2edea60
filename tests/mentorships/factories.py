"""Factories and small builders for mentorship tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import factory

from tandem.mentorships import services
from tandem.mentorships.models import (
    ActionItem,
    AgreementVersion,
    Meeting,
    MeetingFormat,
    Mentorship,
    MentorshipRequest,
    MentorshipState,
)
from tandem.mentorships.services.agreement_content import agreement_defaults
from tandem.people.models import AvailabilityWindow, Profile, User
from tandem.programs.models import Program, Role
from tests.people import factories as people
from tests.programs.factories import EnrolmentFactory, ProgramFactory


class UserFactory(people.UserFactory):
    """A member who never logs in with a password and always has a profile."""

    email = factory.Sequence(lambda n: f"mentoring{n}@example.org")
    password = "!unusable"

    @factory.post_generation
    def timezone(obj, create, extracted, **kwargs):
        if create:
            Profile.objects.update_or_create(user=obj, defaults={"timezone": extracted or "UTC"})


def member(program: Program, role: str = Role.MENTEE, **kwargs) -> User:
    tz = kwargs.pop("timezone", None)
    person = UserFactory(timezone=tz) if tz else UserFactory()
    EnrolmentFactory(program=program, person=person, role=role, **kwargs)
    return person


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorshipRequest

    program = factory.SubFactory(ProgramFactory)
    sender = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)
    mentor = factory.LazyAttribute(lambda o: o.recipient)
    mentee = factory.LazyAttribute(lambda o: o.sender)
    message = "I would love help with public speaking."
    expires_at = factory.LazyFunction(lambda: _now() + timedelta(days=14))


def _now():
    from django.utils import timezone

    return timezone.now()


def valid_content(program: Program | None = None, **overrides) -> dict:
    content = agreement_defaults(program=program or ProgramFactory.build(), today=date.today())
    content["objectives"] = [
        {"goal": "Give a conference talk", "measure": "Talk accepted", "target_date": ""}
    ]
    content.update(overrides)
    return content


def mentorship(
    *,
    state: str = MentorshipState.ACTIVE,
    program: Program | None = None,
    mentor: User | None = None,
    mentee: User | None = None,
    ends_on: date | None = None,
) -> Mentorship:
    """A mentorship between two active members, with an agreement signed when active."""
    program = program or ProgramFactory()
    mentor = mentor or member(program, Role.MENTOR)
    mentee = mentee or member(program, Role.MENTEE)
    today = date.today()
    signed = state != MentorshipState.PROPOSED
    found = Mentorship.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        state=state,
        starts_on=today if signed else None,
        ends_on=(ends_on or today + timedelta(weeks=12)) if signed else None,
    )
    content = valid_content(
        program,
        starts_on=today.isoformat(),
        ends_on=(ends_on or today + timedelta(weeks=12)).isoformat(),
    )
    AgreementVersion.objects.create(
        mentorship=found,
        number=1,
        content=content,
        signed_by_mentor_at=_now() if signed else None,
        signed_by_mentee_at=_now() if signed else None,
    )
    return found


def at_midpoint(m: Mentorship) -> Mentorship:
    """Move ``m``'s dates (same length) so that its mid-point is today: the pair may confirm."""
    half = (m.ends_on - m.starts_on) / 2
    m.starts_on, m.ends_on = m.starts_on - half, m.ends_on - half
    m.save(update_fields=["starts_on", "ends_on"])
    return m


def non_participants(m: Mentorship) -> dict[str, User]:
    """The permission-matrix cast: the program's admin, a stranger and a member of the same
    program, none of them in ``m``."""
    return {
        "admin": member(m.program, Role.ADMIN),
        "stranger": member(ProgramFactory(), Role.MENTOR),
        "same_program": member(m.program, Role.MENTOR),
    }


def meeting(m: Mentorship, *, in_hours: float = 48, **kwargs) -> Meeting:
    return Meeting.objects.create(
        mentorship=m,
        starts_at=_now() + timedelta(hours=in_hours),
        duration_minutes=kwargs.pop("duration_minutes", 45),
        format=kwargs.pop("format", MeetingFormat.VIDEO),
        **kwargs,
    )


def series_from(start: datetime, *, ends_on: date, **repeat) -> tuple[Mentorship, Meeting]:
    """A mentorship to ``ends_on`` whose mentor lives in ``start``'s zone and schedules a
    45-minute series from ``start`` (``repeat="monthly", count=12`` and the like): the
    mentorship and the series' first meeting."""
    m = mentorship(ends_on=ends_on)
    m.mentor.profile.timezone = str(start.tzinfo)
    m.mentor.profile.save()
    m.mentor.refresh_from_db()
    first = services.meeting_schedule(
        user=m.mentor,
        mentorship_id=m.pk,
        starts_at=start.astimezone(UTC),
        ends_at=(start + timedelta(minutes=45)).astimezone(UTC),
        format="video",
        **repeat,
    )
    return m, first


def action_item(m: Mentorship, **kwargs) -> ActionItem:
    kwargs.setdefault("owner", m.mentee)
    kwargs.setdefault("description", "Draft the talk outline")
    return ActionItem.objects.create(mentorship=m, **kwargs)


def availability(user: User, *windows: tuple[int, int, int]) -> None:
    profile = Profile.objects.get(user=user)
    for weekday, start, end in windows:
        AvailabilityWindow.objects.create(
            profile=profile, weekday=weekday, start_minute=start, end_minute=end
        )


def call(client, method: str, url: str, user: User | None = None, body: dict | None = None):
    """One JSON API call, logged in as ``user`` when given (dates serialised as ISO strings)."""
    if user is not None:
        client.force_login(user)
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body, default=str)
    return getattr(client, method)(url, **kwargs)
