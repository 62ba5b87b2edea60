"""Mentorships with a history, written straight to the tables the health signals read."""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import DEFAULT_QUESTIONS, PROGRESS_KEY, USEFULNESS_KEY
from tandem.mentorships.models import Meeting, MeetingFormat, Mentorship, MentorshipEvent
from tandem.messaging.models import Conversation, Message
from tandem.people.models import User
from tests.mentorships.factories import mentorship


def active_since(m: Mentorship, when: datetime) -> Mentorship:
    Mentorship.objects.filter(pk=m.pk).update(activated_at=when, created_at=when)
    m.refresh_from_db()
    return m


def held(m: Mentorship, at: datetime) -> Meeting:
    return Meeting.objects.create(
        mentorship=m, starts_at=at, duration_minutes=45, format=MeetingFormat.VIDEO
    )


def event(m: Mentorship, kind: str, actor: User, at: datetime) -> MentorshipEvent:
    found = MentorshipEvent.objects.create(mentorship=m, actor=actor, kind=kind, summary=kind)
    MentorshipEvent.objects.filter(pk=found.pk).update(created_at=at)
    return found


def message(m: Mentorship, sender: User, at: datetime) -> Message:
    conversation, _ = Conversation.objects.get_or_create(
        mentorship=m, defaults={"program": m.program, "mentor": m.mentor, "mentee": m.mentee}
    )
    found = Message.objects.create(
        conversation=conversation, sender=sender, client_id=f"c{Message.objects.count()}", body="hi"
    )
    Message.objects.filter(pk=found.pk).update(created_at=at)
    return found


def pulse(m: Mentorship, author: User, at: datetime, progress: int, useful: int, n: int) -> CheckIn:
    return CheckIn.objects.create(
        mentorship=m,
        author=author,
        kind=CheckInKind.PULSE,
        sequence=n,
        questions=DEFAULT_QUESTIONS[CheckInKind.PULSE],
        due_at=at - timedelta(days=1),
        answered_at=at,
        answers={PROGRESS_KEY: progress, USEFULNESS_KEY: useful, "comment": "private words"},
    )


def started(now: datetime, *, weeks: int = 10, **kwargs) -> Mentorship:
    return active_since(mentorship(**kwargs), now - timedelta(weeks=weeks))
