"""Journeys review: an import's invitation opened while logged out landed on a bare "Log in"
page that named no invitation, and the email's set-password link ended on the dashboard, so the
invitee went back to the email for the accept link. Both now say why they ask, and lead back to
the invitation; only a path of this site is followed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tandem.people.models import User
from tandem.programs.models import ParticipantInvitation
from tests.programs.test_invite_by_email import invite

pytestmark = pytest.mark.django_db

WHY = "You were invited to join a mentoring program."


def test_the_login_says_why_and_leads_back_to_the_invitation(client, program, admin):
    User.objects.create_user(email="ana@example.org", password="a long enough pass 42")
    invite(program, admin, "ana@example.org")
    path = reverse("participant_invitation", args=[ParticipantInvitation.objects.get().token])
    login = client.get(path, follow=True)
    assert WHY in login.content.decode()
    done = client.post(
        login.redirect_chain[-1][0],
        {"username": "ana@example.org", "password": "a long enough pass 42", "next": path},
    )
    assert done.status_code == 302 and done["Location"] == path
    # Another page to return to is not an invitation, and says nothing of one.
    assert WHY not in client.get(reverse("login") + "?next=/account/").content.decode()


def test_the_set_password_flow_ends_at_the_invitation(client, program, admin):
    User.objects.create_user(email="bo@example.org")  # made by an import: no password yet
    invite(program, admin, "bo@example.org")
    path = reverse("participant_invitation", args=[ParticipantInvitation.objects.get().token])
    (body,) = [m.body for m in mail.outbox]
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+)", body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "straight back to your invitation" in form.content.decode()
    saved = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long enough pass 42", "new_password2": "a long enough pass 42"},
        follow=True,
    )
    page = saved.content.decode()
    assert "Log in to answer your invitation" in page
    assert f'href="{reverse("login")}?next={path}"' in page


def test_a_next_off_the_site_is_not_carried(client):
    page = client.get(reverse("password_reset_complete") + "?next=https://evil.example/x")
    assert "evil.example" not in page.content.decode()
