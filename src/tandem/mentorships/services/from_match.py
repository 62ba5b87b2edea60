"""Mentorships of a published match run: a cohort's hundreds of pairs checked in order against
rows read once, and created in bulk with the rows ``mentorship_open`` makes, all or nothing, in a
number of queries that does not grow with the pairs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from tandem.core.exceptions import ApplicationError
from tandem.mentorships.models import (
    OPEN_STATES,
    AgreementVersion,
    Mentorship,
    MentorshipEvent,
)
from tandem.mentorships.services.common import capacity_of, mentor_enrolment, mentorship_url
from tandem.mentorships.services.lifecycle import (
    PAIR_EXISTS,
    first_agreement,
    proposed_event,
)
from tandem.mentorships.services.one_mentor import MENTEE_HAS_A_MENTOR
from tandem.notify.kinds import Kind
from tandem.notify.services import Notice, notify_send_bulk
from tandem.people.models import Profile, User
from tandem.programs.models import Enrolment, EnrolmentStatus, Program, ProgramType, Role

MATCH_NOT_MEMBER = "{person} is not an active {role} in this program."
MATCH_AT_CAPACITY = "{mentor} has no room for another mentee in this program."
MATCH_SAME_PERSON = "A person cannot mentor themselves."
MATCH_UNKNOWN_PERSON = "A matched person no longer has an account."
PAIRS_EXIST = "Some of these pairs already have a mentorship in this program."


def mentorships_open_bulk(
    *, program: Program, pairs: Sequence[tuple[User, User]], match_run_ref: str
) -> list[Mentorship]:
    """``mentorship_open`` for the ``(mentor, mentee)`` pairs of a program match: the same
    rows, one insert per table. Callers hold the locks and have checked the rules."""
    goals = dict(
        Profile.objects.filter(user__in=[mentee for _, mentee in pairs]).values_list(
            "user_id", "goals"
        )
    )
    try:
        with transaction.atomic():
            created = Mentorship.objects.bulk_create(
                Mentorship(
                    program=program, mentor=mentor, mentee=mentee, match_run_ref=match_run_ref
                )
                for mentor, mentee in pairs
            )
    except IntegrityError:  # a pair formed since the caller's check
        raise ApplicationError(PAIRS_EXIST, status=409) from None
    today = timezone.localdate()
    AgreementVersion.objects.bulk_create(
        first_agreement(program=program, mentorship=m, goals=goals.get(m.mentee_id), today=today)
        for m in created
    )
    MentorshipEvent.objects.bulk_create(
        proposed_event(mentorship=m, actor=None, origin_request=None) for m in created
    )
    return created


@dataclass
class _MatchCheck:
    """What checking a program match's pairs needs, read once: each person's active roles,
    the mentors' locked enrolments, their open mentorships, the pairs already together and the
    mentees who have a mentor (one at a time: a request accepted since the run was made);
    counts, pairs and mentees grow as the checked pairs are added."""

    program: Program
    roles: dict[int, set[str]]
    mentor_enrolments: dict[int, Enrolment]
    taken: Counter[int]
    together: set[tuple[int, int]]
    mentored: set[int]

    @classmethod
    def read(cls, program: Program, ids: Collection[int]) -> _MatchCheck:
        by_person: dict[int, list[Enrolment]] = defaultdict(list)
        # Locked in one stable order (pk), so concurrent publishes and accepts cannot deadlock.
        for enrolment in (
            Enrolment.objects.select_for_update()
            .filter(program=program, person_id__in=list(ids), status=EnrolmentStatus.ACTIVE)
            .order_by("pk")
        ):
            by_person[enrolment.person_id].append(enrolment)
        roles = {person: {e.role for e in rows} for person, rows in by_person.items()}
        mentor_enrolments = {
            person: found
            for person, rows in by_person.items()
            if (found := mentor_enrolment(program, rows)) is not None
        }
        open_ones = Mentorship.objects.filter(program=program, state__in=OPEN_STATES)
        taken = Counter(
            dict(
                open_ones.filter(mentor_id__in=list(mentor_enrolments))
                .values("mentor_id")
                .annotate(n=Count("pk"))
                .values_list("mentor_id", "n")
            )
        )
        together = set(
            open_ones.filter(mentor_id__in=list(ids), mentee_id__in=list(ids)).values_list(
                "mentor_id", "mentee_id"
            )
        )
        # Read under the mentees' enrolment locks, which every accept holds too.
        mentored = set(
            open_ones.filter(mentee_id__in=list(ids)).values_list("mentee_id", flat=True)
        )
        return cls(program, roles, mentor_enrolments, taken, together, mentored)

    def add(self, mentor: User, mentee: User) -> None:
        """Check one more pair as ``mentorship_open`` would find it after the earlier ones."""
        if mentor.pk == mentee.pk:
            raise ApplicationError(MATCH_SAME_PERSON, status=409)
        for person, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
            if not _may_act_as(self.program, self.roles.get(person.pk, set()), role):
                raise ApplicationError(
                    MATCH_NOT_MEMBER.format(person=person.display_name, role=role.value),
                    status=409,
                )
        enrolment = self.mentor_enrolments.get(mentor.pk)
        if enrolment is None or self.taken[mentor.pk] >= capacity_of(
            program=self.program, enrolment=enrolment
        ):
            raise ApplicationError(MATCH_AT_CAPACITY.format(mentor=mentor.display_name), status=409)
        if {(mentee.pk, mentor.pk), (mentor.pk, mentee.pk)} & self.together:
            raise ApplicationError(
                PAIR_EXISTS.format(mentor=mentor.display_name, mentee=mentee.display_name),
                status=409,
            )
        if mentee.pk in self.mentored:
            raise ApplicationError(
                MENTEE_HAS_A_MENTOR.format(mentee=mentee.display_name, program=self.program.name),
                status=409,
            )
        self.taken[mentor.pk] += 1
        self.together.add((mentor.pk, mentee.pk))
        self.mentored.add(mentee.pk)


def _may_act_as(program: Program, roles: set[str], role: str) -> bool:
    """In peer programs any active member but an admin may take either side."""
    if program.program_type == ProgramType.PEER:
        return bool(roles - {Role.ADMIN})
    return role in roles


def _id(person: User | int) -> int:
    return person if isinstance(person, int) else person.pk


def mentorship_create_from_match(
    *, program: Program, pairs: Sequence[tuple[User | int, User | int]], match_run_ref: int | str
) -> list[Mentorship]:
    """Create one proposed mentorship per ``(mentor, mentee)`` pair (users or user ids) of a
    published match run, all or nothing: any pair that breaks a rule (not an active member in
    that role, mentor at capacity, pair already together, mentee who has a mentor in the
    program, perhaps through a request accepted since the run) rolls the whole batch back.

    A cohort has hundreds of pairs: the rules are checked in order against rows read once
    (``_MatchCheck``), and the rows are written in bulk, in a number of queries that does not
    grow with the pairs."""
    ids = {_id(p) for pair in pairs for p in pair}
    people = User.objects.in_bulk(ids)
    checked: list[tuple[User, User]] = []
    with transaction.atomic():
        check = _MatchCheck.read(program, ids)
        for raw_mentor, raw_mentee in pairs:
            mentor, mentee = people.get(_id(raw_mentor)), people.get(_id(raw_mentee))
            if mentor is None or mentee is None:
                raise ApplicationError(MATCH_UNKNOWN_PERSON, status=409)
            check.add(mentor, mentee)
            checked.append((mentor, mentee))
        created = mentorships_open_bulk(
            program=program, pairs=checked, match_run_ref=str(match_run_ref)
        )
        notify_send_bulk(
            kind=Kind.MENTORSHIP,
            notices=[
                Notice(
                    recipient=person,
                    title=f"You have been matched in {program.name}",
                    body=f"{m.mentor.display_name} (mentor) and {m.mentee.display_name} "
                    "(mentee): agree how you will work together and sign.",
                    url=mentorship_url(m),
                )
                for m in created
                for person in (m.mentor, m.mentee)
            ],
        )
    return created
