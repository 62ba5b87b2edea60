"""What a mentor reads before answering a request: who asks and why, how well they fit, when
both are free, and whether the mentor has a place left."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tandem.matching.records.languages import LANGUAGES
from tandem.mentorships.models import OPEN_STATES, Mentorship, MentorshipRequest, RequestState
from tandem.mentorships.pair_facts import SharedSlot, reasons_for, shared_availability
from tandem.mentorships.scheduling import zone_of
from tandem.mentorships.selectors.access import MentorshipAccess, access_request
from tandem.mentorships.selectors.lists import request_recipients_for
from tandem.people.models import Profile, User
from tandem.people.selectors import profile_queryset
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, ProgramType, Role


@dataclass(frozen=True)
class Capacity:
    places: int
    taken: int

    @property
    def free(self) -> int:
        return max(0, self.places - self.taken)


@dataclass(frozen=True)
class RequestPage:
    request: MentorshipRequest
    # The message is the pair's: a program admin reads the rest of the page, not it.
    reads_message: bool
    can_answer: bool
    can_withdraw: bool
    mentee_profile: Profile | None
    mentee_languages: list[str]
    reasons: list[dict[str, str]]
    mentor_zone: str
    mentee_zone: str
    shared: list[SharedSlot]
    capacity: Capacity | None  # None: the mentor is no longer active in the program

    @property
    def shared_hours(self) -> float:
        return round(sum(slot.minutes for slot in self.shared) / 60, 1)


def mentor_capacity(*, program: Program, mentor_id: int) -> Capacity | None:
    """The mentor's places in ``program`` and how many their open mentorships take (in peer
    programs any active member may mentor, as the accept rule says)."""
    enrolments = Enrolment.objects.filter(
        program=program, person_id=mentor_id, status=EnrolmentStatus.ACTIVE
    ).exclude(role=Role.ADMIN)
    if program.program_type != ProgramType.PEER:
        enrolments = enrolments.filter(role=Role.MENTOR)
    enrolment = enrolments.order_by("-role", "pk").first()  # "mentor" sorts after "mentee"
    if enrolment is None:
        return None
    places = enrolment.capacity if enrolment.capacity is not None else program.default_capacity
    taken = Mentorship.objects.filter(
        program=program, mentor_id=mentor_id, state__in=OPEN_STATES
    ).count()
    return Capacity(places=places, taken=taken)


def _windows(profile: Profile | None) -> list[tuple[int, int, int]]:
    if profile is None:
        return []
    return [(w.weekday, w.start_minute, w.end_minute) for w in profile.windows.all()]


def request_page(*, user: User | AnonymousUser, request_id: int) -> RequestPage:
    """The request page for one of its two people or an admin of its program (else 404)."""
    found = access_request(user=user, request_id=request_id, need=MentorshipAccess.OVERVIEW)
    profiles = {
        p.user_id: p for p in profile_queryset().filter(user__in=[found.mentor_id, found.mentee_id])
    }
    for person in (found.mentor, found.mentee):
        if person.pk in profiles:  # zone_of reads it: no second query
            person.profile = profiles[person.pk]
    mentor_profile, mentee_profile = profiles.get(found.mentor_id), profiles.get(found.mentee_id)
    mentor_zone, mentee_zone = zone_of(found.mentor), zone_of(found.mentee)
    pending = found.state == RequestState.PENDING and found.expires_at > timezone.now()
    return RequestPage(
        request=found,
        reads_message=user.pk in (found.sender_id, found.recipient_id),
        can_answer=pending and user.pk == found.recipient_id,
        can_withdraw=pending and user.pk == found.sender_id,
        mentee_profile=mentee_profile,
        mentee_languages=[
            LANGUAGES.get(code, code)
            for code in (mentee_profile.languages if mentee_profile else [])
        ],
        reasons=reasons_for(found.program, found.mentor, found.mentee),
        mentor_zone=mentor_zone.key,
        mentee_zone=mentee_zone.key,
        shared=shared_availability(
            mentor_windows=_windows(mentor_profile),
            mentor_zone=mentor_zone,
            mentee_windows=_windows(mentee_profile),
            mentee_zone=mentee_zone,
            week=timezone.localdate(),
        ),
        capacity=mentor_capacity(program=found.program, mentor_id=found.mentor_id),
    )


@dataclass(frozen=True)
class RequestTarget:
    """The person a request form goes to, with what the sender reads before asking."""

    person: User
    reasons: list[dict[str, str]]
    capacity: Capacity | None  # None: they would be the mentee (a reverse program's mentor asks)
    reader: str = "mentee"  # the sender's side, as the reasons are worded for them


def request_target(*, user: User, program: Program, recipient_id: int) -> RequestTarget | None:
    """Whom ``user`` asks in ``program`` if they may ask them now: an active member the
    request rule lets them ask and, when that person would mentor, one with a free place.
    None otherwise (the page says so and sends them back to the ranked list)."""
    person = (
        request_recipients_for(user=user, program=program)
        .filter(pk=recipient_id)
        .select_related("profile")
        .first()
    )
    if person is None:
        return None
    capacity = mentor_capacity(program=program, mentor_id=person.pk)
    if capacity is not None and capacity.free == 0:
        return None
    mentor, mentee = (person, user) if capacity is not None else (user, person)
    return RequestTarget(
        person=person,
        reasons=reasons_for(program, mentor, mentee),
        capacity=capacity,
        reader="mentee" if mentee == user else "mentor",
    )
