"""An agreement version awaiting a signature is one notice to the partner, not one per save
(a fuzzer's 154 saved versions sent 154 emails): while the partner has not read it, newer
versions rewrite it in place and email nobody again; once they have read it or acted on the
agreement (signed, proposed their own version), the next version is a new notice."""

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from tandem.mentorships import services
from tandem.mentorships.models import Mentorship
from tandem.notify.models import Notification
from tandem.notify.services import notification_mark_read
from tandem.people.models import User
from tests.mentorships.factories import mentorship, valid_content
from tests.untouched import nothing_changes, submit_untouched

pytestmark = pytest.mark.django_db


def propose(m: Mentorship, user: User, minutes: int) -> int:
    """A version that differs from the latest (its meeting length), committed; its number."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        version, created = services.agreement_propose(
            user=user, mentorship_id=m.pk, content=valid_content(m.program, meeting_minutes=minutes)
        )
    assert created
    return version.number


def sign(m: Mentorship, user: User, number: int) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.agreement_sign(user=user, mentorship_id=m.pk, number=number)


def emails_to(user: User) -> int:
    return sum(user.email in message.to for message in mail.outbox)


def notices_to(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="agreement"))


def awaiting(user: User) -> list[Notification]:
    """The unread notices that an agreement awaits ``user``'s signature."""
    return [n for n in notices_to(user) if n.topic and n.read_at is None]


def test_many_saves_of_a_pending_amendment_email_the_partner_once():
    m = mentorship()
    for minutes in range(30, 50):
        latest = propose(m, m.mentor, minutes)
    assert latest == 21
    assert emails_to(m.mentee) == 1
    (notice,) = notices_to(m.mentee)
    assert notice.read_at is None
    assert notice.body == "Read version 21 and sign it if you agree."


def test_signing_your_own_pending_proposal_rewrites_the_same_notice():
    m = mentorship()
    number = propose(m, m.mentor, 30)
    sign(m, m.mentor, number)
    assert emails_to(m.mentee) == 1
    (notice,) = notices_to(m.mentee)
    assert notice.body == f"Version {number} takes effect when you sign it too."


def test_a_save_after_the_partner_read_the_notice_is_a_new_one():
    m = mentorship()
    propose(m, m.mentor, 30)
    (first,) = notices_to(m.mentee)
    notification_mark_read(user=m.mentee, notification_id=first.pk)
    propose(m, m.mentor, 40)
    assert emails_to(m.mentee) == 2
    assert len(notices_to(m.mentee)) == 2


@pytest.mark.parametrize("act", ["sign", "counter_propose", "both_sign"])
def test_a_save_after_the_partner_acted_is_a_new_one(act):
    m = mentorship()
    number = propose(m, m.mentor, 30)
    if act == "sign":
        sign(m, m.mentee, number)
    elif act == "counter_propose":
        propose(m, m.mentee, 35)
    else:
        sign(m, m.mentee, number)
        sign(m, m.mentor, number)
    assert awaiting(m.mentee) == []  # acting settles the notice
    propose(m, m.mentor, 40)
    assert emails_to(m.mentee) == 2 + (act == "both_sign")  # + "version 2 is in effect"
    assert [n.body for n in awaiting(m.mentee)] == [
        f"Read version {number + 1 + (act == 'counter_propose')} and sign it if you agree."
    ]


def test_the_agreement_form_saved_untouched_makes_no_version_and_tells_nobody(client):
    m = mentorship()
    propose(m, m.mentor, 30)
    client.force_login(m.mentee)
    url = reverse("agreement_edit", args=[m.pk])
    with nothing_changes(m, m.agreement_versions.order_by("-number").first()):
        submit_untouched(client, url, url)
    assert m.agreement_versions.count() == 2


@pytest.mark.parametrize("page", ["agreement_edit", "agreement_version", "mentorship_detail"])
def test_a_partner_who_opened_the_agreement_hears_of_the_next_version(client, page):
    """Review: the mentor was emailed of version 3, opened the agreement from the email, and
    never heard of versions 4 to 6 (the notice was rewritten unread, unsaid). The mentorship
    page shows the waiting version and its "Sign" button, so it counts as opening it."""
    m = mentorship()
    number = propose(m, m.mentee, 30)
    client.force_login(m.mentor)
    args = [m.pk, number] if page == "agreement_version" else [m.pk]
    assert client.get(reverse(page, args=args)).status_code == 200
    assert awaiting(m.mentor) == []
    for minutes in (40, 45, 50):
        latest = propose(m, m.mentee, minutes)
    assert emails_to(m.mentor) == 2  # version 2, then the first one after the look
    assert [n.body for n in awaiting(m.mentor)] == [
        f"Read version {latest} and sign it if you agree."
    ]


def test_opening_the_agreement_settles_only_the_viewers_own_notice(client):
    m = mentorship()
    propose(m, m.mentee, 30)
    sign(m, m.mentee, 2)
    client.force_login(m.mentee)
    client.get(reverse("agreement_edit", args=[m.pk]))
    assert len(awaiting(m.mentor)) == 1


def test_the_mentorship_page_with_nothing_to_sign_leaves_the_notices_alone(client):
    """Only a page that shows a version awaiting signatures settles the notice: once both
    have signed, reading the mentorship page marks nothing read."""
    m = mentorship()
    number = propose(m, m.mentee, 30)
    sign(m, m.mentee, number)
    sign(m, m.mentor, number)
    in_effect = Notification.objects.filter(recipient=m.mentee, read_at=None)
    unread_before = set(in_effect.values_list("pk", flat=True))
    assert unread_before
    client.force_login(m.mentee)
    assert client.get(reverse("mentorship_detail", args=[m.pk])).status_code == 200
    assert set(in_effect.values_list("pk", flat=True)) == unread_before
