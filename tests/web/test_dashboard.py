import pytest
from django.urls import reverse

from tandem.people.models import User

pytestmark = pytest.mark.django_db


def test_dashboard_requires_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert "/login" in response["Location"]
