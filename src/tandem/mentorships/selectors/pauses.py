"""Declared pauses: the pair and the program's admins read them (dates only)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from tandem.core.exceptions import NotFound
from tandem.mentorships.models import MentorshipPause
from tandem.mentorships.selectors.access import MentorshipAccess, access_mentorship
from tandem.people.models import User
from tandem.people.selectors import is_signed_in

PAUSE_NOT_FOUND = "No such pause."


def pause_list_for_mentorship(
    *, user: User | AnonymousUser, mentorship_id: int
) -> QuerySet[MentorshipPause]:
    """The mentorship's declared pauses, latest first: for the pair and the program's admins."""
    mentorship = access_mentorship(
        user=user, mentorship_id=mentorship_id, need=MentorshipAccess.OVERVIEW
    )
    return MentorshipPause.objects.filter(mentorship=mentorship).select_related("declared_by")


def access_pause(
    *, user: User | AnonymousUser, pause_id: int, for_update: bool = False
) -> MentorshipPause:
    """A pause of a mentorship ``user`` is one of the pair of; one 404 for a missing pause and
    another pair's. ``for_update`` locks its mentorship, then the pause (inside
    ``transaction.atomic`` only)."""
    if not is_signed_in(user):
        raise NotFound(PAUSE_NOT_FOUND)
    pauses = MentorshipPause.objects.filter(pk=pause_id).filter(
        Q(mentorship__mentor=user) | Q(mentorship__mentee=user)
    )
    mentorship_id = pauses.values_list("mentorship_id", flat=True).first()
    if mentorship_id is None:
        raise NotFound(PAUSE_NOT_FOUND)
    mentorship = access_mentorship(user=user, mentorship_id=mentorship_id, for_update=for_update)
    # Read (and lock) the pause only once its mentorship is locked: a request that waited on
    # the lock decides on what the one before it left.
    pause = (pauses.select_for_update() if for_update else pauses).first()
    if pause is None:
        raise NotFound(PAUSE_NOT_FOUND)
    pause.mentorship = mentorship
    return pause
