"""The deletion page says what happens to one's name, email and check-in answers as the code
does it (ux review: the page listed the records the pair shares but not the check-ins, which
stay, and never said that the name and email go)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.feedback.models import CheckIn
from tandem.feedback.selectors.checkins import shared_answers_for
from tandem.feedback.services.checkins import checkin_answer
from tandem.people.models import User
from tandem.people.services.closing import account_delete
from tandem.people.views.closing import CHECKINS_KEPT
from tests.feedback.checkins.conftest import checkin
from tests.mentorships.factories import mentorship
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_page_says_name_email_and_check_ins_and_the_code_does_so(client):
    pair = mentorship(state="active")
    mentee = pair.mentee
    mentee.set_password(PASSWORD)
    mentee.save(update_fields=["password"])
    client.force_login(mentee)
    page = client.get(reverse("account_delete")).content.decode()
    assert "Your name and email address are erased" in page
    assert escape(CHECKINS_KEPT) in page
    mine = checkin(pair, mentee)
    checkin_answer(
        user=mentee,
        checkin_id=mine.pk,
        answers={"progress": 4, "meeting_useful": 2},
        shared_keys=["progress"],
    )
    email = mentee.email
    account_delete(user=mentee, password=PASSWORD)
    gone = User.objects.get(pk=mentee.pk)
    assert (gone.first_name, gone.last_name) == ("", "") and gone.email != email
    kept = CheckIn.objects.get(pk=mine.pk)
    assert kept.answers == {"progress": 4, "meeting_useful": 2}  # figures go on counting them
    [shared] = shared_answers_for(mentorship=pair, user=pair.mentor)  # shared: still shared
    assert [row.key for row in shared.rows] == ["progress"]
