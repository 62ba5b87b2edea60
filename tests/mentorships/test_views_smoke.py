import pytest
from django.urls import reverse

from tests.mentorships.factories import action_item, meeting, mentorship

pytestmark = pytest.mark.django_db


def test_pages_render_for_participant(client):
    m = mentorship()
    mt = meeting(m)
    action_item(m)
    client.force_login(m.mentee)
    for url in [reverse("mentorship_detail", args=[m.pk]), reverse("mentorship_list"),
                reverse("request_inbox"), reverse("request_new"),
                reverse("agreement_edit", args=[m.pk]),
                reverse("agreement_version", args=[m.pk, 1]),
                reverse("meeting_new", args=[m.pk]), reverse("meeting_detail", args=[mt.pk]),
                reverse("meeting_reschedule", args=[mt.pk]), reverse("calendar_settings"),
                reverse("mentorship_end", args=[m.pk]), reverse("mentorship_complete", args=[m.pk]),
                reverse("dashboard"), reverse("notification_list"),
                reverse("notification_preferences")]:
        response = client.get(url)
        assert response.status_code == 200, url
