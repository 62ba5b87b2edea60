"""Issue 10, item 4: an admin invites people by email from the program's pages, without a
file: one or more addresses and a role, sent now or at a chosen time (by the periodic job);
a scheduled one can be cancelled before it goes, and no invitation is ever emailed twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.notify import periodic
from tandem.programs.imports import emails, invitations
from tandem.programs.models import ParticipantInvitation, Role
from tests.programs.factories import ProgramFactory, admin_of, member_of
from tests.programs.test_import import run_on_commit

pytestmark = pytest.mark.django_db


def invite(program, admin, text, role=Role.MENTEE, send_at=None):
    return run_on_commit(
        invitations.participant_invitations_invite,
        user=admin,
        program_id=program.pk,
        emails=text,
        role=role,
        send_at=send_at,
    )


def tick(at):
    return periodic.run_periodic_jobs(at)["programs.invitations_send_due"]


class TestInviteNow:
    def test_each_address_gets_one_email_with_its_link(self, program, admin):
        outcome = invite(program, admin, "Ana@Example.org\nbo@example.org, cy@example.org")
        assert sorted(i.email for i in outcome.invited) == [
            "ana@example.org",
            "bo@example.org",
            "cy@example.org",
        ]
        assert sorted(m.to[0] for m in mail.outbox) == [i.email for i in outcome.invited]
        for invitation in ParticipantInvitation.objects.all():
            assert invitation.delivery == "sent" and invitation.role == Role.MENTEE
            body = next(m.body for m in mail.outbox if m.to == [invitation.email])
            assert f"/invited/{invitation.token}/" in body
        assert tick(timezone.now() + timedelta(days=1)) == 0  # nothing twice

    def test_bad_addresses_are_named_by_line_and_nothing_is_sent(self, program, admin):
        with pytest.raises(ApplicationError) as error:
            invite(program, admin, "ana@example.org\nbo@\n\nnot an@address")
        assert set(error.value.fields) == {"emails.2", "emails.4"}
        assert error.value.fields["emails.2"] == invitations.BAD_ADDRESS.format(line=2, value="bo@")
        assert "“not”" in error.value.fields["emails.4"]
        assert not ParticipantInvitation.objects.exists() and mail.outbox == []

    def test_people_in_the_program_are_reported_not_invited(self, program, admin):
        member = member_of(program, Role.MENTEE)  # invited in the same role
        outcome = invite(program, admin, f"{member.email}\nnew@example.org")
        assert outcome.already_in_program == [member.email]
        assert [i.email for i in outcome.invited] == ["new@example.org"]
        again = invite(program, admin, "new@example.org")
        assert [i.email for i in again.already_invited] == ["new@example.org"]
        assert len(mail.outbox) == 1

    def test_an_admin_role_or_an_empty_form_is_refused(self, program, admin):
        for text, role in (("a@example.org", Role.ADMIN), ("  \n ", Role.MENTOR)):
            with pytest.raises(ApplicationError):
                invite(program, admin, text, role=role)


class TestScheduled:
    def test_sent_once_by_the_periodic_job_and_not_before_its_time(self, program, admin):
        at = timezone.now() + timedelta(hours=3)
        outcome = invite(program, admin, "later@example.org", send_at=at)
        assert mail.outbox == [] and outcome.invited[0].delivery == "scheduled"
        assert tick(at - timedelta(minutes=1)) == 0
        assert tick(at + timedelta(seconds=30)) == 1
        assert [m.to for m in mail.outbox] == [["later@example.org"]]
        assert tick(at + timedelta(minutes=1)) == 0
        # a task still queued for it (say, an admin's "Send now" a moment before) sends nothing
        invitation = ParticipantInvitation.objects.get()
        assert (
            emails.invitation_emails_send(invitation_ids=[invitation.pk], set_password_ids=[]) == 0
        )
        assert len(mail.outbox) == 1

    def test_cancelled_before_it_goes_it_never_goes(self, program, admin):
        at = timezone.now() + timedelta(hours=3)
        invitation = invite(program, admin, "later@example.org", send_at=at).invited[0]
        invitations.participant_invitation_cancel(
            user=admin, program_id=program.pk, invitation_id=invitation.pk
        )
        assert tick(at + timedelta(hours=1)) == 0 and mail.outbox == []
        with pytest.raises(NotFound):
            invitations.participant_invitation_cancel(
                user=admin, program_id=program.pk, invitation_id=invitation.pk
            )

    def test_a_sent_one_cannot_be_cancelled(self, program, admin):
        invitation = invite(program, admin, "now@example.org").invited[0]
        with pytest.raises(ApplicationError) as error:
            invitations.participant_invitation_cancel(
                user=admin, program_id=program.pk, invitation_id=invitation.pk
            )
        assert error.value.status == 409 and "already sent" in error.value.message

    def test_a_time_in_the_past_is_refused(self, program, admin):
        with pytest.raises(ApplicationError) as error:
            invite(program, admin, "a@example.org", send_at=timezone.now() - timedelta(minutes=1))
        assert error.value.fields == {"send_at": invitations.SEND_AT_PAST}

    def test_send_now_sends_a_scheduled_one_early_once(self, program, admin):
        at = timezone.now() + timedelta(days=2)
        invite(program, admin, "a@example.org\nb@example.org", send_at=at)
        run_on_commit(
            invitations.participant_invitations_send_now, user=admin, program_id=program.pk
        )
        assert len(mail.outbox) == 2
        assert tick(at + timedelta(minutes=1)) == 0 and len(mail.outbox) == 2


class TestPages:
    def test_the_form_invites_and_shows_what_waits(self, client, program, admin):
        client.force_login(admin)
        url = reverse("program_email_invitations", args=[program.slug])
        assert client.get(url).status_code == 200
        local = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0)
        response = client.post(
            url,
            {
                "emails": "ana@example.org\nbo@example.org",
                "role": "mentor",
                "when": "at",
                "send_at": local.strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert response.status_code == 302
        page = client.get(url).content.decode()
        assert "ana@example.org" in page and "scheduled" in page
        assert local.strftime("%a") in page  # as people read dates, never ISO
        bad = client.post(url, {"emails": "ana@example.org\nnope", "role": "mentee", "when": "now"})
        assert bad.status_code == 400
        assert "Line 2: “nope” is not an email address" in bad.content.decode()

    def test_send_at_is_needed_when_chosen(self, client, program, admin):
        client.force_login(admin)
        url = reverse("program_email_invitations", args=[program.slug])
        response = client.post(url, {"emails": "a@example.org", "role": "mentee", "when": "at"})
        assert response.status_code == 400 and not ParticipantInvitation.objects.exists()

    def test_a_time_given_but_refused_is_not_also_said_to_be_missing(self, client, program, admin):
        """Pages review on PostgreSQL: 9999-12-31T10:00 got the range error and "Choose the
        date and time", as if none had been given."""
        client.force_login(admin)
        url = reverse("program_email_invitations", args=[program.slug])
        body = {"emails": "a@example.org", "role": "mentee", "when": "at"}
        response = client.post(url, {**body, "send_at": "9999-12-31T10:00"})
        assert response.status_code == 400
        assert response.context["form"].errors["send_at"] == [
            "Enter a date between the years 1900 and 2100."
        ]
        assert not ParticipantInvitation.objects.exists()


def pages_of(program, invitation):
    return [
        ("get", reverse("program_email_invitations", args=[program.slug]), {}),
        ("post", reverse("program_email_invitations", args=[program.slug]),
         {"emails": "x@example.org", "role": "mentee", "when": "now"}),
        ("post", reverse("program_email_invitations_send", args=[program.slug]), {"send": "all"}),
        ("post", reverse("program_email_invitation_cancel", args=[program.slug, invitation.pk]),
         {"confirm": "yes"}),
        ("post", reverse("program_email_invitation_resend", args=[program.slug, invitation.pk]),
         {}),
    ]  # fmt: skip


def api_of(program, invitation):
    base = f"/api/programs/{program.slug}/email-invitations"
    return [
        ("get", base, None),
        ("post", base, {"emails": "x@example.org", "role": "mentee"}),
        ("post", f"{base}/send", {"ids": None}),
        ("post", f"{base}/{invitation.pk}/cancel", None),
        ("post", f"{base}/{invitation.pk}/resend", None),
    ]


@pytest.mark.parametrize("role", ["participant", "admin of another program", "anonymous"])
def test_nobody_but_the_programs_admins_may_use_them(client, program, admin, cast, role):
    invitation = invite(
        program, admin, "held@example.org", send_at=timezone.now() + timedelta(days=1)
    ).invited[0]
    person = cast[role]
    if not isinstance(person, AnonymousUser):
        client.force_login(person)
    for method, url, data in pages_of(program, invitation):
        response = getattr(client, method)(url, data)
        assert response.status_code == (302 if role == "anonymous" else 404), (url, role)
        if role == "anonymous":
            assert "/login" in response["Location"]
    for method, url, body in api_of(program, invitation):
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == (401 if role == "anonymous" else 404), (url, role)
    invitation.refresh_from_db()
    assert invitation.delivery == "scheduled" and invitation.withdrawn_at is None
    assert ParticipantInvitation.objects.count() == 1 and mail.outbox == []


def test_the_programs_admin_may_use_the_api(client, program, admin):
    client.force_login(admin)
    base = f"/api/programs/{program.slug}/email-invitations"
    at = (timezone.now() + timedelta(days=1)).replace(microsecond=0).isoformat()
    made = client.post(
        base, {"emails": "a@example.org\nb@example.org", "role": "mentor", "send_at": at},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201
    assert [i["delivery"] for i in made.json()["invited"]] == ["scheduled", "scheduled"]
    listed = client.get(base).json()
    assert listed["count"] == 2
    first = listed["items"][0]["id"]
    cancelled = client.post(f"{base}/{first}/cancel", content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "withdrawn"
    bad = client.post(base, {"emails": "a@", "role": "mentee"}, content_type="application/json")
    assert bad.status_code == 400 and "emails.1" in bad.json()["fields"]
    other = ProgramFactory()
    admin_of(other)
    assert client.get(f"/api/programs/{other.slug}/email-invitations").status_code == 404


def test_a_refused_address_goes_back_to_held_and_the_others_still_go(monkeypatch, mailoutbox):
    """Review: one refused address stopped every later scheduled invitation, tick after tick."""
    import smtplib
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from tandem.programs.imports import emails
    from tandem.programs.imports import invitations as inv
    from tandem.programs.models import ParticipantInvitation, Role
    from tests.programs.factories import ProgramFactory, admin_of

    program = ProgramFactory()
    admin = admin_of(program)
    soon = timezone.now() + timedelta(minutes=5)
    inv.participant_invitations_invite(
        user=admin,
        program_id=program.pk,
        emails="good1@example.org\ngood2@example.org",
        role=Role.MENTEE,
        send_at=soon + timedelta(minutes=1),
    )
    inv.participant_invitations_invite(
        user=admin, program_id=program.pk, emails="bad@example.org", role=Role.MENTEE, send_at=soon
    )
    real = mail.get_connection

    class Refusing:
        def __init__(self):
            self.inner = real()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_messages(self, messages):
            if any("bad@example.org" in m.to for m in messages):
                raise smtplib.SMTPRecipientsRefused({"bad@example.org": (550, b"no such user")})
            return self.inner.send_messages(messages)

    monkeypatch.setattr(emails, "get_connection", lambda: Refusing())
    assert emails.invitation_emails_send_due(now=timezone.now() + timedelta(hours=1)) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["good1@example.org", "good2@example.org"]
    bad = ParticipantInvitation.objects.get(email="bad@example.org")
    assert bad.sent_at is None and bad.send_after is None  # held: the admin sees it unsent
    assert emails.invitation_emails_send_due(now=timezone.now() + timedelta(hours=2)) == 0


class TestReviewFindings:
    def test_a_mentee_may_be_invited_to_mentor_but_a_waitlisted_mentee_is_not_reinvited(self):
        from tandem.programs.imports import invitations as inv
        from tandem.programs.models import EnrolmentStatus, Role
        from tests.programs.factories import ProgramFactory, UserFactory, admin_of, enrol

        program = ProgramFactory()
        admin = admin_of(program)
        mia = UserFactory(email="mia@example.org")
        enrol(mia, program, role=Role.MENTEE)
        wes = UserFactory(email="wes@example.org")
        enrol(wes, program, role=Role.MENTEE, status=EnrolmentStatus.WAITLISTED)
        as_mentor = inv.participant_invitations_invite(
            user=admin, program_id=program.pk, emails="mia@example.org", role=Role.MENTOR
        )
        assert [i.email for i in as_mentor.invited] == ["mia@example.org"]
        as_mentee = inv.participant_invitations_invite(
            user=admin, program_id=program.pk, emails="wes@example.org", role=Role.MENTEE
        )
        assert as_mentee.invited == [] and as_mentee.already_in_program == ["wes@example.org"]

    def test_an_unsent_admin_invitation_is_not_listed_here(self, client):
        from django.urls import reverse

        from tandem.programs.models import ParticipantInvitation
        from tandem.programs.services.admins import program_admin_invite
        from tests.programs.factories import ProgramFactory, admin_of

        program = ProgramFactory()
        admin = admin_of(program)
        invitation = program_admin_invite(
            user=admin, program_id=program.pk, email="boss@example.org"
        )
        ParticipantInvitation.objects.filter(pk=invitation.pk).update(sent_at=None)
        client.force_login(admin)
        page = client.get(reverse("program_email_invitations", args=[program.slug]))
        assert "boss@example.org" not in page.content.decode()


def test_the_send_time_names_the_zone_it_is_read_in():
    """UX review: "In your time zone" under the send time left its zone a guess, as the meeting
    forms did before they named it."""
    from tandem.programs.imports.forms import InviteByEmailForm

    with timezone.override("Europe/Berlin"):
        help_text = InviteByEmailForm().fields["send_at"].help_text
    assert help_text.startswith("In your time zone, Europe/Berlin (set on your profile)")


@pytest.mark.parametrize(
    ("typed", "addresses"),
    [
        ("\ufeffann@example.org\r\nbo@example.org\u200b", ["ann@example.org", "bo@example.org"]),
        ("\u200ecy@example.org\u200f; dee@example.org", ["cy@example.org", "dee@example.org"]),
        (
            "Doe, Jane <Jane@Example.org>; Bo Li <bo@example.org>, eve@example.org",
            ["jane@example.org", "bo@example.org", "eve@example.org"],
        ),
        ("ann@example.org bo@example.org\nANN@example.org", ["ann@example.org", "bo@example.org"]),
        ("not-an-email <>", ["not-an-email"]),
    ],
)
def test_pasted_lists_are_read_as_email_programs_copy_them(typed, addresses):
    """I/O review: a byte-order mark or a zero-width space pasted with an address made it
    "not an email address" while it looked right, and Outlook's "Name <address>" list was
    refused word by word."""
    assert [address for _, address in invitations.split_addresses(typed)] == addresses


def test_an_address_with_an_invisible_character_is_invited(program, admin):
    outcome = invitations.participant_invitations_invite(
        user=admin, program_id=program.pk, emails="\ufeffzed@example.org\u200b", role=Role.MENTEE
    )
    assert [invitation.email for invitation in outcome.invited] == ["zed@example.org"]
