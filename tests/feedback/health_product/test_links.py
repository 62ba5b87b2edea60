"""The health page is reached from the admin home and the program page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.services.health import health_refresh
from tandem.programs.models import Role
from tests.feedback.health_product.builders import held, started
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db


def test_admin_home_and_program_page_link_the_health_page(client):
    now = timezone.now()
    m = started(now, weeks=12)
    held(m, now - timedelta(days=70))
    health_refresh(mentorships=[m], now=now)
    admin = member(m.program, Role.ADMIN)
    client.force_login(admin)
    url = f"/feedback/programs/{m.program_id}/health/"
    home = client.get("/").content.decode()
    assert f'href="{url}"' in home and "1 stalled, 0 at risk" in home
    assert f'href="{url}"' in client.get(f"/programs/{m.program.slug}/").content.decode()
