"""A deleted person's name leaves the timeline of their mentorships (docs/people.md, *Deleting
your account*): the summaries written with it read "a former member"."""

from __future__ import annotations

import pytest

from tandem.mentorships.models import MentorshipEvent
from tandem.mentorships.services.common import event_add
from tandem.people.services.closing import account_delete
from tandem.programs.models import Role
from tests.mentorships.factories import mentorship
from tests.people.factories import PASSWORD, UserFactory
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def pair_with_leaver(first_name: str, last_name: str):
    """A mentorship whose mentor (named as given, with a known password) is about to delete
    their account, and whose mentee is Thandiwe Santos."""
    m = mentorship()
    gone, other = m.mentor, m.mentee
    gone.first_name, gone.last_name = first_name, last_name
    gone.set_password(PASSWORD)
    gone.save()
    other.first_name, other.last_name = "Thandiwe", "Santos"
    other.save()
    return m, gone, other


def test_timeline_summaries_forget_the_deleted_name():
    m, gone, other = pair_with_leaver("Sofia", "Silva")
    mine = event_add(
        mentorship=m,
        actor=gone,
        kind="action_item_added",
        summary="Sofia Silva added an action item for Thandiwe Santos.",
    )
    theirs = event_add(
        mentorship=m,
        actor=other,
        kind="action_item_added",
        summary="Thandiwe Santos added an action item for Sofia Silva.",
    )
    account_delete(user=gone, password=PASSWORD)
    summaries = {e.pk: e.summary for e in MentorshipEvent.objects.filter(mentorship=m)}
    assert summaries[mine.pk] == "A former member added an action item for Thandiwe Santos."
    assert summaries[theirs.pk] == "Thandiwe Santos added an action item for a former member."
    assert not any("Sofia" in s for s in summaries.values())


def test_summaries_written_with_a_nameless_persons_address_forget_it_too():
    """Until a nameless account read as ``NAMELESS_MEMBER`` (live privacy review), summaries
    named it by its address; deleting the account erases the address as it does a name."""
    m, gone, other = pair_with_leaver("", "")
    old = event_add(
        mentorship=m,
        actor=gone,
        kind="action_item_added",
        summary=f"{gone.email} added an action item for Thandiwe Santos.",
    )
    new = event_add(
        mentorship=m,
        actor=other,
        kind="action_item_added",
        summary=f"Thandiwe Santos added an action item for {gone.display_name}.",
    )
    address = gone.email
    account_delete(user=gone, password=PASSWORD)
    summaries = {e.pk: e.summary for e in MentorshipEvent.objects.filter(mentorship=m)}
    assert summaries[old.pk] == "A former member added an action item for Thandiwe Santos."
    assert summaries[new.pk] == "Thandiwe Santos added an action item for a former member."
    assert not any(address in s for s in summaries.values())


def test_a_nameless_persons_erasure_leaves_a_longer_member_number_alone():
    """``Member #12`` is the start of ``Member #121``: erasing the first must not turn the
    second person's name into "a former member1" (review of 05b4337)."""
    program = ProgramFactory()
    gone = UserFactory(first_name="", last_name="")
    EnrolmentFactory(program=program, person=gone, role=Role.MENTOR)
    other = UserFactory(id=gone.pk * 10 + 1, first_name="", last_name="")
    EnrolmentFactory(program=program, person=other, role=Role.MENTEE)
    m = mentorship(program=program, mentor=gone, mentee=other)
    theirs = event_add(
        mentorship=m,
        actor=other,
        kind="action_item_added",
        summary=f"{other.display_name} added an action item for {gone.display_name}.",
    )
    account_delete(user=gone, password=PASSWORD)
    theirs.refresh_from_db()
    assert theirs.summary == f"Member #{other.pk} added an action item for a former member."
