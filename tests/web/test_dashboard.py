import pytest
from django.urls import reverse

from tests.programs.factories import EnrolmentFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_dashboard_requires_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_dashboard_shows_my_programs_and_what_my_profile_lacks(
    client, django_assert_max_num_queries
):
    profile = ProfileFactory(headline="Analyst", languages=["en"])
    mine = EnrolmentFactory(person=profile.user)
    EnrolmentFactory(program__name="Someone else's program")
    client.force_login(profile.user)
    with django_assert_max_num_queries(21):  # + the navigation's "ever joined a program"
        response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert mine.program.name in html
    assert "Someone else" not in html
    completeness = response.context["completeness"]
    assert "headline" not in completeness.missing and "languages" not in completeness.missing
    assert "weekly availability" in completeness.missing
    assert f"{completeness.percent}% complete" in html
