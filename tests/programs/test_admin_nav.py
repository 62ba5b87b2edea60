"""One navigation for a program's admin (live review F19/F29/F13): the program page and the
admin home name each page the same way, both reach the program's check-ins, the program page
sets its rarer set-up pages apart from daily work, and every participant reaches their own
check-ins from the main navigation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.programs.models import Role
from tests.people.factories import UserFactory
from tests.programs.factories import ProgramFactory, enrol

pytestmark = pytest.mark.django_db

DAILY = ["Participants", "Mentorships", "Health of mentorships", "Check-ins", "Insights"]
SETUP = ["Invitation links", "Invite by email", "Import CSV / Excel", "Edit program"]


def admin_nav(html: str) -> tuple[list[str], list[str]]:
    nav = re.search(r'<nav class="admin-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no program admin navigation"
    buttons = re.findall(r'class="button[^"]*" href="[^"]*">([^<]+)</a>', nav.group(1))
    setup = re.search(r'<ul class="admin-nav-setup.*?</ul>', nav.group(1), re.S)
    links = re.findall(r">([^<]+)</a>", setup.group(0)) if setup else []
    return buttons, links


@pytest.fixture
def admin_of_program(client):
    program = ProgramFactory()
    admin = UserFactory()
    enrol(admin, program, role=Role.ADMIN)
    client.force_login(admin)
    return program


def test_program_page_and_admin_home_name_the_pages_alike(client, admin_of_program):
    program = admin_of_program
    page = client.get(reverse("program_detail", args=[program.slug])).content.decode()
    home = client.get(reverse("dashboard")).content.decode()
    page_buttons, page_setup = admin_nav(page)
    home_buttons, home_setup = admin_nav(home)
    for label in DAILY:
        assert label in page_buttons and label in home_buttons, label
    assert page_setup == [*SETUP[:3], "Export CSV", "Export Excel", "Edit program"]
    assert not set(SETUP) & set(page_buttons)
    assert home_setup == [] and "Program page" in home_buttons
    checkins = reverse("program_checkins", args=[program.pk])
    assert f'href="{checkins}"' in page and f'href="{checkins}"' in home


def test_the_main_navigation_links_a_persons_check_ins(client):
    program = ProgramFactory()
    me = UserFactory()
    enrol(me, program)
    client.force_login(me)
    html = client.get(reverse("checkin_list")).content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav
    link = re.search(
        r'<a href="{}"([^>]*)>Check-ins</a>'.format(reverse("checkin_list")), nav.group(1)
    )
    assert link and 'aria-current="page"' in link.group(1)


def test_no_page_of_the_navigation_looks_selected(client, admin_of_program):
    """Every daily page is a button of the same style on both pages: "Participants" alone was
    filled, so it read as the tab you are on (UX review)."""
    program = admin_of_program
    for url in (reverse("program_detail", args=[program.slug]), reverse("dashboard")):
        html = client.get(url).content.decode()
        nav = re.search(
            r'<nav class="admin-nav"[^>]*>\s*<ul class="actions[^"]*">(.*?)</ul>', html, re.S
        )
        assert nav, url
        styles = set(re.findall(r'<a class="(button[^"]*)"', nav.group(1)))
        assert styles == {"button button-secondary"}, (url, styles)
