"""The email-not-confirmed notice comes from base.html on every page, so its look lives in the
stylesheet every page links (UX review: it borrowed each app's own ``.notice``, a plain card on
the dashboard, blue on the mentorships list, yellow on the account page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import tandem.web
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTICE = '<aside class="card verify-notice" aria-label="Email not confirmed">'
APP_STYLESHEETS = Path(tandem.web.__file__).parent.parent.glob("*/static/*/*.css")


def test_the_notice_wears_one_class_on_every_page(client):
    client.force_login(UserFactory(email_verified_at=None))
    for name in ("dashboard", "mentorship_list", "account"):
        assert NOTICE in client.get(reverse(name)).content.decode(), name


def test_only_the_shared_stylesheet_styles_it():
    styled_in = {
        css.relative_to(css.parents[3]).as_posix()
        for css in APP_STYLESHEETS
        if re.search(r"\.verify-notice\b", css.read_text())
    }
    assert styled_in == {"web/static/web/tandem.css"}
